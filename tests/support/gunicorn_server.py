"""deltaflask under a real gunicorn on a free loopback port, for tests.

The server runs in its own process group and is stopped (then killed, if it
must be) when the ``with`` block ends. Failing to start is an error, never a
skip: gunicorn is part of the test extra.
"""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from collections.abc import Mapping
from contextlib import contextmanager
from pathlib import Path

from tests.support.moto_server import free_port
from tests.support.processes import wait_until_up

START_TIMEOUT = 60.0
#: the production configuration of the README
PRODUCTION = ("-c", "python:deltaflask.gunicorn_conf")


class LiveServer:
    """A running gunicorn and how to reach it."""

    def __init__(self, port: int, process: subprocess.Popen[bytes], log: Path) -> None:
        self.port = port
        self.process = process
        self.log = log

    def connection(self, timeout: float = 30.0) -> http.client.HTTPConnection:
        """A new connection to the server."""
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def ready(self, workers: int) -> bool:
        """Whether ``workers`` workers booted and ``/api`` answers 200."""
        booted = self.log.read_text().count("Booting worker")
        return booted >= workers and self.request("GET", "/api", timeout=5)[0] == 200

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float = 30.0,
    ) -> tuple[int, bytes]:
        """One request on its own connection: (status, body)."""
        connection = self.connection(timeout)
        try:
            connection.request(method, path, body=body, headers=dict(headers or {}))
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()


@contextmanager
def gunicorn(
    tmp_path: Path,
    env: Mapping[str, str],
    *options: str,
    workers: int = 2,
) -> Iterator[LiveServer]:
    """gunicorn serving ``deltaflask.wsgi:app`` with ``workers`` processes,
    ``options`` and the environment ``env`` (over this process's)."""
    port = free_port()
    log = tmp_path / f"gunicorn-{port}.log"
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        *options,
        "-w",
        str(workers),
        "-b",
        f"127.0.0.1:{port}",
        "deltaflask.wsgi:app",
    ]
    with open(log, "wb") as output:
        process = subprocess.Popen(
            command,
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, **env},
            start_new_session=True,
        )
    server = LiveServer(port, process, log)
    try:
        wait_until_up(
            "gunicorn",
            process,
            lambda: server.ready(workers),
            START_TIMEOUT,
            server.log,
            interval=0.2,
        )
        yield server
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
