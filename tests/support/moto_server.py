"""A real moto server (EC2 + S3 emulator) on a free loopback port, for tests.

It runs as a child process, so its global state never mixes with the test
process; ``reset`` clears it between tests. Failing to start is an error,
never a skip: CI must go red when the emulator is missing.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.processes import stop
from tests.support.processes import wait_until_up

START_TIMEOUT = 30.0


def free_port() -> int:
    """A loopback TCP port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _command(port: int) -> list[str]:
    script = Path(sys.executable).with_name("moto_server")
    found = str(script) if script.exists() else shutil.which("moto_server")
    if found is None:
        raise RuntimeError(
            "moto_server is not installed: pip install 'moto[server]' "
            "(the test extra installs it)"
        )
    return [found, "-H", "127.0.0.1", "-p", str(port)]


class MotoServer:
    """A running moto server and how to reach and reset it."""

    def __init__(self, port: int, process: subprocess.Popen[bytes]) -> None:
        self.port = port
        self.process = process
        self.endpoint = f"http://127.0.0.1:{port}"

    def reset(self) -> None:
        """Forget every resource the server holds."""
        request = urllib.request.Request(
            f"{self.endpoint}/moto-api/reset", method="POST", data=b""
        )
        with urllib.request.urlopen(request, timeout=10):
            pass

    def answers(self) -> bool:
        """Whether the server is up (it is reset on the way)."""
        self.reset()
        return True


@contextmanager
def moto_server() -> Iterator[MotoServer]:
    """Start moto on a free port, wait until it answers, stop it afterwards."""
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        _command(port),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    server = MotoServer(port, process)
    try:
        wait_until_up("moto_server", process, server.answers, START_TIMEOUT)
        yield server
    finally:
        stop(process)
