"""Blob service clients for one request, shared between requests with the same keys.

The user of HTTP Basic is the storage account's name and the password one of:

* the account key (base64): requests are signed with it (Shared Key);
* a SAS token (``sv=...&sig=...``, with or without the leading ``?``);
* a connection string (``AccountName=...;AccountKey=...`` or
  ``...;SharedAccessSignature=...``, optionally with ``BlobEndpoint=``); the
  user is then ignored.

The endpoint is the connection string's ``BlobEndpoint``, else the provider,
else the public cloud's ``https://<account>.blob.core.windows.net``. Requests
carry the account's signature or SAS, so the server only sends them where its
operator allows: to the provider it was started with (``-P`` /
``API_PROVIDER``) or to an ``https`` endpoint of Azure's public clouds.
Clients are kept in a small per-process LRU keyed by a keyed hash of the
credentials, never by the secret itself.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from deltaflask.drivers import Credentials
from deltaflask.errors import AuthenticationFailure
from deltaflask.errors import ValidationFailure
from deltaflask.settings import seconds
from deltaflask.settings import setting

PUBLIC_SUFFIX = "blob.core.windows.net"
#: host name endings of Azure's public, US Government and China clouds
PUBLIC_HOSTS = (
    ".blob.core.windows.net",
    ".blob.core.usgovcloudapi.net",
    ".blob.core.chinacloudapi.cn",
)
MAX_CLIENTS = 64
#: bounded transfers: blocks staged of at most 8 MiB, ranges read of 4 MiB
#: (the SDK briefly holds a range twice, the WSGI server the one before)
TRANSFER_CHUNK = 8 * 1024 * 1024
READ_CHUNK = 4 * 1024 * 1024
#: retries of a failed call (setting AZURE_RETRIES); the time-outs to connect
#: and to wait for data are AZURE_CONNECT_TIMEOUT and AZURE_READ_TIMEOUT, else
#: the server's DELTAFLASK_PROVIDER_TIMEOUT
RETRIES = 2
_PEPPER = secrets.token_bytes(32)
_lock = threading.Lock()
_clients: OrderedDict[tuple[Any, ...], Any] = OrderedDict()


@dataclass(frozen=True)
class Account:
    """Where the blob service is and how requests to it are authorised."""

    endpoint: str
    credential: Any


def _fingerprint(credentials: Credentials) -> str:
    material = f"{credentials.user}\0{credentials.password}".encode()
    return hmac.new(_PEPPER, material, hashlib.sha256).hexdigest()


def _connection_string(text: str) -> dict[str, str]:
    parts = {}
    for item in text.strip().strip(";").split(";"):
        key, sep, value = item.strip().partition("=")
        if not sep or not key:
            raise AuthenticationFailure("The connection string is malformed")
        parts[key.strip().lower()] = value.strip()
    return parts


def is_connection_string(password: str) -> bool:
    """Whether the password is a connection string (rather than a key or SAS)."""
    lowered = password.lower()
    return ";" in password or lowered.startswith(
        ("accountname=", "blobendpoint=", "defaultendpointsprotocol=")
    )


def account(credentials: Credentials, provider: str | None) -> Account:
    """The endpoint and SDK credential the request's credentials describe."""
    name, secret = credentials.user.strip(), credentials.password.strip()
    endpoint = provider
    if is_connection_string(secret):
        parts = _connection_string(secret)
        name = parts.get("accountname", "")
        if parts.get("blobendpoint"):
            endpoint = parts["blobendpoint"]
        elif parts.get("endpointsuffix") and name:
            scheme = parts.get("defaultendpointsprotocol", "https")
            endpoint = f"{scheme}://{name}.blob.{parts['endpointsuffix']}"
        if parts.get("sharedaccesssignature"):
            secret = parts["sharedaccesssignature"]
        elif parts.get("accountkey"):
            secret = parts["accountkey"]
        else:
            raise AuthenticationFailure(
                "The connection string holds neither AccountKey nor "
                "SharedAccessSignature"
            )
    if not endpoint:
        if not name.isalnum():
            raise AuthenticationFailure(
                "The user must be the storage account's name (letters and digits)"
            )
        endpoint = f"https://{name.lower()}.{PUBLIC_SUFFIX}"
    if "sig=" in secret:
        return Account(endpoint, secret.lstrip("?"))
    try:
        base64.b64decode(secret, validate=True)
    except (binascii.Error, ValueError):
        raise AuthenticationFailure(
            "The password must be the account key (base64), a SAS token or a "
            "connection string"
        ) from None
    if not name:
        raise AuthenticationFailure("An account key needs the account's name as user")
    return Account(endpoint, {"account_name": name, "account_key": secret})


def allowed_endpoint(endpoint: str, settings: Mapping[str, Any]) -> str:
    """``endpoint`` without a trailing slash if the server may send requests
    there (400 otherwise, naming what is allowed)."""
    url = endpoint.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationFailure(
            "The provider must be the blob endpoint URL, such as "
            "https://ACCOUNT.blob.core.windows.net"
        )
    configured = str(settings.get("PROVIDER") or "").strip().rstrip("/")
    public = parts.scheme == "https" and parts.hostname.endswith(PUBLIC_HOSTS)
    if url != configured and not public:
        raise ValidationFailure(
            "This server sends requests only to Azure's public blob endpoints "
            "(https://ACCOUNT.blob.core.windows.net) or to the provider it was "
            "started with (-P)"
        )
    return url


def service_client(
    credentials: Credentials, provider: str | None, settings: Mapping[str, Any]
) -> Any:
    """A ``BlobServiceClient`` for the request's account, endpoint and settings."""
    found = account(credentials, provider)
    endpoint = allowed_endpoint(found.endpoint, settings)
    options = {
        "connection_timeout": seconds(settings, "AZURE_CONNECT_TIMEOUT"),
        "read_timeout": seconds(settings, "AZURE_READ_TIMEOUT"),
        "retry_total": int(setting(settings, "AZURE_RETRIES", RETRIES)),
    }
    key = (endpoint, _fingerprint(credentials), *sorted(options.items()))
    with _lock:
        cached = _clients.get(key)
        if cached is not None:
            _clients.move_to_end(key)
            return cached
    from azure.storage.blob import BlobServiceClient

    made = BlobServiceClient(
        endpoint,
        credential=found.credential,
        max_single_put_size=TRANSFER_CHUNK,
        max_block_size=TRANSFER_CHUNK,
        max_single_get_size=READ_CHUNK,
        max_chunk_get_size=READ_CHUNK,
        **options,
    )
    with _lock:
        _clients[key] = made
        while len(_clients) > MAX_CLIENTS:
            _clients.popitem(last=False)
    return made
