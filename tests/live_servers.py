"""deltaflask served for real (werkzeug's dev server, gunicorn) and raw HTTP to it.

Header injection and broken headers show only on a real server: the test
client never serialises a response. :func:`raw_request` sends bytes exactly
as given and reads the reply until the server closes the connection, so a
reply that never comes fails the test (a timeout) instead of hanging it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.browser.live import deltaflask_server

GUNICORN = Path(sys.executable).with_name("gunicorn")


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


def _wait_for(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("gunicorn did not start listening")


@contextmanager
def gunicorn(mock_storage: Path) -> Iterator[int]:
    """``gunicorn deltaflask.wsgi:app`` on a free loopback port (its number)."""
    assert GUNICORN.exists(), f"{GUNICORN} is missing: pip install -e '.[test]'"
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DELTACLOUD_MOCK_STORAGE": str(mock_storage),
    }
    process = subprocess.Popen(
        [str(GUNICORN), "-b", f"127.0.0.1:{port}", "-w", "1", "deltaflask.wsgi:app"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(port, process)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def live(kind: str, mock_storage: Path) -> Iterator[int]:
    """The port of deltaflask served by ``kind``: ``werkzeug`` or ``gunicorn``."""
    if kind == "gunicorn":
        with gunicorn(mock_storage) as port:
            yield port
    else:
        with deltaflask_server(mock_storage) as server:
            yield int(server.url.rsplit(":", 1)[1])
