"""SDK connections to the engine, shared between requests with the same login.

A connection logs in (SSO) on its first call and keeps the token, so it is
kept in a small per-process LRU: the cache key is a keyed hash of the
credentials, never the secret itself, and nothing is written anywhere.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from deltaflask.drivers import Credentials
from deltaflask.errors import ValidationFailure

DEFAULT_DOMAIN = "internal"
MAX_CONNECTIONS = 32
_PEPPER = secrets.token_bytes(32)
_lock = threading.Lock()
_connections: OrderedDict[tuple[str, ...], Any] = OrderedDict()


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where the engine is and how to trust it."""

    url: str
    insecure: bool = False
    ca_file: str | None = None
    timeout: int = 60


def login_name(user: str) -> str:
    """``user@domain`` as the engine's SSO wants it (``@internal`` if none)."""
    return user if "@" in user else f"{user}@{DEFAULT_DOMAIN}"


def engine_url(provider: str | None) -> tuple[str, str | None]:
    """The API URL and the optional data center id of ``URL[;datacenter]``."""
    url, _, datacenter = (provider or "").partition(";")
    url = url.strip().rstrip("/")
    if not url.startswith(("https://", "http://")):
        raise ValidationFailure(
            "The rhevm provider is the engine's API URL, such as "
            "https://engine.example.com/ovirt-engine/api (optionally ;<datacenter id>)"
        )
    return url, datacenter.strip() or None


def _fingerprint(credentials: Credentials) -> str:
    material = f"{credentials.user}\0{credentials.password}".encode()
    return hmac.new(_PEPPER, material, hashlib.sha256).hexdigest()


def connection(credentials: Credentials, endpoint: Endpoint) -> Any:
    """An ``ovirtsdk4.Connection`` for ``credentials`` at ``endpoint``."""
    import ovirtsdk4

    key = (
        endpoint.url,
        str(endpoint.insecure),
        endpoint.ca_file or "",
        str(endpoint.timeout),
        _fingerprint(credentials),
    )
    with _lock:
        found = _connections.get(key)
        if found is not None:
            _connections.move_to_end(key)
            return found
    made = ovirtsdk4.Connection(
        url=endpoint.url,
        username=login_name(credentials.user),
        password=credentials.password,
        insecure=endpoint.insecure,
        ca_file=endpoint.ca_file,
        timeout=endpoint.timeout,
    )
    with _lock:
        _connections[key] = made
        while len(_connections) > MAX_CONNECTIONS:
            _connections.popitem(last=False)[1].close(logout=False)
    return made


def forget(credentials: Credentials, endpoint: Endpoint) -> None:
    """Drop every cached connection of this login at ``endpoint`` (after a
    time-out or a failure its curl handles may still be busy)."""
    fingerprint = _fingerprint(credentials)
    with _lock:
        for key in [
            k for k in _connections if (k[0], k[-1]) == (endpoint.url, fingerprint)
        ]:
            _connections.pop(key)
