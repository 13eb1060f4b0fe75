"""boto3 clients for one request, shared between requests with the same keys.

Creating a boto3 client costs milliseconds (it loads the service model), so
clients are kept in a small per-process LRU. The cache key is a keyed hash of
the credentials, never the secret itself, and nothing is written anywhere.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
from collections import OrderedDict
from typing import Any

from deltaflask.drivers import Credentials
from deltaflask.settings import PROVIDER_TIMEOUT

DEFAULT_REGION = "us-east-1"
MAX_CLIENTS = 64
_PEPPER = secrets.token_bytes(32)
_lock = threading.Lock()
_clients: OrderedDict[tuple[str, ...], Any] = OrderedDict()
_session: Any = None


def _botocore_session() -> Any:
    """One botocore session per process: it caches the parsed service models."""
    global _session
    if _session is None:
        import botocore.session

        _session = botocore.session.get_session()
    return _session


def _fingerprint(credentials: Credentials) -> str:
    material = f"{credentials.user}\0{credentials.password}".encode()
    return hmac.new(_PEPPER, material, hashlib.sha256).hexdigest()


def client(
    service: str,
    credentials: Credentials,
    region: str | None,
    endpoint_url: str | None = None,
    timeout: float = PROVIDER_TIMEOUT,
) -> Any:
    """A boto3 client for ``service`` in ``region`` with ``credentials``.

    ``endpoint_url`` overrides boto3's own endpoint resolution, which already
    honours ``AWS_ENDPOINT_URL`` and ``AWS_ENDPOINT_URL_<SERVICE>``;
    ``timeout`` bounds connecting and each read (seconds).
    """
    import boto3
    from botocore.config import Config

    region = region or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION
    key = (service, region, endpoint_url or "", timeout, _fingerprint(credentials))
    with _lock:
        found = _clients.get(key)
        if found is not None:
            _clients.move_to_end(key)
            return found
    session = boto3.session.Session(
        aws_access_key_id=credentials.user,
        aws_secret_access_key=credentials.password,
        region_name=region,
        botocore_session=_new_botocore_session(),
    )
    made = session.client(
        service,
        endpoint_url=endpoint_url or None,
        config=Config(
            retries={"max_attempts": 2, "mode": "standard"},
            connect_timeout=timeout,
            read_timeout=timeout,
        ),
    )
    with _lock:
        _clients[key] = made
        while len(_clients) > MAX_CLIENTS:
            _clients.popitem(last=False)
    return made


def _new_botocore_session() -> Any:
    """A botocore session sharing the process-wide loader (parsed models)."""
    import botocore.session

    session = botocore.session.Session()
    session.register_component(
        "data_loader", _botocore_session().get_component("data_loader")
    )
    return session
