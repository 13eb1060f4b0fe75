"""Test helpers: safe XML parsing, assertions on error documents, wire replays."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
from werkzeug.test import TestResponse

from deltaflask import create_app
from tests.support.transcripts import Exchange
from tests.support.transcripts import WireSession
from tests.support.transcripts import check_deviation
from tests.support.transcripts import compare
from tests.support.transcripts import failure_report


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


def mock_wire(storage: Path) -> WireSession:
    """An ordered replay against a fresh mock-driver app storing under *storage*."""
    app = create_app({"TESTING": True, "MOCK_STORAGE": str(storage)})
    return WireSession(app.test_client())


def assert_replays(
    wire: WireSession,
    exchange: Exchange,
    deviations: Mapping[int, tuple[int, str]],
    focus: Callable[[Any], Any] | None = None,
) -> None:
    """Replay *exchange*: it matches its recording, or its declared deviation."""
    response = wire.send(exchange)
    reason = ""
    if exchange.seq in deviations:
        status, reason = deviations[exchange.seq]
        diffs = check_deviation(exchange, response, status)
    else:
        diffs = compare(exchange, response, focus=focus)
    assert not diffs, failure_report(exchange, diffs, reason)
