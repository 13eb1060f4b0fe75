"""Who the request is and where its cloud is: credentials, provider and a
per-process cache of authenticated openstacksdk connections.

A connection holds its Keystone token (with the expiry) and the service
catalogue, so requests with the same credentials and provider reuse both and
pay no extra round trip; keystoneauth renews the token before it expires. The
cache key is a keyed hash of the credentials, never the password itself, and
nothing here logs or stores a secret.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit
from urllib.parse import urlunsplit

from deltaflask.drivers import Credentials
from deltaflask.errors import AuthenticationFailure
from deltaflask.errors import ValidationFailure
from deltaflask.plugins.openstack.errors import openstack_errors

DEFAULT_DOMAIN = "Default"
PROJECT_DELIMITER = "+"
DOMAIN_DELIMITER = "/"
REGION_DELIMITER = ";"
MAX_CONNECTIONS = 64
_PEPPER = secrets.token_bytes(32)
_lock = threading.Lock()
_connections: OrderedDict[tuple[str, str, float, str], Any] = OrderedDict()


@dataclass(frozen=True, slots=True)
class Identity:
    """A Keystone user scoped to a project, each in its domain."""

    user: str
    project: str
    password: str
    user_domain: str = DEFAULT_DOMAIN
    project_domain: str = DEFAULT_DOMAIN

    def __repr__(self) -> str:  # never leak the password into logs
        return (
            f"Identity(user={self.user!r}, project={self.project!r}, "
            f"user_domain={self.user_domain!r}, "
            f"project_domain={self.project_domain!r}, password=<hidden>)"
        )


@dataclass(frozen=True, slots=True)
class Provider:
    """A Keystone v3 identity URL and the region to use (``None``: any)."""

    auth_url: str
    region: str | None = None
    mapped_from_v2: bool = False


def parse_credentials(credentials: Credentials) -> Identity:
    """``user+project`` or ``userdomain/user+projectdomain/project`` with the
    password; anything else is a 401 explaining the form."""
    user_part, plus, project_part = credentials.user.rpartition(PROJECT_DELIMITER)
    if not plus or not user_part or not project_part:
        raise AuthenticationFailure(
            "OpenStack credentials are 'user+project' (or "
            "'userdomain/user+projectdomain/project') and the password"
        )
    user_domain, user = _split_domain(user_part)
    project_domain, project = _split_domain(project_part)
    return Identity(user, project, credentials.password, user_domain, project_domain)


def _split_domain(text: str) -> tuple[str, str]:
    domain, slash, name = text.partition(DOMAIN_DELIMITER)
    if not slash:
        return DEFAULT_DOMAIN, text
    if not domain or not name:
        raise AuthenticationFailure(
            f"'{text}' must be 'domain{DOMAIN_DELIMITER}name' with both parts"
        )
    return domain, name


def parse_provider(provider: str | None) -> Provider:
    """``URL`` or ``URL;region``; a Keystone ``/v2.0`` URL becomes ``/v3``."""
    text = (provider or "").strip()
    url, _, region = text.partition(REGION_DELIMITER)
    url, region = url.strip(), region.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValidationFailure(
            "The openstack provider must be the identity URL, optionally "
            "followed by ';region' (e.g. https://keystone.example.com/v3;RegionOne)"
        )
    path = parts.path.rstrip("/")
    mapped = path.endswith("/v2.0")
    if mapped:
        path = path[: -len("/v2.0")] + "/v3"
    elif not path.endswith("/v3"):
        path = f"{path}/v3"
    auth_url = urlunsplit((parts.scheme, parts.netloc, path, "", ""))
    return Provider(auth_url, region or None, mapped)


def _fingerprint(identity: Identity) -> str:
    material = "\0".join(
        (
            identity.user_domain,
            identity.user,
            identity.project_domain,
            identity.project,
            identity.password,
        )
    ).encode()
    return hmac.new(_PEPPER, material, hashlib.sha256).hexdigest()


def connection(credentials: Credentials, provider: str | None, timeout: float) -> Any:
    """An authenticated ``openstack.connection.Connection`` for the request,
    shared with earlier requests of the same user, project and provider.

    A new connection authenticates at once, so wrong credentials are a 401
    here and never enter the cache.
    """
    identity = parse_credentials(credentials)
    where = parse_provider(provider)
    key = (where.auth_url, where.region or "", timeout, _fingerprint(identity))
    with _lock:
        found = _connections.get(key)
        if found is not None:
            _connections.move_to_end(key)
            return found
    made = _connect(identity, where, timeout)
    with _lock:
        _connections[key] = made
        while len(_connections) > MAX_CONNECTIONS:
            _connections.popitem(last=False)
    return made


def _connect(identity: Identity, where: Provider, timeout: float) -> Any:
    """A connection on its own keystoneauth session: no ``clouds.yaml`` or
    ``OS_*`` environment of the server process leaks into it."""
    import openstack.connection
    from keystoneauth1 import session
    from keystoneauth1.identity import v3

    auth = v3.Password(
        auth_url=where.auth_url,
        username=identity.user,
        password=identity.password,
        project_name=identity.project,
        user_domain_name=identity.user_domain,
        project_domain_name=identity.project_domain,
    )
    keystone = session.Session(auth=auth, timeout=timeout)
    with openstack_errors(where):
        keystone.get_token()  # keystoneauth's own errors, typed
        return openstack.connection.Connection(
            session=keystone, region_name=where.region, interface="public"
        )
