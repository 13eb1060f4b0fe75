"""azure-core errors translated into deltaflask's typed errors at the SDK boundary.

Unknown containers and blobs are 404, rejected credentials 401 (a SAS or
account without the permission 403), throttling 503 with Azure's
``Retry-After``, bad names and values 400, a non-empty container or a blob of
the wrong type 409, time-outs 504, and anything else (an unreachable endpoint,
an answer that cannot be read, a server error) a 502 carrying Azure's code.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from deltaflask.errors import AuthenticationFailure
from deltaflask.errors import Conflict
from deltaflask.errors import DeltaflaskError
from deltaflask.errors import Forbidden
from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ProviderError
from deltaflask.errors import ProviderTimeout
from deltaflask.errors import ProviderUnavailable
from deltaflask.errors import ValidationFailure

#: Azure answers a wrong key or a malformed SAS with 403 and these codes
AUTH_CODES = frozenset(
    {
        "AuthenticationFailed",
        "AuthorizationFailure",
        "InvalidAuthenticationInfo",
        "NoAuthenticationInformation",
    }
)
THROTTLE_CODES = frozenset({"ServerBusy", "OperationTimedOut", "InternalError"})
RETRY_AFTER = 2
SIGNATURE = re.compile(r"((?:^|[?&;\s])sig=)[^&;\s'\"]*", re.IGNORECASE)


def _retry_after(response: Any) -> int:
    """Azure's ``Retry-After`` in whole seconds (at least 1), else a default."""
    value = str(getattr(response, "headers", {}).get("Retry-After") or "")
    return max(1, int(value)) if value.isdigit() else RETRY_AFTER


def translate(
    code: str, message: str, status: int | None, response: Any
) -> DeltaflaskError:
    """The typed error for Azure's error ``code`` and HTTP ``status``."""
    text = f"{code}: {message}" if code and message else code or message
    if code in AUTH_CODES or status == 401:
        return AuthenticationFailure(text)
    if status == 403:
        return Forbidden(text)
    if status == 503 or (status == 500 and code in THROTTLE_CODES):
        return ProviderUnavailable(text, retry_after=_retry_after(response))
    if status == 404:
        return ObjectNotFound(text)
    if status in (409, 412):
        return Conflict(text)
    if status in (400, 411, 413, 416):
        return ValidationFailure(text)
    return ProviderError(text or f"Azure Blob answered {status}")


def _first_line(exc: Exception) -> str:
    """The first line of the SDK's message, with any SAS signature hidden
    (a connection error names the URL it tried, query string and all)."""
    reason = getattr(exc, "reason", None) or str(exc)
    message = str(getattr(exc, "message", None) or reason)
    return without_signatures(message.splitlines()[0] if message else "")[:300]


def without_signatures(text: str) -> str:
    """``text`` with the value of every SAS ``sig=`` parameter hidden."""
    return SIGNATURE.sub(r"\1<hidden>", text)


@contextmanager
def azure_errors() -> Iterator[None]:
    """Run azure-storage-blob calls, turning azure-core's errors into typed errors."""
    from azure.core.exceptions import AzureError
    from azure.core.exceptions import DecodeError
    from azure.core.exceptions import DeserializationError
    from azure.core.exceptions import HttpResponseError
    from azure.core.exceptions import ServiceRequestError
    from azure.core.exceptions import ServiceRequestTimeoutError
    from azure.core.exceptions import ServiceResponseError
    from azure.core.exceptions import ServiceResponseTimeoutError

    try:
        yield
    except (ServiceRequestTimeoutError, ServiceResponseTimeoutError) as exc:
        raise _timeout(exc) from None
    except (DecodeError, DeserializationError) as exc:
        raise _unreadable(exc) from None
    except HttpResponseError as exc:
        found = getattr(exc, "error_code", None) or ""
        code = str(getattr(found, "value", found))  # StorageErrorCode or text
        status = getattr(exc, "status_code", None)
        if status is None or (status < 400 and not code):
            raise _unreadable(exc) from None
        raise translate(code, _first_line(exc), status, exc.response) from None
    except ServiceRequestError as exc:
        if _timed_out(exc):
            raise _timeout(exc) from None
        raise ProviderError(f"Cannot reach Azure Blob: {_first_line(exc)}") from None
    except ServiceResponseError as exc:
        if _timed_out(exc):
            raise _timeout(exc) from None
        raise ProviderError(f"Azure Blob broke off: {_first_line(exc)}") from None
    except AzureError as exc:
        raise ProviderError(f"Azure Blob failed: {type(exc).__name__}") from None


def _timed_out(exc: Exception) -> bool:
    return "timed out" in str(exc).lower()


def _timeout(exc: Exception) -> ProviderTimeout:
    return ProviderTimeout(f"Azure Blob did not answer in time: {_first_line(exc)}")


def _unreadable(exc: Exception) -> ProviderError:
    return ProviderError(f"Azure Blob sent an unreadable answer: {_first_line(exc)}")
