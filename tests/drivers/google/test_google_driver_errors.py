"""How the google driver answers when Cloud Storage (or the way to it) fails:
404 for unknown buckets and blobs, 409 for conflicts, 400 for bad names, 401
for unusable keys, 403 for refusals, 503 with Retry-After when throttled, 502
for other or unreadable answers, 504 on a time-out; never a 500, never a
traceback, never the key in an answer.

Real answers come from gcp-storage-emulator, from a tiny HTTP server that
answers every request alike (parsed by the real SDK), from a socket that never
answers, and from a port nobody listens on.
"""

from __future__ import annotations

import base64
import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask.testing import FlaskClient

from deltaflask.errors import AuthenticationFailure
from deltaflask.errors import Conflict
from deltaflask.errors import Forbidden
from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ProviderError
from deltaflask.errors import ProviderTimeout
from deltaflask.errors import ProviderUnavailable
from deltaflask.errors import ValidationFailure
from deltaflask.plugins.google.errors import translate
from tests.support.ec2_driver import fake_aws
from tests.support.gcs_emulator import GOOGLE_AUTH
from tests.support.gcs_emulator import PROJECT
from tests.support.gcs_emulator import GcsEmulator
from tests.support.gcs_emulator import google_client
from tests.support.gcs_emulator import sdk_client
from tests.support.moto_server import free_port

pytestmark = pytest.mark.xdist_group("gcs")


def check_error(response: Any, status: int) -> str:
    """An /api JSON error with ``status`` and no traceback; its message."""
    body = response.get_data(as_text=True)
    assert response.status_code == status, body
    assert "Traceback" not in body and 'File "' not in body
    data = response.get_json()
    assert data["code"] == status
    return str(data["message"])


def basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}", "Accept": "application/json"}


def google_error(status: int, message: str) -> str:
    """A Cloud Storage JSON API error document."""
    return json.dumps({"error": {"code": status, "message": message, "errors": []}})


@pytest.fixture
def api(gcs: GcsEmulator) -> FlaskClient:
    """The /api of a google driver on the emulator, with bucket ``known-bucket``."""
    sdk_client(gcs).create_bucket("known-bucket")
    return google_client(gcs.endpoint)


# the emulator's own answers ----------------------------------------------------
@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/buckets/no-such-bucket"),
        ("delete", "/api/buckets/no-such-bucket"),
        ("get", "/api/buckets/known-bucket/no-such-blob"),
        ("head", "/api/buckets/known-bucket/no-such-blob"),
        ("get", "/api/buckets/known-bucket/no-such-blob/content"),
        ("post", "/api/buckets/known-bucket/no-such-blob"),
        ("delete", "/api/buckets/known-bucket/no-such-blob"),
        ("get", "/api/buckets/no-such-bucket/blob"),
        ("put", "/api/buckets/no-such-bucket/blob"),
    ],
)
def test_unknown_buckets_and_blobs_are_404(
    api: FlaskClient, method: str, url: str
) -> None:
    response = getattr(api, method)(url, headers=GOOGLE_AUTH)
    if method == "head":
        assert (response.status_code, response.get_data()) == (404, b"")
    else:
        check_error(response, 404)


def test_a_taken_bucket_name_is_409(api: FlaskClient) -> None:
    again = api.post("/api/buckets", data={"name": "known-bucket"}, headers=GOOGLE_AUTH)
    check_error(again, 409)


@pytest.mark.parametrize(
    "name", ["ab", "Upper-Case", "goog-bucket", "-dash-first", "a" * 64, "1.2.3.4"]
)
def test_bucket_names_cloud_storage_refuses_are_400(
    api: FlaskClient, gcs: GcsEmulator, name: str
) -> None:
    made = api.post("/api/buckets", data={"name": name}, headers=GOOGLE_AUTH)
    message = check_error(made, 400)
    assert "bucket name" in message.lower()
    assert [bucket.name for bucket in sdk_client(gcs).list_buckets()] == [
        "known-bucket"
    ]


def test_collections_other_than_buckets_are_412(api: FlaskClient) -> None:
    for collection in ("instances", "images", "storage_volumes", "keys"):
        check_error(api.get(f"/api/{collection}", headers=GOOGLE_AUTH), 412)


# credentials -------------------------------------------------------------------
def test_without_an_emulator_a_password_that_is_no_key_is_401() -> None:
    api = google_client("")
    response = api.get("/api/buckets", headers=basic(PROJECT, "GOOGSECRETHMAC"))
    assert "service-account JSON key" in check_error(response, 401)
    assert "GOOGSECRETHMAC" not in response.get_data(as_text=True)


