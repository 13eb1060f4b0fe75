"""Prometheus metrics at /metrics (deltaflask.metrics): requests by frontend,
route and status with latency, provider calls by outcome, blob bytes; open to
scrapers without credentials, restricted by METRICS_ALLOW, off with METRICS;
under gunicorn, the counts of every worker process added up."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from deltaflask import create_app
from tests.support.auth import MOCK_AUTH
from tests.support.gunicorn_server import PRODUCTION
from tests.support.gunicorn_server import gunicorn

AUTH = {"Authorization": MOCK_AUTH}


def _app(tmp_path: Path, **config):
    return create_app(
        {
            "TESTING": True,
            "DATA": str(tmp_path / "data"),
            "MOCK_STORAGE": str(tmp_path / "mock"),
            "FRONTENDS": ["deltacloud", "cimi"],
            **config,
        }
    )


def sample(text: str, name: str, **labels: str) -> float:
    """The value of metric ``name`` with exactly ``labels`` in ``text``."""
    for line in text.splitlines():
        match = re.fullmatch(r"(\w+)(?:\{(.*)\})? (\S+)", line)
        if not match or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(2) or ""))
        if found == labels:
            return float(match.group(3))
    raise AssertionError(f"no {name}{labels} in the metrics")


def test_requests_and_provider_calls_are_counted(tmp_path: Path) -> None:
    client = _app(tmp_path).test_client()
    for _ in range(3):
        assert client.get("/api/instances", headers=AUTH).status_code == 200
    assert client.get("/api/instances/nope", headers=AUTH).status_code == 404
    assert client.get("/cimi/cloudEntryPoint").status_code == 200
    answer = client.get("/metrics")
    assert answer.status_code == 200
    assert answer.mimetype == "text/plain"
    text = answer.get_data(as_text=True)
    route = {"frontend": "deltacloud", "route": "/api/instances", "method": "GET"}
    assert sample(text, "deltaflask_requests_total", **route, status="200") == 3
    one = {**route, "route": "/api/instances/<instance_id>"}
    assert sample(text, "deltaflask_requests_total", **one, status="404") == 1
    cimi = {"frontend": "cimi", "route": "/cimi/cloudEntryPoint", "method": "GET"}
    assert sample(text, "deltaflask_requests_total", **cimi, status="200") == 1
    latency = {"frontend": "deltacloud", "route": "/api/instances"}
    assert sample(text, "deltaflask_request_duration_seconds_count", **latency) == 3
    calls = {"driver": "mock", "operation": "instances", "outcome": "ok"}
    assert sample(text, "deltaflask_provider_calls_total", **calls) == 3
    # the provider answered "no such instance": a successful call
    missing = {"driver": "mock", "operation": "instance", "outcome": "ok"}
    assert sample(text, "deltaflask_provider_calls_total", **missing) == 1


def test_blob_bytes_in_and_out(tmp_path: Path) -> None:
    client = _app(tmp_path).test_client()
    body = b"x" * 100_000
    made = client.post("/api/buckets", data={"name": "metered"}, headers=AUTH)
    assert made.status_code == 201, made.get_data(as_text=True)
    stored = client.put("/api/buckets/metered/b1", data=body, headers=AUTH)
    assert stored.status_code == 200, stored.get_data(as_text=True)
    fetched = client.get("/api/buckets/metered/b1/content", headers=AUTH)
    assert fetched.get_data() == body
    text = client.get("/metrics").get_data(as_text=True)
    assert sample(text, "deltaflask_blob_bytes_total", direction="in") == len(body)
    assert sample(text, "deltaflask_blob_bytes_total", direction="out") == len(body)


def test_metrics_need_no_credentials_even_with_server_wide_ones(tmp_path: Path) -> None:
    client = _app(tmp_path, API_USER="admin", API_PASSWORD="pw").test_client()
    assert client.get("/metrics").status_code == 200


def test_metrics_can_be_restricted_to_networks(tmp_path: Path) -> None:
    closed = _app(tmp_path, METRICS_ALLOW="10.0.0.0/8, 192.168.0.0/16").test_client()
    assert closed.get("/metrics").status_code == 403
    allowed = _app(tmp_path, METRICS_ALLOW="10.0.0.0/8,127.0.0.1").test_client()
    assert allowed.get("/metrics").status_code == 200
    with pytest.raises(ValueError, match="'nonsense' is no network"):
        _app(tmp_path, METRICS_ALLOW="nonsense")


def test_metrics_can_be_turned_off(tmp_path: Path) -> None:
    client = _app(tmp_path, METRICS="off").test_client()
    assert client.get("/metrics").status_code == 404
    assert client.get("/api/instances", headers=AUTH).status_code == 200


def test_gunicorn_workers_add_up(tmp_path: Path) -> None:
    env = {
        "DELTAFLASK_DATA": str(tmp_path / "data"),
        "DELTAFLASK_ACCESS_LOG": "off",
        "TMPDIR": str(tmp_path),
    }
    count = 40
    with gunicorn(tmp_path, env, *PRODUCTION, workers=2) as server:
        folders = list(tmp_path.glob("deltaflask-metrics-*"))
        assert len(folders) == 1 and folders[0].stat().st_mode & 0o077 == 0
        with ThreadPoolExecutor(8) as pool:
            statuses = list(
                pool.map(
                    lambda _: server.request("GET", "/api/realms", headers=AUTH)[0],
                    range(count),
                )
            )
        assert statuses == [200] * count
        route = {"frontend": "deltacloud", "route": "/api/realms", "method": "GET"}
        for _ in range(4):  # whichever worker answers the scrape
            status, body = server.request("GET", "/metrics")
            assert status == 200
            text = body.decode()
            assert sample(text, "deltaflask_requests_total", **route, status="200") == (
                count
            )
        pids = set(re.findall(r'pid="(\d+)"', text))
        assert len(pids) <= 2
    assert not folders[0].exists()  # removed with the server
