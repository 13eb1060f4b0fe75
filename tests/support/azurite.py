"""Azurite, Microsoft's Azure Storage emulator (blob service only), for tests.

``make azurite`` (part of ``make test``) installs it from npm into
``.tools/azurite``; ``azurite-blob`` on the PATH works too. It runs as a child
process on a free loopback port, keeping its data in a private (0700) folder,
and is stopped at the end. Failing to start is an error, never a skip: the
azure driver's tests must go red when the emulator is missing.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.moto_server import free_port
from tests.support.paths import REPO
from tests.support.processes import stop
from tests.support.processes import wait_until_up

START_TIMEOUT = 60.0
#: Azurite's fixed development account (public, documented by Microsoft)
ACCOUNT = "devstoreaccount1"
KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/"
    "K1SZFPTOtr/KBHBeksoGMGw=="
)
INSTALLED = REPO / ".tools" / "azurite" / "node_modules" / ".bin" / "azurite-blob"


def azurite_command() -> str:
    """The ``azurite-blob`` to run (a clear error when there is none)."""
    found = str(INSTALLED) if INSTALLED.exists() else shutil.which("azurite-blob")
    if found is None:
        raise RuntimeError(
            f"azurite-blob is not installed: run `make azurite` (it installs "
            f"Azurite from npm into {INSTALLED.parent.parent.parent})"
        )
    return found


@dataclass
class Azurite:
    """A running Azurite and how to reach it."""

    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def endpoint(self) -> str:
        """The development account's blob endpoint URL."""
        return f"http://127.0.0.1:{self.port}/{ACCOUNT}"

    @property
    def connection_string(self) -> str:
        """A connection string for the development account."""
        return (
            f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};"
            f"AccountKey={KEY};BlobEndpoint={self.endpoint};"
        )

    def service(self) -> Any:
        """An SDK client of the emulator, to arrange and check state directly."""
        from azure.storage.blob import BlobServiceClient

        return BlobServiceClient(
            self.endpoint, credential={"account_name": ACCOUNT, "account_key": KEY}
        )

    def answers(self) -> bool:
        """Whether the emulator lists containers (not listening yet: no)."""
        from azure.core.exceptions import ServiceRequestError

        try:
            list(self.service().list_containers())
        except ServiceRequestError:
            return False
        return True

    def reset(self) -> None:
        """Delete every container (and so every blob)."""
        service = self.service()
        for container in service.list_containers():
            service.delete_container(container.name)


@contextmanager
def azurite(folder: Path) -> Iterator[Azurite]:
    """Start ``azurite-blob`` on a free port with its data in ``folder``."""
    command = azurite_command()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)
    port = free_port()
    log = folder / "azurite.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [
                command,
                "--blobHost",
                "127.0.0.1",
                "--blobPort",
                str(port),
                "--location",
                str(folder / "data"),
                "--skipApiVersionCheck",
                "--loose",
                "--disableTelemetry",
                "--silent",
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
            cwd=folder,
        )
    server = Azurite(port, process, log)
    try:
        wait_until_up(
            "azurite-blob", process, server.answers, START_TIMEOUT, log, interval=0.2
        )
        yield server
    finally:
        stop(process, timeout=20)


@pytest.fixture(scope="session")
def azurite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Azurite]:
    """One Azurite for the whole run (per xdist worker); fails if it can't start."""
    with azurite(tmp_path_factory.mktemp("azurite")) as server:
        yield server


@pytest.fixture
def azurite_blob(azurite_server: Azurite) -> Azurite:
    """Azurite, emptied for this test."""
    azurite_server.reset()
    return azurite_server
