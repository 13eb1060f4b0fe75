"""Servers run for real in tests (the ``deltaflask`` command, gunicorn,
werkzeug's server), an HTTP exchange that shows every header as sent, and raw
bytes to a server.

Header injection and broken headers show only on a real server: the test
client never serialises a response. :func:`raw_request` sends bytes exactly
as given and reads the reply until the server closes the connection, so a
reply that never comes fails the test (a timeout) instead of hanging it.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.browser.live import deltaflask_server
from tests.support.moto_server import free_port as free_port
from tests.support.processes import stop
from tests.support.processes import wait_until_up

START_TIMEOUT = 60.0
GUNICORN = Path(sys.executable).with_name("gunicorn")


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
        wait_until_up(
            command[0],
            process,
            lambda: bool(exchange(port, "/api")),
            START_TIMEOUT,
            log,
            interval=0.2,
        )
        yield server
    finally:
        stop(process, timeout=20)


@dataclass(frozen=True)
class RawReply:
    """A reply as it came off the wire."""

    status: int
    head: bytes
    body: bytes

    def header(self, name: str) -> list[bytes]:
        """The values of every header called ``name``."""
        wanted = name.lower().encode()
        return [
            line.split(b":", 1)[1].strip()
            for line in self.head.split(b"\r\n")[1:]
            if line.split(b":", 1)[0].strip().lower() == wanted
        ]


def raw_request(port: int, request: bytes, timeout: float = 10) -> RawReply:
    """Send ``request`` (with ``Connection: close``) and read the whole reply."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1."), f"no HTTP reply: {received[:200]!r}"
    return RawReply(int(head.split(b" ", 2)[1]), head, body)


def get(path: str, headers: dict[str, str] | None = None) -> bytes:
    """A GET request as bytes (header values are sent as UTF-8)."""
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "surrogateescape")


@contextmanager
def live(kind: str, mock_storage: Path) -> Iterator[int]:
    """The port of deltaflask served by ``kind``: ``werkzeug`` or ``gunicorn``
    (one worker of ``gunicorn deltaflask.wsgi:app``)."""
    if kind == "gunicorn":
        assert GUNICORN.exists(), f"{GUNICORN} is missing: pip install -e '.[test]'"
        port = free_port()
        command = [str(GUNICORN), "-b", f"127.0.0.1:{port}", "-w", "1"]
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "DELTACLOUD_MOCK_STORAGE": str(mock_storage),
            "DELTAFLASK_DATA": str(mock_storage.parent / "data"),
        }
        log = mock_storage.parent / "gunicorn.log"
        with running([*command, "deltaflask.wsgi:app"], port, env, log):
            yield port
    else:
        with deltaflask_server(mock_storage) as server:
            yield int(server.url.rsplit(":", 1)[1])
