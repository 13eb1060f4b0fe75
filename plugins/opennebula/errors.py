"""pyone's errors translated into deltaflask's typed errors at the SDK boundary.

oned answers a failed call with an error code that pyone raises as an
exception class: AUTHENTICATION is 401, AUTHORIZATION 403, NO_EXISTS 404, a
refused ACTION (a VM in the wrong state, an image in use) 409 unless the
caller says otherwise, a malformed call (API) 400. INTERNAL errors, XML-RPC
faults and the codes pyone leaves generic (ALLOCATE, LOCKED) are 502 carrying
oned's message; an endpoint that does not answer in time is 504.
"""

from __future__ import annotations

import xmlrpc.client
from collections.abc import Iterator
from contextlib import contextmanager
from xml.parsers.expat import ExpatError

from deltaflask.errors import AuthenticationFailure
from deltaflask.errors import Conflict
from deltaflask.errors import DeltaflaskError
from deltaflask.errors import Forbidden
from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ProviderError
from deltaflask.errors import ProviderTimeout
from deltaflask.errors import ValidationFailure


@contextmanager
def one_errors(
    endpoint: str,
    action_error: type[DeltaflaskError] = Conflict,
) -> Iterator[None]:
    """Run pyone calls against ``endpoint``, turning their errors into typed
    errors; ``action_error`` says what a refused action means for this call."""
    import pyone
    import requests
    from lxml.etree import XMLSyntaxError

    try:
        yield
    except pyone.OneAuthenticationException:
        raise AuthenticationFailure(
            "OpenNebula rejected the user name or password"
        ) from None
    except pyone.OneAuthorizationException as exc:
        raise Forbidden(str(exc)) from None
    except pyone.OneNoExistsException as exc:
        raise ObjectNotFound(str(exc)) from None
    except pyone.OneActionException as exc:
        raise action_error(str(exc)) from None
    except pyone.OneApiException as exc:
        raise ValidationFailure(str(exc)) from None
    except pyone.OneException as exc:  # INTERNAL, ALLOCATE, LOCKED, XML-RPC faults
        raise ProviderError(f"OpenNebula failed: {exc}") from None
    except requests.Timeout:
        raise ProviderTimeout(
            f"OpenNebula at {endpoint} did not answer in time"
        ) from None
    except requests.ConnectionError:
        raise ProviderError(f"Cannot reach OpenNebula at {endpoint}") from None
    except xmlrpc.client.ProtocolError as exc:
        raise ProviderError(
            f"{endpoint} answered HTTP {exc.errcode}: is it oned's XML-RPC endpoint "
            "(http://<host>:2633/RPC2)?"
        ) from None
    except (xmlrpc.client.ResponseError, ExpatError, XMLSyntaxError):
        raise ProviderError(
            f"{endpoint} answered with something other than oned's XML"
        ) from None
