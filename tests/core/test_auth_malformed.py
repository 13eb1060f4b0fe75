"""Malformed HTTP Basic credentials are challenged (401 in each frontend's own
error format), never a 500: non-ASCII or bad base64, no colon, not UTF-8 once
decoded, control characters."""

from __future__ import annotations

import base64

import pytest
from flask.testing import FlaskClient

from tests.support.helpers import assert_error


def _basic(raw: bytes) -> str:
    return "Basic " + base64.b64encode(raw).decode()


MALFORMED = {
    "latin-1 text": "Basic \u00e9\u00e9",
    "utf-8 bytes": "Basic " + "\u00e9\u00e9".encode().decode("latin-1"),
    "bad base64": "Basic !!!",
    "truncated base64": "Basic bW9ja3VzZXI6bW9ja3Bhc3N3b3J",
    "no colon": _basic(b"mockuser"),
    "empty user": _basic(b":mockpassword"),
    "not utf-8": _basic(b"\xff\xfe:mockpassword"),
    "control character": _basic(b"mock\x00user:mockpassword"),
    "empty": "Basic ",
}
ROUTES = [
    "/api/instances",
    "/api/images",
    "/api/storage_volumes",
    "/api/keys",
    "/cimi/machines",
    "/cimi/volumes",
    "/cimi/machine_images",
    "/cimi/credentials",
    "/cimi/systems",
]


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("header", sorted(MALFORMED))
@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_malformed_basic_credentials_are_challenged(
    cimi: FlaskClient, route: str, header: str, fmt: str
) -> None:
    response = cimi.get(
        route,
        headers={"Authorization": MALFORMED[header], "Accept": f"application/{fmt}"},
    )
    assert_error(response, 401, fmt)
    assert response.headers["WWW-Authenticate"].startswith("Basic realm=")


@pytest.mark.parametrize("route", ROUTES)
def test_well_formed_credentials_still_pass(
    cimi: FlaskClient, route: str, auth: dict[str, str]
) -> None:
    response = cimi.get(route, headers={**auth, "Accept": "application/json"})
    assert response.status_code == 200, response.get_data(as_text=True)
