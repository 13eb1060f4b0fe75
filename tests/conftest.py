"""Shared fixtures: an app on a fresh mock cloud, its client, credentials."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from deltaflask import create_app
from deltaflask.store.postgres import close_database
from tests.support.auth import EC2_AUTH
from tests.support.auth import MOCK_AUTH
from tests.support.gcs_emulator import GcsEmulator
from tests.support.gcs_emulator import gcs_emulator
from tests.support.moto_server import MotoServer
from tests.support.moto_server import moto_server
from tests.support.postgres import PostgresServer
from tests.support.postgres import postgres_server

pytest_plugins = (
    "tests.support.cimi_fixtures",
    "tests.support.azurite",
    "tests.support.openstack_cloud",
    "tests.support.swift_fixtures",
)


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under ``pytest -n 2 --dist loadgroup`` (``make test``), keep each
    module's tests on one worker (module-scoped apps replay exchanges in
    order), unless the module names a group of its own to share a service."""
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))


def pytest_configure(config: pytest.Config) -> None:
    """Every app the tests build (or start) keeps its data folder in one of
    this run's own, never in the user's."""
    os.environ["DELTAFLASK_DATA"] = tempfile.mkdtemp(prefix="deltaflask-tests-")


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove this run's data folder."""
    shutil.rmtree(os.environ.pop("DELTAFLASK_DATA"), ignore_errors=True)


@pytest.fixture
def mock_storage(tmp_path: Path) -> Path:
    """An empty folder the mock driver seeds on first use."""
    return tmp_path / "mock"


@pytest.fixture
def app(mock_storage: Path) -> Flask:
    """An application on a fresh mock cloud with the classic frontend."""
    return create_app({"TESTING": True, "MOCK_STORAGE": str(mock_storage)})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of ``app``."""
    return app.test_client()


@pytest.fixture
def auth() -> dict[str, str]:
    """Headers that authenticate as the mock user."""
    return {"Authorization": MOCK_AUTH}


@pytest.fixture
def xml(auth: dict[str, str]) -> dict[str, str]:
    """Authenticated headers asking for XML."""
    return {**auth, "Accept": "application/xml"}


@pytest.fixture
def json_headers(auth: dict[str, str]) -> dict[str, str]:
    """Authenticated headers asking for JSON."""
    return {**auth, "Accept": "application/json"}


@pytest.fixture(scope="session")
def moto() -> Iterator[MotoServer]:
    """One real moto server (EC2 + S3) for the whole run; fails if it can't start."""
    with moto_server() as server:
        yield server


@pytest.fixture
def aws(moto: MotoServer) -> MotoServer:
    """The moto server, emptied for this test."""
    moto.reset()
    return moto


@pytest.fixture(scope="session")
def gcs_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GcsEmulator]:
    """One real gcp-storage-emulator for the whole run; fails if it can't start."""
    with gcs_emulator(tmp_path_factory.mktemp("gcs")) as server:
        yield server


@pytest.fixture
def gcs(gcs_server: GcsEmulator) -> GcsEmulator:
    """The Cloud Storage emulator, emptied for this test."""
    gcs_server.wipe()
    return gcs_server


@pytest.fixture
def ec2_app(aws: MotoServer) -> Flask:
    """An application whose default driver is ec2, pointed at moto."""
    return create_app(
        {
            "TESTING": True,
            "DRIVER": "ec2",
            "PROVIDER": "us-east-1",
            "EC2_ENDPOINT_URL": aws.endpoint,
        }
    )


@pytest.fixture
def ec2_client(ec2_app: Flask) -> FlaskClient:
    """A test client of ``ec2_app``."""
    return ec2_app.test_client()


@pytest.fixture
def ec2_auth() -> dict[str, str]:
    """Headers carrying moto's test access key and secret."""
    return {"Authorization": EC2_AUTH, "Accept": "application/json"}


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One real PostgreSQL server for the whole run; fails if it can't start."""
    with postgres_server() as server:
        yield server


@pytest.fixture
def database_url(postgres: PostgresServer) -> Iterator[str]:
    """The URL of an empty database of this test's own."""
    url = postgres.new_database()
    yield url
    close_database(url)
