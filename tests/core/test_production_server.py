"""The README's production server (gunicorn with ``deltaflask.gunicorn_conf``,
2 worker processes) on a free loopback port: slow and lying clients never
hold up anyone else, a client that goes silent is dropped after the idle
limit, and slow honest transfers that outlast gunicorn's default 30 s worker
timeout complete intact."""

from __future__ import annotations

import hashlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from contextlib import suppress
from pathlib import Path

import pytest

from tests.support.auth import MOCK_AUTH
from tests.support.gunicorn_server import PRODUCTION
from tests.support.gunicorn_server import LiveServer
from tests.support.gunicorn_server import gunicorn

#: timing assertions: run alone, not beside the parallel suite
pytestmark = pytest.mark.serial

#: the idle limit the server runs with here (the default is 60 s)
IDLE = 4
#: no GET may take longer than this during an attack
QUICK = 1.0
UPLOAD_SIZE = 3_500_000
UPLOAD_RATE = 100_000  # bytes per second: 35 s
DOWNLOAD_SIZE = 20_000_000
DOWNLOAD_RATE = 550_000  # bytes per second: 36 s
#: longer than gunicorn's default worker timeout, which cut such transfers
OUTLASTS = 31.0


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The server's log and mock cloud."""
    return tmp_path_factory.mktemp("production")


@pytest.fixture(scope="module")
def server(folder: Path) -> Iterator[LiveServer]:
    """The production configuration, with a short idle limit."""
    env = {
        "DELTACLOUD_MOCK_STORAGE": str(folder / "mock"),
        "DELTAFLASK_IDLE_TIMEOUT": str(IDLE),
    }
    with gunicorn(folder, env, *PRODUCTION, workers=2) as live:
        yield live


def _connect(server: LiveServer) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=60)


def _request_head(method: str, path: str, length: int) -> bytes:
    return (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: {MOCK_AUTH}\r\nContent-Length: {length}\r\n\r\n"
    ).encode()


def _timed_get(server: LiveServer, path: str) -> float:
    started = time.monotonic()
    status, _ = server.request("GET", path, headers={"Authorization": MOCK_AUTH})
    assert status == 200
    return time.monotonic() - started


def _trickle(sockets: list[socket.socket], stop: threading.Event) -> None:
    """Slow-loris: one more header byte on each connection every second (as
    long as the server keeps the connection)."""
    for _ in range(120):
        if stop.wait(1.0):
            return
        for sock in sockets:
            with suppress(OSError):
                sock.sendall(b"y")


def _dropped(sock: socket.socket) -> bool:
    """Whether the server has closed ``sock`` (waiting a little for it)."""
    sock.settimeout(5)
    try:
        return sock.recv(4096) == b""
    except ConnectionResetError:
        return True


def test_slow_and_lying_clients_hold_up_nobody(
    server: LiveServer, folder: Path
) -> None:
    storage = folder / "mock"
    with ExitStack() as stack:
        liars = []
        for number in range(2):  # announce 2 GB, send 10 bytes, fall silent
            sock = stack.enter_context(_connect(server))
            head = _request_head("PUT", f"/api/buckets/bucket1/lie{number}", 2 << 30)
            sock.sendall(head + b"0123456789")
            liars.append(sock)
        lorises = []
        for _ in range(4):  # a request line, then a header byte per second
            sock = stack.enter_context(_connect(server))
            sock.sendall(b"GET /api HTTP/1.1\r\nX-Slow: ")
            lorises.append(sock)
        for _ in range(4):  # connected, never a byte
            stack.enter_context(_connect(server))
        for _ in range(4):  # a whole request, then neither reading nor closing
            sock = stack.enter_context(_connect(server))
            sock.sendall(b"GET /api HTTP/1.1\r\nConnection: close\r\n\r\n")
        stop = threading.Event()
        trickler = threading.Thread(target=_trickle, args=(lorises, stop))
        trickler.start()
        stack.callback(trickler.join, 10)
        stack.callback(stop.set)
        attacked = time.monotonic()
        times = []
        while time.monotonic() - attacked < IDLE + 3:
            times += [_timed_get(server, "/api"), _timed_get(server, "/api/instances")]
            time.sleep(0.2)
        assert len(times) >= 10
        assert max(times) < QUICK, [round(t, 2) for t in times]
        for sock in liars:  # dropped after IDLE s of silence, with a 408
            sock.settimeout(IDLE + 10)
            answer = sock.recv(4096)
            assert answer.startswith(b"HTTP/1.1 408"), answer
        # their heads overdue after IDLE s, however busily they trickle
        assert all(_dropped(sock) for sock in lorises)
        assert time.monotonic() - attacked < IDLE + 10
        assert not list((storage / "blobs" / "bucket1").glob(".tmp-*"))
        assert not list((storage / "blobs" / "bucket1").glob("lie*"))


def _slow_upload(server: LiveServer, payload: bytes) -> tuple[float, bytes]:
    started = time.monotonic()
    with _connect(server) as sock:
        sock.sendall(_request_head("PUT", "/api/buckets/bucket1/slow-up", len(payload)))
        piece = UPLOAD_RATE // 10
        for offset in range(0, len(payload), piece):
            sock.sendall(payload[offset : offset + piece])
            time.sleep(0.1)
        answer = sock.recv(4096)
    return time.monotonic() - started, answer


def _slow_download(server: LiveServer) -> tuple[float, int, str]:
    started = time.monotonic()
    connection = server.connection(timeout=60)
    try:
        connection.request(
            "GET",
            "/api/buckets/bucket1/slow-down/content",
            headers={"Authorization": MOCK_AUTH},
        )
        response = connection.getresponse()
        digest = hashlib.sha256()
        piece = DOWNLOAD_RATE // 10
        while chunk := response.read(piece):
            digest.update(chunk)
            time.sleep(0.1)
        return time.monotonic() - started, response.status, digest.hexdigest()
    finally:
        connection.close()


def test_slow_honest_transfers_complete(server: LiveServer) -> None:
    """A 3.5 MB upload at 100 KB/s and a 20 MB download read at 550 KB/s,
    side by side, each lasting longer than 30 s."""
    upload = os.urandom(UPLOAD_SIZE)
    download = os.urandom(DOWNLOAD_SIZE)
    status, _ = server.request(
        "PUT",
        "/api/buckets/bucket1/slow-down",
        download,
        {"Authorization": MOCK_AUTH},
        timeout=60,
    )
    assert status == 200
    with ThreadPoolExecutor(2) as pool:
        uploading = pool.submit(_slow_upload, server, upload)
        downloading = pool.submit(_slow_download, server)
        time.sleep(5)
        assert _timed_get(server, "/api") < QUICK
        up_time, answer = uploading.result(120)
        down_time, down_status, down_digest = downloading.result(120)
    assert answer.startswith(b"HTTP/1.1 200"), answer
    assert up_time > OUTLASTS
    assert (down_status, down_time > OUTLASTS) == (200, True)
    assert down_digest == hashlib.sha256(download).hexdigest()
    status, stored = server.request(
        "GET",
        "/api/buckets/bucket1/slow-up/content",
        headers={"Authorization": MOCK_AUTH},
        timeout=60,
    )
    assert status == 200
    assert hashlib.sha256(stored).digest() == hashlib.sha256(upload).digest()
