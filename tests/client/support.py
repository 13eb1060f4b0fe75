"""What the client's tests share: a running server's address and
credentials, and large test files."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from deltaflask.client import Client

MIB = 1024 * 1024
MOCK_USER = ("mockuser", "mockpassword")
EC2_USER = ("testing", "testing")


@dataclass
class Api:
    """A running server: its ``/api`` URL, credentials and environment."""

    url: str
    user: str
    password: str
    env: dict[str, str]
    home: Path

    def client(self, **kwargs: str) -> Client:
        """A library client with these credentials."""
        return Client(self.url, self.user, self.password, **kwargs)

    def cli_env(self) -> dict[str, str]:
        """The environment ``deltaflask-cli`` finds the server in."""
        return {
            **self.env,
            "DELTAFLASK_URL": self.url,
            "DELTAFLASK_USER": self.user,
            "DELTAFLASK_PASSWORD": self.password,
            "XDG_CONFIG_HOME": str(self.home / "config"),
            "XDG_STATE_HOME": str(self.home / "state"),
        }


def make_file(path: Path, mib: int) -> str:
    """A file of ``mib`` MiB, every MiB different; its sha256."""
    block = os.urandom(MIB)
    digest = hashlib.sha256()
    with open(path, "wb") as out:
        for index in range(mib):
            chunk = index.to_bytes(8, "big") + block[8:]
            out.write(chunk)
            digest.update(chunk)
    return digest.hexdigest()


def sha256_of(path: Path) -> str:
    """The sha256 of a file, read a MiB at a time."""
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        while chunk := source.read(MIB):
            digest.update(chunk)
    return digest.hexdigest()
