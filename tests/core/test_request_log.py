"""The access log and request ids (deltaflask.request_log): one line per
request in text or JSON, the id echoed in X-Request-Id (and as the EC2
requestId), nothing of the query string, credentials or cookies logged."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from deltaflask import create_app
from deltaflask.request_log import incoming_request_id
from deltaflask.request_log import public_provider
from deltaflask.request_log import text_line
from tests.support.auth import MOCK_AUTH
from tests.support.ec2_frontend import FORM
from tests.support.ec2_frontend import KEY
from tests.support.ec2_frontend import REGION
from tests.support.ec2_frontend import SECRET
from tests.support.ec2_frontend import send
from tests.support.ec2_frontend import serve


def _app(tmp_path: Path, **config):
    return create_app(
        {
            "TESTING": True,
            "DATA": str(tmp_path / "data"),
            "MOCK_STORAGE": str(tmp_path / "mock"),
            **config,
        }
    )


class Lines(logging.Handler):
    """Keeps the messages of the access log."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def access_log() -> Iterator[list[str]]:
    """The lines the access log writes during the test."""
    handler = Lines()
    logger = logging.getLogger("deltaflask.access")
    logger.addHandler(handler)
    try:
        yield handler.lines
    finally:
        logger.removeHandler(handler)


def test_every_answer_carries_a_request_id(tmp_path: Path) -> None:
    client = _app(tmp_path).test_client()
    first = client.get("/api").headers["X-Request-Id"]
    second = client.get("/api/nowhere").headers["X-Request-Id"]
    assert first != second and len(first) == 36
    given = client.get("/api", headers={"X-Request-Id": "trace-42.a:b"})
    assert given.headers["X-Request-Id"] == "trace-42.a:b"


@pytest.mark.parametrize("hostile", ["a b", "x" * 129, "id\r\nX-Evil: 1", "é", ""])
def test_a_hostile_request_id_is_replaced(hostile: str) -> None:
    assert incoming_request_id(hostile) != hostile
    assert len(incoming_request_id(hostile)) == 36


def test_one_json_line_per_request(tmp_path: Path, access_log: list[str]) -> None:
    client = _app(tmp_path, ACCESS_LOG="json").test_client()
    answer = client.get(
        "/api/instances?format=json&secret=s3cr3t",
        headers={
            "Authorization": MOCK_AUTH,
            "X-Request-Id": "req-1",
            "X-Deltacloud-Provider": "https://admin:hunter2@cloud.example/v3",
        },
    )
    assert answer.status_code == 200
    (line,) = access_log
    entry = json.loads(line)
    assert entry["request_id"] == "req-1"
    assert entry["method"] == "GET"
    assert entry["path"] == "/api/instances"
    assert entry["route"] == "/api/instances"
    assert entry["frontend"] == "deltacloud"
    assert entry["driver"] == "mock"
    assert entry["provider"] == "https://cloud.example/v3"
    assert entry["status"] == 200
    assert entry["ms"] >= 0
    for secret in ("s3cr3t", "hunter2", MOCK_AUTH, "mockpassword"):
        assert secret not in line


def test_text_lines_stay_one_line_whatever_the_path(
    tmp_path: Path, access_log: list[str]
) -> None:
    client = _app(tmp_path).test_client()
    client.get("/api/instances/a%20b%0a%22c%22")
    (line,) = access_log
    assert "\n" not in line
    assert 'path="/api/instances/a b\\n\\"c\\""' in line
    assert "status=401" in line


def test_its_own_handler_writes_each_line_to_standard_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With only the handler it installs (no record is built then), the log
    writes the same lines, one per request, to standard error."""
    client = _app(tmp_path, ACCESS_LOG="text").test_client()
    capsys.readouterr()
    first = client.get("/api", headers={"X-Request-Id": "own-1"})
    second = client.get("/api/nowhere a", headers={"X-Request-Id": "own-2"})
    lines = capsys.readouterr().err.splitlines()
    assert [first.status_code, second.status_code] == [200, 404]
    assert len(lines) == 2
    assert "request_id=own-1 method=GET path=/api route=/api " in lines[0]
    assert 'path="/api/nowhere a" route=unmatched' in lines[1]
    assert " status=404 ms=" in lines[1]


def test_no_access_log_when_off(tmp_path: Path, access_log: list[str]) -> None:
    client = _app(tmp_path, ACCESS_LOG="off").test_client()
    assert client.get("/api").status_code == 200
    assert access_log == []


def test_an_unknown_log_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="DELTAFLASK_ACCESS_LOG"):
        _app(tmp_path, ACCESS_LOG="xml")


def test_the_ec2_request_id_is_the_request_id(tmp_path: Path) -> None:
    with serve(tmp_path / "mock", DATA=str(tmp_path / "data")) as url:
        request = AWSRequest(
            method="POST",
            url=url,
            data=urlencode({"Action": "DescribeRegions", "Version": "2016-11-15"}),
            headers={"Content-Type": FORM, "X-Request-Id": "ec2-trace-7"},
        )
        SigV4Auth(Credentials(KEY, SECRET), "ec2", REGION).add_auth(request)
        answer = send(request)
        assert answer.status_code == 200
        assert b"<requestId>ec2-trace-7</requestId>" in answer.content
        assert answer.headers["X-Request-Id"] == "ec2-trace-7"
    client = _app(tmp_path, FRONTENDS=["ec2"]).test_client()
    failed = client.get("/ec2/?Action=Nonsense", headers={"X-Request-Id": "e-8"})
    assert "<RequestID>e-8</RequestID>" in failed.get_data(as_text=True)


def test_providers_lose_their_user_and_password() -> None:
    assert public_provider("http://u:p@host:5000/v3") == "http://host:5000/v3"
    assert public_provider("us-east-1") == "us-east-1"
    assert public_provider("http://host/v3;RegionOne") == "http://host/v3;RegionOne"
    assert public_provider(None) is None


def test_text_values_are_quoted_when_needed() -> None:
    assert text_line({"a": "x", "b": None, "c": "x y", "d": ""}) == (
        'a=x b=- c="x y" d=""'
    )
