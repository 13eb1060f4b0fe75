"""Shared fixtures: an app on a fresh mock cloud, its client, credentials."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from deltaflask import create_app

MOCK_AUTH = "Basic " + base64.b64encode(b"mockuser:mockpassword").decode()


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
