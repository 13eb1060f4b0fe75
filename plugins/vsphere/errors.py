"""pyvmomi's faults translated into deltaflask's typed errors at the SDK boundary.

A rejected login is 401, a missing managed object 404, a wrong power state or
a busy object 409, a refused value 400, any other vSphere fault 502 carrying
the fault's name and message; an unreachable or untrusted vCenter is 502 and
a call or task that does not finish in time 504.
"""

from __future__ import annotations

import http.client
import ssl
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

#: vSphere fault name -> the typed error it becomes
FAULTS: dict[str, type[DeltaflaskError]] = {
    "InvalidLogin": AuthenticationFailure,
    "NotAuthenticated": AuthenticationFailure,
    "NoPermission": Forbidden,
    "ManagedObjectNotFound": ObjectNotFound,
    "NotFound": ObjectNotFound,
    "InvalidPowerState": Conflict,
    "InvalidState": Conflict,
    "TaskInProgress": Conflict,
    "DuplicateName": Conflict,
    "AlreadyExists": Conflict,
    "FileAlreadyExists": Conflict,
    "InvalidArgument": ValidationFailure,
    "InvalidName": ValidationFailure,
    "InvalidVmConfig": ValidationFailure,
}
UNTRUSTED = (
    "vCenter's TLS certificate is not trusted; to accept a self-signed "
    "certificate, set VSPHERE_INSECURE=1 on the server"
)


def fault_name(fault: BaseException) -> str:
    """The short name of a vSphere fault (``InvalidPowerState``)."""
    return type(fault).__name__.rsplit(".", 1)[-1]


def translate(fault: BaseException) -> DeltaflaskError:
    """The typed error for a pyvmomi fault (a ``vmodl.MethodFault``)."""
    name = fault_name(fault)
    message = str(getattr(fault, "msg", "") or "").strip()
    text = f"{name}: {message}" if message else name
    return FAULTS.get(name, ProviderError)(text)


@contextmanager
def vsphere_errors() -> Iterator[None]:
    """Run pyvmomi calls, turning its faults and transport errors into typed errors."""
    from pyVmomi import vmodl

    try:
        yield
    except vmodl.MethodFault as fault:
        raise translate(fault) from None
    except TimeoutError:
        raise ProviderTimeout("vCenter did not answer in time") from None
    except ssl.SSLCertVerificationError:
        raise ProviderError(UNTRUSTED) from None
    except (OSError, http.client.HTTPException) as exc:
        raise ProviderError(f"Cannot reach vCenter: {type(exc).__name__}") from None
