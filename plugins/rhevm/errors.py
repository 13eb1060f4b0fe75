"""ovirt-engine-sdk-python errors translated into deltaflask's typed errors.

The SDK raises ``AuthError`` for a refused login or a 401/403, ``NotFoundError``
for a 404, ``TimeoutError`` when the engine does not answer within the
connection's time-out, ``ConnectionError`` when it cannot be reached, and a
plain ``Error`` carrying the HTTP code and the engine's fault otherwise. The
engine refuses an action in the wrong state with 409 ("Cannot run VM. VM is
running.") and bad input with 400.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from deltaflask.errors import AuthenticationFailure
from deltaflask.errors import Conflict
from deltaflask.errors import DeltaflaskError
from deltaflask.errors import Forbidden
from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ProviderError
from deltaflask.errors import ProviderTimeout
from deltaflask.errors import ValidationFailure

#: curl's words for a certificate it could not verify
CERTIFICATE_WORDS = ("certificate", "SSL", "TLS")
#: the curl code inside the SDK's "Failed to read response: [(<curl>, 28, ...)]"
CURL_CODE = re.compile(r"pycurl\.Curl object at 0x[0-9a-f]+>, (\d+),")
#: curl's codes for a time-out and for a server it cannot reach
CURL_TIMED_OUT = 28
CURL_UNREACHABLE = (6, 7)


def fault_text(error: Exception) -> str:
    """The engine's own words for a refusal: its fault detail, else the reason."""
    fault = getattr(error, "fault", None)
    if fault is not None:
        detail = (fault.detail or "").strip("[] ")
        return detail or str(fault.reason or "")
    return str(error)


def translate(error: Exception) -> DeltaflaskError:
    """The typed error for one SDK error."""
    import ovirtsdk4 as sdk

    code = getattr(error, "code", None)
    text = fault_text(error)
    if isinstance(error, sdk.AuthError):
        if code == 403:
            return Forbidden(f"The engine refused: {text}")
        return AuthenticationFailure("The engine rejected the user name or password")
    if isinstance(error, sdk.NotFoundError):
        return ObjectNotFound(text)
    curl = CURL_CODE.search(str(error))
    curl_code = int(curl.group(1)) if curl else None
    if isinstance(error, sdk.TimeoutError) or curl_code == CURL_TIMED_OUT:
        return ProviderTimeout("The engine did not answer in time")
    if isinstance(error, sdk.ConnectionError) or curl_code in CURL_UNREACHABLE:
        return ProviderError("Cannot reach the engine (is the provider URL right?)")
    if code == 409:
        return Conflict(text)
    if code == 400:
        return ValidationFailure(text)
    if code is None and any(word in str(error) for word in CERTIFICATE_WORDS):
        return ProviderError(
            "The engine's TLS certificate could not be verified: set RHEVM_CA_FILE "
            "to its CA, or RHEVM_INSECURE=1 to accept it unverified"
        )
    return ProviderError(f"The engine failed: {text}")


@contextmanager
def engine_errors() -> Iterator[None]:
    """Run SDK calls, turning the SDK's errors into typed errors."""
    import ovirtsdk4 as sdk
    import pycurl

    try:
        yield
    except sdk.Error as exc:
        raise translate(exc) from None
    except pycurl.error as exc:  # raised outside the SDK's own wrapping
        raise ProviderError(f"Cannot talk to the engine: {exc.args[-1]}") from None
    except ValueError:  # a body that is not the JSON or XML the SDK expects
        raise ProviderError("The engine sent an answer the SDK cannot read") from None
