"""Servers run as child processes for tests (the ``deltaflask`` command, gunicorn),
and a raw HTTP exchange that shows every header as sent."""

from __future__ import annotations

import http.client
import subprocess
import time
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.moto_server import free_port as free_port

START_TIMEOUT = 60.0


@dataclass
class Exchange:
    """A response as it came over the socket."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def all(self, name: str) -> list[str]:
        """Every value of header ``name`` (case-insensitive), in order."""
        return [value for key, value in self.headers if key.lower() == name.lower()]


def exchange(
    port: int,
    path: str,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
) -> Exchange:
    """One request to ``127.0.0.1:port`` on a fresh connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=dict(headers or {}))
        response = connection.getresponse()
        return Exchange(response.status, response.getheaders(), response.read())
    finally:
        connection.close()


@dataclass
class Running:
    """A started server: its process, port and output file."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def output(self) -> str:
        """What the server printed so far."""
        return self.log.read_text(errors="replace")


@contextmanager
def running(
    command: Sequence[str],
    port: int,
    env: Mapping[str, str],
    log: Path,
    cwd: Path | None = None,
) -> Iterator[Running]:
    """Start ``command``, wait until ``/api`` answers on ``port``, stop it after."""
    with open(log, "wb") as output:
        process = subprocess.Popen(
            list(command), env=dict(env), cwd=cwd, stdout=output, stderr=output
        )
    server = Running(process, port, log)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                exchange(port, "/api")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"{command[0]} did not start:\n{server.output()}")
                time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
