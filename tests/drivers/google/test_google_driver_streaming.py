"""A 256 MiB blob streamed through a live deltaflask (gunicorn, the README's
production configuration) on the google driver to gcp-storage-emulator and
back: the bytes arrive intact, and the server's memory stays flat, holding a
few chunks at most, whatever the blob's size."""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
from pathlib import Path

import pytest

from tests.support.ec2_driver_storage import Pattern
from tests.support.ec2_driver_storage import digest
from tests.support.gcs_emulator import PROJECT
from tests.support.gcs_emulator import GcsEmulator
from tests.support.gcs_emulator import sdk_client
from tests.support.gunicorn_server import PRODUCTION
from tests.support.gunicorn_server import LiveServer
from tests.support.gunicorn_server import gunicorn

pytestmark = pytest.mark.xdist_group("gcs")

MIB = 1024 * 1024
AUTH = "Basic " + base64.b64encode(f"{PROJECT}:any".encode()).decode()
#: what the worker may grow by between a 64 MiB and a 256 MiB blob: were the
#: blob held in memory, it would grow by 192 MiB
FLAT = 24 * MIB


def worker_peak(server: LiveServer) -> int:
    """The peak resident memory (VmHWM) of the one worker, in bytes."""
    pid = server.process.pid
    (worker,) = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    for line in Path(f"/proc/{worker}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM")


def put(server: LiveServer, path: str, size: int) -> dict[str, object]:
    """Stream ``size`` pattern bytes to ``path``; the blob deltaflask answers."""
    connection = server.connection(timeout=600)
    try:
        connection.putrequest("PUT", path)
        for name, value in {
            "Authorization": AUTH,
            "Accept": "application/json",
            "Content-Type": "application/x-disk-image",
            "Content-Length": str(size),
        }.items():
            connection.putheader(name, value)
        connection.endheaders()
        source = Pattern(size)
        while block := source.read(MIB):
            connection.send(block)
        response = connection.getresponse()
        body = response.read()
        assert response.status == 200, body
        return dict(json.loads(body)["blob"])
    finally:
        connection.close()


def get(server: LiveServer, path: str) -> tuple[int, str]:
    """Read ``path`` as it streams: (length, SHA-256)."""
    connection = server.connection(timeout=600)
    try:
        connection.request("GET", path, headers={"Authorization": AUTH})
        response = connection.getresponse()
        assert response.status == 200, response.read()
        return _measure(response)
    finally:
        connection.close()


def _measure(response: http.client.HTTPResponse) -> tuple[int, str]:
    found, length = hashlib.sha256(), 0
    while chunk := response.read(MIB):
        found.update(chunk)
        length += len(chunk)
    return length, found.hexdigest()


def test_a_256_mib_blob_streams_both_ways_in_flat_memory(
    gcs: GcsEmulator, tmp_path: Path
) -> None:
    sdk_client(gcs).create_bucket("big-blobs")
    env = {
        "API_DRIVER": "google",
        "GOOGLE_ENDPOINT_URL": gcs.endpoint,
        "DELTAFLASK_DATA": str(tmp_path / "data"),
    }
    with gunicorn(tmp_path, env, *PRODUCTION, "--timeout", "600", workers=1) as live:
        url = "/api/buckets/big-blobs/"
        small, big = 64 * MIB, 256 * MIB
        assert put(live, f"{url}warm.img", small)["content_length"] == small
        assert get(live, f"{url}warm.img/content") == (small, digest(Pattern(small)))
        warm = worker_peak(live)

        blob = put(live, f"{url}disk.img", big)
        assert (blob["content_length"], blob["content_type"]) == (
            big,
            "application/x-disk-image",
        )
        assert get(live, f"{url}disk.img/content") == (big, digest(Pattern(big)))
        peak = worker_peak(live)
    stored = sdk_client(gcs).bucket("big-blobs").get_blob("disk.img")
    assert stored.size == big
    assert peak - warm < FLAT, f"worker grew from {warm} to {peak} bytes"
    assert peak < 128 * MIB, f"worker peak {peak} bytes"
