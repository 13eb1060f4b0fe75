"""Shared fixtures: an app on a fresh mock cloud, its client, credentials."""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from deltaflask import create_app
from tests.moto_server import MotoServer
from tests.moto_server import moto_server

MOCK_AUTH = "Basic " + base64.b64encode(b"mockuser:mockpassword").decode()
EC2_AUTH = "Basic " + base64.b64encode(b"testing:testing").decode()


@pytest.fixture(autouse=True, scope="session")
def data_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The server data folder of every app the tests build (not the user's)."""
    folder = tmp_path_factory.mktemp("deltaflask-data")
    os.environ["DELTAFLASK_DATA"] = str(folder)
    return folder


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
