"""A real PostgreSQL server (Debian's ``postgresql``) for tests.

``initdb`` makes a cluster in a private temporary folder (0700); ``pg_ctl``
starts it listening on a unix socket in that folder only (no TCP port), with
``trust`` authentication: only who can enter the folder can connect. As root
the cluster belongs to the ``postgres`` user (the server refuses to run as
root) and its commands run through ``runuser``. Each test takes a database of
its own (:meth:`PostgresServer.new_database`). A missing server is an error,
never a skip: ``make test`` installs it (mk/postgres.mk).
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

#: the backends of the entity store a test may run on
BACKENDS = ("files", "postgres")
#: the role the tests connect as (the cluster's superuser)
USER = "deltaflask"
START_TIMEOUT = 60
_numbers = itertools.count()


def postgres_bin() -> Path:
    """The folder of Debian's PostgreSQL server programs (newest version)."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(os.path.realpath(found)).parent
    versions = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda path: int(Path(path).parts[-3]),
    )
    if not versions:
        raise RuntimeError(
            "PostgreSQL is not installed: make .tools/postgres.stamp "
            "(apt-get install postgresql)"
        )
    return Path(versions[-1]).parent


class PostgresServer:
    """A running cluster: its socket folder and how to make databases."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def url(self, name: str = "postgres") -> str:
        """The URL of database ``name`` (through the private socket)."""
        return f"postgresql://{USER}@/{name}?host={self.folder}"

    def new_database(self) -> str:
        """Create an empty database of its own; return its URL."""
        import psycopg

        name = f"test_{os.getpid()}_{next(_numbers)}"
        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def _as_owner(command: list[str], owner: str | None) -> list[str]:
    """``command`` run as ``owner`` (through runuser) when one is needed."""
    return ["runuser", "-u", owner, "--", *command] if owner else command


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """Make, start and finally stop and remove a private cluster."""
    programs = postgres_bin()
    owner = "postgres" if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="deltaflask-pg-"))
    if owner:
        account = pwd.getpwnam(owner)
        os.chown(folder, account.pw_uid, account.pw_gid)
    data = folder / "data"
    log = folder / "server.log"

    def run(*command: str) -> None:
        result = subprocess.run(
            _as_owner([str(programs / command[0]), *command[1:]], owner),
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT,
            check=False,
        )
        if result.returncode != 0:
            logged = log.read_text() if log.exists() else ""
            raise RuntimeError(
                f"{command[0]} failed: {result.stdout}{result.stderr}{logged}"
            )

    try:
        run("initdb", "-D", str(data), "-U", USER, "-A", "trust", "-E", "UTF8",
            "--no-sync")  # fmt: skip
        options = (
            f"-k {folder} -c listen_addresses='' -c fsync=off"
            " -c synchronous_commit=off -c full_page_writes=off"
        )
        run("pg_ctl", "-D", str(data), "-o", options, "-l", str(log), "-w",
            "-t", str(START_TIMEOUT), "start")  # fmt: skip
        try:
            yield PostgresServer(folder)
        finally:
            run("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def store_settings(request: pytest.FixtureRequest) -> dict[str, str]:
    """The settings of a fixture parametrized over :data:`BACKENDS`: none for
    the files, a fresh database's ``DATABASE_URL`` for PostgreSQL."""
    if request.param == "files":
        return {}
    return {"DATABASE_URL": request.getfixturevalue("database_url")}
