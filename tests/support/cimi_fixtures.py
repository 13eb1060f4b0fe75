"""Fixtures of the CIMI tests (registered by the root conftest with ``pytest_plugins``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from deltaflask import create_app


@pytest.fixture
def cimi_app(mock_storage: Path) -> Flask:
    """An app serving /api and /cimi over a fresh mock cloud."""
    return create_app(
        {
            "TESTING": True,
            "MOCK_STORAGE": str(mock_storage),
            "FRONTENDS": ["deltacloud", "cimi"],
        }
    )


@pytest.fixture
def cimi(cimi_app: Flask) -> FlaskClient:
    """A client of the CIMI app."""
    return cimi_app.test_client()
