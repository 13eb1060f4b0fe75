"""Streaming a large blob through a live server (tests.support.gunicorn_server)
and measuring its one worker: shared by the memory tests of the drivers."""

from __future__ import annotations

import hashlib
import http.client
import json
from pathlib import Path

from tests.support.ec2_driver_storage import Pattern
from tests.support.gunicorn_server import LiveServer

MIB = 1024 * 1024


def worker_peak(server: LiveServer) -> int:
    """The peak resident memory (VmHWM) of the one worker, in bytes."""
    pid = server.process.pid
    (worker,) = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    for line in Path(f"/proc/{worker}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM")


def put(server: LiveServer, path: str, size: int, auth: str) -> dict[str, object]:
    """Stream ``size`` pattern bytes to ``path``; the blob deltaflask answers."""
    connection = server.connection(timeout=600)
    try:
        connection.putrequest("PUT", path)
        for name, value in {
            "Authorization": auth,
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


def get(server: LiveServer, path: str, auth: str) -> tuple[int, str]:
    """Read ``path`` as it streams: (length, SHA-256)."""
    connection = server.connection(timeout=600)
    try:
        connection.request("GET", path, headers={"Authorization": auth})
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
