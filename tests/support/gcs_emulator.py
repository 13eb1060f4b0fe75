"""A real gcp-storage-emulator (Cloud Storage JSON API) on a free loopback port.

It runs as a child process keeping its objects in a private folder (0700),
or in its own memory; ``wipe`` empties it between tests. Failing to start is
an error, never a skip: CI must go red when the emulator is missing.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from deltaflask import create_app
from tests.support.moto_server import free_port
from tests.support.processes import stop
from tests.support.processes import wait_until_up

START_TIMEOUT = 30.0
#: the project the emulator's buckets belong to (any name works)
PROJECT = "deltaflask-test"
#: /api headers of the google driver on the emulator (any password will do)
GOOGLE_AUTH = {
    "Authorization": "Basic " + base64.b64encode(f"{PROJECT}:any".encode()).decode(),
    "Accept": "application/json",
}


def _executable() -> str:
    script = Path(sys.executable).with_name("gcp-storage-emulator")
    found = str(script) if script.exists() else shutil.which("gcp-storage-emulator")
    if found is None:
        raise RuntimeError(
            "gcp-storage-emulator is not installed: pip install gcp-storage-emulator "
            "(the test extra installs it)"
        )
    return found


class GcsEmulator:
    """A running emulator and how to reach and empty it."""

    def __init__(self, port: int, process: subprocess.Popen[bytes]) -> None:
        self.port = port
        self.process = process
        self.endpoint = f"http://127.0.0.1:{port}"

    def wipe(self) -> None:
        """Forget every bucket and object."""
        with urllib.request.urlopen(f"{self.endpoint}/wipe", timeout=30):
            pass

    def config(self, **settings: object) -> dict[str, object]:
        """App settings pointing the google driver at this emulator (no retries)."""
        return {
            "GOOGLE_ENDPOINT_URL": self.endpoint,
            "GOOGLE_RETRY_SECONDS": 0,
            **settings,
        }


@contextmanager
def gcs_emulator(folder: Path, in_memory: bool = False) -> Iterator[GcsEmulator]:
    """Start the emulator on a free port with its data in ``folder`` (made
    private; or in memory), wait until it answers, stop it afterwards."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)
    port = free_port()
    storage = ["--in-memory"] if in_memory else []
    data = [] if in_memory else ["-d", str((folder / "data").resolve())]
    command = [
        _executable(),
        *data,  # -d must be absolute and come before ``start``
        "start",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        *storage,
    ]
    with open(folder / "emulator.log", "wb") as log:
        process = subprocess.Popen(
            command,
            cwd=folder,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    server = GcsEmulator(port, process)
    try:
        wait_until_up(
            "gcp-storage-emulator",
            process,
            lambda: _answers(f"{server.endpoint}/"),
            START_TIMEOUT,
            folder / "emulator.log",
        )
        yield server
    finally:
        stop(process)


def _answers(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=2):
        return True


def google_client(endpoint: str, **settings: object) -> FlaskClient:
    """A test client of an app whose google driver talks to ``endpoint``."""
    app = create_app(
        {
            "TESTING": True,
            "DRIVER": "google",
            "GOOGLE_ENDPOINT_URL": endpoint,
            "GOOGLE_RETRY_SECONDS": 0,
            **settings,
        }
    )
    return app.test_client()


def sdk_client(server: GcsEmulator) -> Any:
    """A plain google-cloud-storage client of the emulator, to set up or check."""
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage

    return storage.Client(
        project=PROJECT,
        credentials=AnonymousCredentials(),
        client_options={"api_endpoint": server.endpoint},
    )
