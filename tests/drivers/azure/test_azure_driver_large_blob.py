"""A 256 MiB blob streamed through a live deltaflask (gunicorn, the azure
driver) into Azurite and back: the bytes arrive whole and the worker's memory
stays flat (its peak RSS grows by far less than the blob)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.auth import basic
from tests.support.azurite import ACCOUNT
from tests.support.azurite import KEY
from tests.support.azurite import Azurite
from tests.support.ec2_driver_storage import Pattern
from tests.support.ec2_driver_storage import digest
from tests.support.gunicorn_server import LiveServer
from tests.support.gunicorn_server import gunicorn

pytestmark = pytest.mark.xdist_group("azurite")

MIB = 1024 * 1024
SIZE = 256 * MIB
#: what the worker may grow by while moving the blob: a few 8 MiB blocks
#: (measured: about 1 MiB, from 83 MiB after the warm-up)
ALLOWED_GROWTH = 32 * MIB
AUTH = {"Authorization": basic(ACCOUNT, KEY)}


def chunks(size: int) -> Iterator[bytes]:
    """``Pattern(size)`` in 1 MiB pieces."""
    pattern = Pattern(size)
    while piece := pattern.read(MIB):
        yield piece


def worker_peak_rss(server: LiveServer) -> int:
    """The peak RSS (VmHWM) of the server's one worker, in bytes."""
    children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
    (worker,) = children.read_text().split()
    for line in Path(f"/proc/{worker}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM for the worker")


def put_blob(server: LiveServer, path: str, size: int) -> int:
    connection = server.connection(timeout=300)
    try:
        connection.request(
            "PUT",
            path,
            body=chunks(size),
            headers={**AUTH, "Content-Length": str(size), "Accept": "application/json"},
        )
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def get_digest(server: LiveServer, path: str) -> tuple[int, str]:
    connection = server.connection(timeout=300)
    try:
        connection.request("GET", f"{path}/content", headers=AUTH)
        response = connection.getresponse()
        assert response.status == 200
        found, length = hashlib.sha256(), 0
        while piece := response.read(MIB):
            found.update(piece)
            length += len(piece)
        return length, found.hexdigest()
    finally:
        connection.close()


def test_a_256_mib_blob_streams_both_ways_in_flat_memory(
    tmp_path: Path, azurite_blob: Azurite
) -> None:
    azurite_blob.service().create_container("big")
    env = {"API_DRIVER": "azure", "API_PROVIDER": azurite_blob.endpoint}
    with gunicorn(tmp_path, env, "--timeout", "600", workers=1) as server:
        # warm up: the SDK loaded, one blob of several blocks moved each way
        assert put_blob(server, "/api/buckets/big/warm", 24 * MIB) == 200
        assert get_digest(server, "/api/buckets/big/warm")[0] == 24 * MIB
        before = worker_peak_rss(server)

        assert put_blob(server, "/api/buckets/big/disk.img", SIZE) == 200
        after_upload = worker_peak_rss(server)
        length, found = get_digest(server, "/api/buckets/big/disk.img")
        after_download = worker_peak_rss(server)

    assert (length, found) == (SIZE, digest(Pattern(SIZE)))
    stored = azurite_blob.service().get_blob_client("big", "disk.img")
    assert stored.get_blob_properties().size == SIZE
    assert after_upload - before < ALLOWED_GROWTH, (before, after_upload)
    assert after_download - before < ALLOWED_GROWTH, (before, after_download)
