"""vCenter sessions: the provider parsed into an endpoint, one logged-in
session per endpoint and credentials, kept between requests.

Logging in costs a round trip or more, so sessions live in a small per-process
LRU keyed by a keyed hash of the credentials (never the secret itself); a
session unused for a while is checked before reuse and replaced when vCenter
has ended it. Certificates are verified unless the server says otherwise.
"""

from __future__ import annotations

import atexit
import hashlib
import hmac
import secrets
import ssl
import threading
import time
import urllib.parse
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from deltaflask.drivers import Credentials
from deltaflask.errors import DeltaflaskError
from deltaflask.errors import ProviderError
from deltaflask.errors import ValidationFailure
from deltaflask.plugins.vsphere.errors import vsphere_errors

MAX_SESSIONS = 32
#: seconds a cached session may go unchecked
CHECK_AFTER = 300.0
_PEPPER = secrets.token_bytes(32)
_lock = threading.Lock()
_sessions: OrderedDict[tuple[Any, ...], tuple[Session, float]] = OrderedDict()


@dataclass(frozen=True, slots=True)
class Session:
    """A logged-in ``ServiceInstance`` and its ``ServiceContent``."""

    instance: Any
    content: Any


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where the vCenter's SOAP API answers."""

    host: str
    port: int
    path: str

    @classmethod
    def parse(cls, provider: str | None) -> Endpoint:
        """The endpoint named by the provider: ``host``, ``host:port`` or an
        ``https://`` URL (path ``/sdk`` unless given); anything else is a 400."""
        text = (provider or "").strip()
        if not text:
            raise ValidationFailure(
                "The vsphere driver needs the vCenter host as its provider "
                "(-P vcenter.example.com or X-Deltacloud-Provider)"
            )
        url = urllib.parse.urlsplit(text if "://" in text else f"https://{text}")
        try:
            port = url.port or 443
        except ValueError:
            port = 0
        if url.scheme != "https" or not url.hostname or not 0 < port < 65536:
            raise ValidationFailure(
                f"Provider '{text}' is no vCenter address: give host, host:port "
                "or https://host[:port][/sdk]"
            )
        if url.username or url.password or url.query or url.fragment:
            raise ValidationFailure(
                "The provider names the vCenter only: send credentials with "
                "HTTP Basic, not in the provider"
            )
        return cls(url.hostname, port, url.path or "/sdk")


def _fingerprint(credentials: Credentials) -> str:
    material = f"{credentials.user}\0{credentials.password}".encode()
    return hmac.new(_PEPPER, material, hashlib.sha256).hexdigest()


def tls_context(insecure: bool) -> ssl.SSLContext:
    """A verifying TLS context, or one accepting any certificate when asked.

    Always explicit: pyvmomi would otherwise skip verification for loopback
    hosts on its own.
    """
    if insecure:
        return ssl._create_unverified_context()  # the user said so
    return ssl.create_default_context()


def session(
    endpoint: Endpoint, credentials: Credentials, *, insecure: bool, timeout: float
) -> Session:
    """A logged-in session of ``endpoint`` for ``credentials``."""
    key = (endpoint, insecure, timeout, _fingerprint(credentials))
    now = time.monotonic()
    with _lock:
        found = _sessions.get(key)
        if found is not None:
            _sessions.move_to_end(key)
    if found is not None:
        cached, last_used = found
        if now - last_used < CHECK_AFTER or _alive(cached):
            with _lock:
                _sessions[key] = (cached, now)
            return cached
    made = _login(endpoint, credentials, insecure, timeout)
    with _lock:
        _sessions[key] = (made, now)
        while len(_sessions) > MAX_SESSIONS:
            _close(_sessions.popitem(last=False)[1][0])
    return made


def _close(cached: Session) -> None:
    """Close the connections of a session no longer kept."""
    cached.instance._stub.DropConnections()


@atexit.register
def _close_all() -> None:
    """Close every kept session's connections when the process ends."""
    with _lock:
        for cached, _ in _sessions.values():
            _close(cached)
        _sessions.clear()


def _alive(cached: Session) -> bool:
    try:
        with vsphere_errors():
            return cached.content.sessionManager.currentSession is not None
    except DeltaflaskError:  # any failure means "log in again"
        return False


def _login(
    endpoint: Endpoint, credentials: Credentials, insecure: bool, timeout: float
) -> Session:
    """Log in, closing the connection again when that fails. pyvmomi raises a
    bare ``Exception`` for an address that is no vSphere API, which is a 502
    like any other unusable provider."""
    from pyVim.connect import SmartStubAdapter
    from pyVmomi import vim

    stub = None
    try:
        with vsphere_errors():
            stub = SmartStubAdapter(
                host=endpoint.host,
                port=endpoint.port,
                path=endpoint.path,
                sslContext=tls_context(insecure),
                httpConnectionTimeout=timeout,
            )
            instance = vim.ServiceInstance("ServiceInstance", stub)
            content = instance.RetrieveContent()
            content.sessionManager.Login(credentials.user, credentials.password)
            return Session(instance, content)
    except DeltaflaskError:
        if stub is not None:
            stub.DropConnections()
        raise
    except Exception:  # pyvmomi's bare Exception, see the docstring
        raise ProviderError(
            f"{endpoint.host}:{endpoint.port}{endpoint.path} is down or is no "
            "vSphere API"
        ) from None
