"""Constants and helpers shared by the CIMI tests."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

NS = "{http://schemas.dmtf.org/cimi/1}"
BASE = "http://localhost/cimi"


def post_xml(client: FlaskClient, path: str, body: str, headers: dict[str, str]) -> Any:
    """POST an XML body."""
    return client.post(path, data=body, headers=headers, content_type="application/xml")


def post_json(
    client: FlaskClient, path: str, body: dict[str, Any], headers: dict[str, str]
) -> Any:
    """POST a JSON body."""
    return client.post(path, json=body, headers=headers)
