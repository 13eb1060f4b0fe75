"""google-cloud-storage's errors translated into deltaflask's typed errors.

The translation happens at the SDK boundary (:func:`gcs_errors`), by the HTTP
status Cloud Storage answered: 400 and 412 are bad input, 401 a rejected
credential, 403 a refusal, 404 a missing bucket or object, 409 a conflict
(such as deleting a bucket that is not empty), 429 and 503 throttling (503
with a retry hint), and any other answer a 502 carrying Google's message.
A time-out is a 504, an unreachable endpoint or an answer that cannot be read
(bad JSON, a broken upload protocol) a 502.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from deltaflask.errors import AuthenticationFailure
from deltaflask.errors import Conflict
from deltaflask.errors import DeltaflaskError
from deltaflask.errors import Forbidden
from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ProviderError
from deltaflask.errors import ProviderTimeout
from deltaflask.errors import ProviderUnavailable
from deltaflask.errors import ValidationFailure

#: seconds a client is asked to wait after Cloud Storage throttled a request
RETRY_AFTER = 2
MAX_MESSAGE = 300


def translate(status: int | None, message: str) -> DeltaflaskError:
    """The typed error for an answer of Cloud Storage with HTTP ``status``."""
    text = f"Google Cloud Storage: {message[:MAX_MESSAGE]}"
    if status in (400, 411, 412, 416):
        return ValidationFailure(text)
    if status == 401:
        return AuthenticationFailure(text)
    if status == 403:
        return Forbidden(text)
    if status == 404:
        return ObjectNotFound(text)
    if status == 409:
        return Conflict(text)
    if status in (429, 503):
        return ProviderUnavailable(text, retry_after=RETRY_AFTER)
    if status == 504:
        return ProviderTimeout(text)
    return ProviderError(text)


@contextmanager
def gcs_errors() -> Iterator[None]:
    """Run google-cloud-storage calls, turning their errors into typed errors."""
    from google.api_core import exceptions as api
    from google.auth import exceptions as auth
    from google.cloud.storage import exceptions as storage
    from requests import exceptions as http

    try:
        yield
    except api.RetryError as exc:
        cause = exc.cause
        if isinstance(cause, api.GoogleAPICallError):
            raise translate(cause.code, cause.message) from None
        raise ProviderTimeout(f"Google Cloud Storage did not answer: {exc}") from None
    except api.GoogleAPICallError as exc:
        raise translate(exc.code, exc.message) from None
    except storage.InvalidResponse as exc:  # the upload protocol's own errors
        status = getattr(exc.response, "status_code", None)
        raise translate(status if status != 200 else 502, str(exc)) from None
    except storage.DataCorruption as exc:
        raise ProviderError(f"Google Cloud Storage sent corrupt data: {exc}") from None
    except (auth.RefreshError, auth.DefaultCredentialsError) as exc:
        raise AuthenticationFailure(f"Google rejected the credentials: {exc}") from None
    except (http.Timeout, auth.TimeoutError) as exc:
        raise ProviderTimeout(f"Google Cloud Storage did not answer: {exc}") from None
    except (http.ConnectionError, auth.TransportError) as exc:
        raise ProviderError(f"Cannot reach Google Cloud Storage: {exc}") from None
    except (http.RequestException, ValueError, KeyError) as exc:
        # an answer the SDK cannot read: not JSON, missing fields
        raise ProviderError(
            f"Google Cloud Storage sent an unreadable answer ({type(exc).__name__})"
        ) from None
