"""Where the google driver creates buckets: the request's ``location``, else
the provider, else ``US``. gcp-storage-emulator ignores locations (every
bucket is in ``US``), so a loopback server records what the SDK sends."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from typing import Any

import pytest

from tests.support.gcs_emulator import GOOGLE_AUTH
from tests.support.gcs_emulator import google_client


class _Recorder(BaseHTTPRequestHandler):
    """Keeps each request's JSON body; answers it as the bucket made."""

    server: Any

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.bodies.append(body)
        data = json.dumps({**body, "location": body.get("location", "US")}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        """Stay quiet."""


@pytest.fixture
def recorder() -> Iterator[Any]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.bodies = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.mark.parametrize(
    ("provider", "form", "expected"),
    [
        (None, {}, "US"),
        ("EU", {}, "EU"),
        ("EU", {"location": "europe-west1"}, "europe-west1"),
    ],
)
def test_new_buckets_go_to_the_location_asked_for(
    recorder: Any, provider: str | None, form: dict[str, str], expected: str
) -> None:
    api = google_client(f"http://127.0.0.1:{recorder.server_port}")
    headers = {
        **GOOGLE_AUTH,
        **({"X-Deltacloud-Provider": provider} if provider else {}),
    }
    made = api.post("/api/buckets", data={"name": "placed", **form}, headers=headers)
    assert made.status_code == 201, made.get_data(as_text=True)
    assert made.get_json()["bucket"]["location"] == expected
    assert recorder.bodies == [{"name": "placed", "location": expected}]
