"""The azure driver's errors: each SDK failure becomes the contract's typed
error with its status (never a 500), over real HTTP: Azurite for what it
answers itself, a faulty server for throttling, broken answers and time-outs."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from deltaflask import create_app
from deltaflask.plugins.azure.errors import without_signatures
from deltaflask.testing.api import error_message
from tests.support.auth import basic as basic_auth
from tests.support.azurite import ACCOUNT
from tests.support.azurite import KEY
from tests.support.azurite import Azurite
from tests.support.faulty_http import Fault
from tests.support.faulty_http import faulty_server
from tests.support.moto_server import free_port

pytestmark = pytest.mark.xdist_group("azurite")


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": basic_auth(user, password), "Accept": "application/json"}


AUTH = basic(ACCOUNT, KEY)


def azure_app(endpoint: str, **settings: object) -> Flask:
    return create_app(
        {"TESTING": True, "DRIVER": "azure", "PROVIDER": endpoint, **settings}
    )


def test_unknown_things_are_404(
    azure_client: FlaskClient, azurite_blob: Azurite
) -> None:
    azurite_blob.service().create_container("present")
    for method, url in (
        ("get", "/api/buckets/missing"),
        ("delete", "/api/buckets/missing"),
        ("get", "/api/buckets/present/nothing"),
        ("head", "/api/buckets/present/nothing"),
        ("get", "/api/buckets/present/nothing/content"),
        ("delete", "/api/buckets/present/nothing"),
        ("post", "/api/buckets/present/nothing"),
        ("put", "/api/buckets/missing/blob"),
    ):
        response = getattr(azure_client, method)(url, headers=AUTH)
        assert response.status_code == 404, (method, url, response.status_code)
        if method != "head":
            error_message(response, 404)


def test_bad_names_are_400_and_a_taken_name_409(azure_client: FlaskClient) -> None:
    for name in ("Upper_Case", "ab", "a" * 64, "double--hyphen"):
        created = azure_client.post("/api/buckets", data={"name": name}, headers=AUTH)
        error_message(created, 400)
    assert (
        azure_client.post(
            "/api/buckets", data={"name": "taken"}, headers=AUTH
        ).status_code
        == 201
    )
    again = azure_client.post("/api/buckets", data={"name": "taken"}, headers=AUTH)
    assert "ContainerAlreadyExists" in error_message(again, 409)


def test_non_empty_bucket_is_refused_and_kept(
    azure_client: FlaskClient, azurite_blob: Azurite
) -> None:
    container = azurite_blob.service().create_container("full")
    container.get_blob_client("page").create_page_blob(512)
    refused = azure_client.delete("/api/buckets/full", headers=AUTH)
    assert "not empty" in error_message(refused, 409)
    assert [b.name for b in container.list_blobs()] == ["page"]


def test_wrong_or_missing_credentials(azure_client: FlaskClient) -> None:
    wrong_key = base64.b64encode(b"k" * 64).decode()
    for headers in (
        basic(ACCOUNT, wrong_key),
        basic(ACCOUNT, "not a key!"),
        basic(ACCOUNT, "sv=2021-01-01&sig=forged"),
        basic("x", "AccountName=devstoreaccount1;BlobEndpoint=http://x"),
    ):
        error_message(azure_client.get("/api/buckets", headers=headers), 401)
    anonymous = azure_client.get("/api/buckets", headers={"Accept": "application/json"})
    assert anonymous.status_code == 401


def test_a_sas_token_or_connection_string_authenticates(
    azure_client: FlaskClient, azurite_blob: Azurite
) -> None:
    from datetime import UTC
    from datetime import datetime
    from datetime import timedelta

    from azure.storage.blob import AccountSasPermissions
    from azure.storage.blob import ResourceTypes
    from azure.storage.blob import generate_account_sas

    azurite_blob.service().create_container("shared")
    read_only = generate_account_sas(
        ACCOUNT,
        KEY,
        ResourceTypes(service=True, container=True, object=True),
        AccountSasPermissions(read=True, list=True),
        expiry=datetime.now(UTC) + timedelta(hours=1),
    )
    for headers in (
        basic(ACCOUNT, read_only),
        basic(ACCOUNT, "?" + read_only),
        basic("connection-string", azurite_blob.connection_string),
    ):
        listed = azure_client.get("/api/buckets", headers=headers)
        assert listed.status_code == 200, listed.get_data(as_text=True)
        assert [b["id"] for b in listed.get_json()["buckets"]] == ["shared"]
    # a SAS without the permission: Azure's 403 stays a 403
    refused = azure_client.post(
        "/api/buckets", data={"name": "more"}, headers=basic(ACCOUNT, read_only)
    )
    error_message(refused, 403)


def test_only_allowed_endpoints_are_reached(azure_client: FlaskClient) -> None:
    for provider in ("http://169.254.169.254/latest", "ftp://example.org", "nothing"):
        headers = {**AUTH, "X-Deltacloud-Provider": provider}
        for url in ("/api/buckets", "/api/buckets/docs", "/api/buckets/docs/blob"):
            refused = azure_client.get(url, headers=headers)
            assert "provider" in error_message(refused, 400).lower()


@pytest.fixture
def faulty() -> Iterator[tuple[FlaskClient, Fault]]:
    with faulty_server() as (endpoint, fault):
        app = azure_app(endpoint, AZURE_RETRIES=0, AZURE_READ_TIMEOUT=1)
        yield app.test_client(), fault


def test_throttling_is_503_with_retry_after(
    faulty: tuple[FlaskClient, Fault],
) -> None:
    azure_client, fault = faulty
    fault.status, fault.headers = (
        503,
        {"Retry-After": "7", "x-ms-error-code": "ServerBusy"},
    )
    response = azure_client.get("/api/buckets", headers=AUTH)
    error_message(response, 503)
    assert response.headers["Retry-After"] == "7"


def test_broken_answers_are_502(faulty: tuple[FlaskClient, Fault]) -> None:
    azure_client, fault = faulty
    for status, body in ((200, b"<not xml"), (500, b"<html>boom</html>"), (302, b"")):
        fault.status, fault.body = status, body
        for url in ("/api/buckets", "/api/buckets/any"):
            response = azure_client.get(url, headers=AUTH)
            assert response.status_code == 502, (status, url, response.status_code)
            error_message(response, 502)


def test_time_outs_are_504_and_no_answer_502(faulty: tuple[FlaskClient, Fault]) -> None:
    azure_client, fault = faulty
    fault.status, fault.delay = 200, 3.0
    error_message(azure_client.get("/api/buckets", headers=AUTH), 504)
    with faulty_server() as (endpoint, slow):
        slow.status, slow.delay = 200, 3.0
        server_wide = azure_app(endpoint, AZURE_RETRIES=0, PROVIDER_TIMEOUT=1)
        response = server_wide.test_client().get("/api/buckets", headers=AUTH)
        error_message(response, 504)
    closed = f"http://127.0.0.1:{free_port()}/devstoreaccount1"
    nobody = azure_app(closed, AZURE_RETRIES=0).test_client()
    assert "reach" in error_message(nobody.get("/api/buckets", headers=AUTH), 502)
    # the URL the SDK names in its message carries the SAS: never echoed
    sas = basic(ACCOUNT, "sv=2021-01-01&ss=b&sig=SECRETSIGNATURE%2Bxyz")
    message = error_message(nobody.get("/api/buckets", headers=sas), 502)
    assert "SECRETSIGNATURE" not in message


def test_sas_signatures_are_hidden_in_messages() -> None:
    urllib3 = (
        "HTTPConnectionPool(host='x', port=1): Max retries exceeded with url: "
        "/devstoreaccount1?comp=list&sv=2021-01-01&sig=ab%2Bcd%3D&se=2030"
    )
    hidden = without_signatures(urllib3)
    assert "ab%2Bcd" not in hidden
    assert hidden.endswith("&sig=<hidden>&se=2030")
    assert without_signatures("SIG=xyz; sig=") == "SIG=<hidden>; sig=<hidden>"
