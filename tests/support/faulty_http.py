"""A tiny real HTTP server that answers every request the same bad way, for
driving a driver's error translation over the wire (no SDK is patched).

``answer`` is (status, headers, body); ``delay`` seconds pass before it is
sent, so a client with a shorter read timeout times out.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextlib import suppress
from dataclasses import dataclass
from dataclasses import field
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer


@dataclass
class Fault:
    """What the server answers to everything."""

    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay: float = 0.0


class _Handler(BaseHTTPRequestHandler):
    server: _FaultyServer

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        fault = self.server.fault
        if fault.delay:
            time.sleep(fault.delay)
        self.send_response(fault.status)
        for name, value in fault.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(fault.body)))
        self.end_headers()
        # the client may have given up waiting, as a time-out test wants
        if self.command != "HEAD":
            with suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(fault.body)

    do_GET = do_PUT = do_HEAD = do_DELETE = do_POST = _answer

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet."""


class _FaultyServer(ThreadingHTTPServer):
    daemon_threads = True
    fault: Fault


@contextmanager
def faulty_server() -> Iterator[tuple[str, Fault]]:
    """A server on a free loopback port: its URL and the fault to set."""
    server = _FaultyServer(("127.0.0.1", 0), _Handler)
    server.fault = Fault()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield (
            f"http://127.0.0.1:{server.server_address[1]}/devstoreaccount1",
            (server.fault),
        )
    finally:
        server.shutdown()
        server.server_close()
