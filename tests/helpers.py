"""Test helpers: safe XML parsing and assertions on error documents."""

from __future__ import annotations

from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
from werkzeug.test import TestResponse


def parse_xml(response: TestResponse) -> Element:
    """The response body parsed with defusedxml."""
    return SafeET.fromstring(response.get_data())


def assert_error(response: TestResponse, status: int, fmt: str = "xml") -> str:
    """Check an error document of the classic API; return its message."""
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_data(as_text=True)
    assert "Traceback" not in body and "mockpassword" not in body
    if fmt == "json":
        data = response.get_json()
        assert data["code"] == status
        return str(data["message"])
    root = parse_xml(response)
    assert root.tag == "error"
    assert root.get("status") == str(status)
    assert root.findtext("code") == str(status)
    return root.findtext("message") or ""
