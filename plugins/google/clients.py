"""Cloud Storage clients for one request, shared between requests with the same key.

The Basic user name is the Google Cloud project, the password a
service-account JSON key (the key file's text, or that text base64-encoded).
With the ``GOOGLE_ENDPOINT_URL`` setting (an emulator or a private endpoint)
a password that is no key sends requests anonymously. Clients are kept in a
small per-process LRU keyed by a keyed hash of the credentials, never the
secret itself; nothing is written anywhere.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import threading
from collections import OrderedDict
from typing import Any

from deltaflask.drivers import Credentials
from deltaflask.errors import AuthenticationFailure

MAX_CLIENTS = 64
_PEPPER = secrets.token_bytes(32)
_lock = threading.Lock()
_clients: OrderedDict[tuple[str, ...], Any] = OrderedDict()
NOT_A_KEY = (
    "The password must be a Google service-account JSON key (the key file's "
    "text, or that text base64-encoded); HMAC keys only work with Cloud "
    "Storage's S3-compatible XML API (see the README)"
)


def service_account_info(password: str) -> dict[str, Any] | None:
    """The service-account key a password holds (raw or base64 JSON), or ``None``."""
    text = password.strip()
    if not text.startswith("{"):
        try:
            text = base64.b64decode(text, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
    try:
        info = json.loads(text)
    except ValueError:
        return None
    if not isinstance(info, dict) or info.get("type") != "service_account":
        return None
    return info


def _fingerprint(credentials: Credentials) -> str:
    material = f"{credentials.user}\0{credentials.password}".encode()
    return hmac.new(_PEPPER, material, hashlib.sha256).hexdigest()


def client(credentials: Credentials, endpoint_url: str | None = None) -> Any:
    """A ``google.cloud.storage.Client`` for ``credentials`` (401 if unusable)."""
    key = (endpoint_url or "", _fingerprint(credentials))
    with _lock:
        found = _clients.get(key)
        if found is not None:
            _clients.move_to_end(key)
            return found
    made = _new_client(credentials, endpoint_url)
    with _lock:
        _clients[key] = made
        while len(_clients) > MAX_CLIENTS:
            _clients.popitem(last=False)
    return made


def _new_client(credentials: Credentials, endpoint_url: str | None) -> Any:
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage
    from google.oauth2 import service_account

    info = service_account_info(credentials.password)
    if info is None and not endpoint_url:
        raise AuthenticationFailure(NOT_A_KEY)
    if info is None:
        google_credentials: Any = AnonymousCredentials()
    else:
        try:
            google_credentials = service_account.Credentials.from_service_account_info(
                info, scopes=["https://www.googleapis.com/auth/devstorage.full_control"]
            )
        except (ValueError, KeyError):
            raise AuthenticationFailure(NOT_A_KEY) from None
    project = credentials.user or (info or {}).get("project_id")
    options = {"api_endpoint": endpoint_url} if endpoint_url else None
    return storage.Client(
        project=project, credentials=google_credentials, client_options=options
    )
