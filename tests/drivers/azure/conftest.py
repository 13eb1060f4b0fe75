"""Fixtures of the azure driver's tests: an app on a fresh Azurite."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from deltaflask import create_app
from tests.support.auth import basic
from tests.support.azurite import ACCOUNT
from tests.support.azurite import KEY
from tests.support.azurite import Azurite


@pytest.fixture
def azure_client(azurite_blob: Azurite) -> FlaskClient:
    """A test client of an app whose default driver is azure, on Azurite."""
    app = create_app(
        {"TESTING": True, "DRIVER": "azure", "PROVIDER": azurite_blob.endpoint}
    )
    return app.test_client()


@pytest.fixture
def azure_auth() -> dict[str, str]:
    """Azurite's development account, asking for JSON."""
    return {"Authorization": basic(ACCOUNT, KEY), "Accept": "application/json"}
