"""Fixtures of the CIMI tests (registered by the root conftest with ``pytest_plugins``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from deltaflask import create_app


@pytest.fixture
def cimi_store_settings() -> dict[str, str]:
    """Settings choosing CIMI's store: its files (a module overrides this to
    run on each backend, see ``tests.support.postgres.store_settings``)."""
    return {}


@pytest.fixture
def cimi_app(mock_storage: Path, cimi_store_settings: dict[str, str]) -> Flask:
    """An app serving /api and /cimi over a fresh mock cloud."""
    return create_app(
        {
            "TESTING": True,
            "MOCK_STORAGE": str(mock_storage),
            "FRONTENDS": ["deltacloud", "cimi"],
            **cimi_store_settings,
        }
    )


@pytest.fixture
def cimi(cimi_app: Flask) -> FlaskClient:
    """A client of the CIMI app."""
    return cimi_app.test_client()