def service_account_key(token_uri: str) -> str:
    """A service-account key file's text with a fresh RSA key."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return json.dumps(
        {
            "type": "service_account",
            "project_id": PROJECT,
            "private_key_id": "0123456789abcdef",
            "private_key": pem,
            "client_email": f"tester@{PROJECT}.iam.gserviceaccount.com",
            "client_id": "1234567890",
            "token_uri": token_uri,
        }
    )


@pytest.mark.parametrize("encoded", [False, True])
def test_a_service_account_key_google_refuses_is_401(encoded: bool) -> None:
    refused = json.dumps({"error": "invalid_grant", "error_description": "Bad key"})
    with fake_aws(400, refused, "application/json") as oauth:
        key = service_account_key(f"http://127.0.0.1:{oauth.server_port}/token")
        password = base64.b64encode(key.encode()).decode() if encoded else key
        api = google_client(f"http://127.0.0.1:{free_port()}")
        response = api.get("/api/buckets", headers=basic(PROJECT, password))
        assert oauth.requests >= 1  # the key was used: a token was asked for
    message = check_error(response, 401)
    assert "rejected the credentials" in message
    assert "PRIVATE KEY" not in response.get_data(as_text=True)


def test_a_key_that_cannot_sign_is_401() -> None:
    broken = json.dumps(
        {
            "type": "service_account",
            "client_email": "x@y",
            "private_key": "not a key",
            "token_uri": "http://127.0.0.1:1/",
        }
    )
    api = google_client("")
    check_error(api.get("/api/buckets", headers=basic(PROJECT, broken)), 401)


# other answers -----------------------------------------------------------------
def answer_from(status: int, body: str, path: str = "/api/buckets", **kw: Any) -> Any:
    """The /api answer to ``GET path`` of a google driver whose endpoint
    answers every request with ``status`` and ``body``."""
    with fake_aws(status, body, kw.pop("content_type", "application/json")) as fake:
        api = google_client(f"http://127.0.0.1:{fake.server_port}")
        response = api.get(path, headers=GOOGLE_AUTH)
        assert fake.requests >= 1
    return response


@pytest.mark.parametrize("status", [429, 503])
def test_throttling_is_503_with_retry_after(status: int) -> None:
    response = answer_from(status, google_error(status, "Slow down please"))
    assert "Slow down please" in check_error(response, 503)
    assert int(response.headers["Retry-After"]) >= 1


def test_a_refusal_is_403() -> None:
    response = answer_from(403, google_error(403, "no storage.buckets.list"))
    assert "no storage.buckets.list" in check_error(response, 403)


def test_a_rejected_token_is_401() -> None:
    # the SDK's session tries to refresh the token, which fails: a 401 still
    response = answer_from(401, google_error(401, "Invalid Credentials"))
    assert "rejected the credentials" in check_error(response, 401)


def test_a_server_error_is_502() -> None:
    response = answer_from(500, google_error(500, "Backend Error"))
    assert "Backend Error" in check_error(response, 502)


@pytest.mark.parametrize(
    "path", ["/api/buckets", "/api/buckets/known", "/api/buckets/known/blob"]
)
def test_an_unreadable_answer_is_502(path: str) -> None:
    response = answer_from(200, "<html>not json</html>", path, content_type="text/html")
    assert "unreadable answer" in check_error(response, 502)


@pytest.fixture
def silent_endpoint() -> Iterator[str]:
    """A loopback port that accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


@pytest.mark.parametrize("setting", ["GOOGLE_TIMEOUT", "PROVIDER_TIMEOUT"])
def test_an_endpoint_that_never_answers_is_504(
    silent_endpoint: str, setting: str
) -> None:
    api = google_client(silent_endpoint, **{setting: 1})
    assert "did not answer" in check_error(
        api.get("/api/buckets", headers=GOOGLE_AUTH), 504
    )


def test_an_endpoint_nobody_listens_on_is_502() -> None:
    api = google_client(f"http://127.0.0.1:{free_port()}")
    message = check_error(api.get("/api/buckets", headers=GOOGLE_AUTH), 502)
    assert "Cannot reach Google Cloud Storage" in message


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, ValidationFailure),
        (412, ValidationFailure),
        (401, AuthenticationFailure),
        (403, Forbidden),
        (404, ObjectNotFound),
        (409, Conflict),
        (429, ProviderUnavailable),
        (503, ProviderUnavailable),
        (504, ProviderTimeout),
        (500, ProviderError),
        (None, ProviderError),
    ],
)
def test_statuses_map_to_typed_errors(status: int | None, error: type) -> None:
    assert type(translate(status, "message")) is error
