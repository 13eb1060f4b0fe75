"""openstacksdk and keystoneauth errors translated into deltaflask's typed
errors at the SDK boundary.

Rejected credentials are 401, a refused operation or an exceeded quota 403,
unknown ids 404, state conflicts (and Neutron's over-quota) 409, bad input
400, an overloaded service 503, an unreachable or failing service 502 and a
service that does not answer in time 504.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from deltaflask.errors import AuthenticationFailure
from deltaflask.errors import Conflict
from deltaflask.errors import DeltaflaskError
from deltaflask.errors import Forbidden
from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ProviderError
from deltaflask.errors import ProviderTimeout
from deltaflask.errors import ProviderUnavailable
from deltaflask.errors import ValidationFailure

if TYPE_CHECKING:
    from deltaflask.plugins.openstack.identity import Provider

#: HTTP statuses of OpenStack answers and the errors they become
BY_STATUS: dict[int, type[DeltaflaskError]] = {
    400: ValidationFailure,
    401: AuthenticationFailure,
    403: Forbidden,
    404: ObjectNotFound,
    409: Conflict,
    413: Forbidden,  # Nova's and Cinder's "over limit"
    504: ProviderTimeout,
}


def translate(status: int | None, message: str) -> DeltaflaskError:
    """The typed error for an OpenStack answer with HTTP ``status``."""
    if status == 503 or status == 429:
        return ProviderUnavailable(message, retry_after=2)
    return BY_STATUS.get(status or 0, ProviderError)(message)


@contextmanager
def openstack_errors(identity_url: Provider | None = None) -> Iterator[None]:
    """Run openstacksdk calls, turning their errors into typed errors.

    ``identity_url`` is given while authenticating, so that a ``/v2.0``
    URL the cloud offers no v3 sibling for gets a clear message.
    """
    import openstack.exceptions as sdk
    from keystoneauth1 import exceptions as ksa

    try:
        yield
    except sdk.HttpException as exc:
        raise translate(exc.status_code, _message(exc)) from None
    except ksa.Unauthorized:
        raise AuthenticationFailure() from None
    except (ksa.HttpError, ksa.DiscoveryFailure) as exc:
        status = getattr(exc, "http_status", None)
        if identity_url is not None and status in (None, 404):
            raise ProviderError(_no_v3(identity_url)) from None
        raise translate(status, f"Identity service: {exc}") from None
    except ksa.ConnectTimeout as exc:
        raise ProviderTimeout(f"OpenStack did not answer: {exc}") from None
    except ksa.ConnectFailure as exc:
        raise ProviderError(f"Cannot reach OpenStack: {exc}") from None
    except (ksa.EndpointNotFound, sdk.EndpointNotFound) as exc:
        raise ProviderError(f"The service catalogue lacks an endpoint: {exc}") from None
    except ksa.ClientException as exc:
        if identity_url is not None:
            raise ProviderError(f"{_no_v3(identity_url)} ({exc})") from None
        raise ProviderError(f"OpenStack identity failed: {exc}") from None
    except sdk.ResourceTimeout as exc:
        raise ProviderTimeout(str(exc)) from None
    except sdk.ResourceFailure as exc:
        raise ProviderError(str(exc)) from None
    except sdk.SDKException as exc:
        raise ProviderError(f"OpenStack failed: {exc}") from None


def _no_v3(identity_url: Provider) -> str:
    text = f"The identity service has no Keystone v3 API at {identity_url.auth_url}"
    if identity_url.mapped_from_v2:
        text += " (the /v2.0 URL was mapped to v3; Keystone v2.0 is not supported)"
    return text


def _message(exc: BaseException) -> str:
    details = getattr(exc, "details", None)
    return str(details or exc).strip() or type(exc).__name__
