"""The shared driver contract suite: one set of /api scenarios, every driver.

``driver_client`` is a test client of an app whose default driver is
``driver_name`` (``mock`` on a fresh JSON cloud, ``ec2`` against a freshly
reset moto server); ``driver_auth`` authenticates against it and asks for
JSON. Scenarios use only these three fixtures, so they run unchanged on each.
"""

from __future__ import annotations

import base64

import pytest
from flask.testing import FlaskClient

DRIVERS = ("mock", "ec2")
CREDENTIALS = {"mock": b"mockuser:mockpassword", "ec2": b"testing:testing"}
CLIENT_FIXTURES = {"mock": "client", "ec2": "ec2_client"}


@pytest.fixture(params=DRIVERS)
def driver_name(request: pytest.FixtureRequest) -> str:
    """The driver under test: ``mock`` or ``ec2``."""
    return str(request.param)


@pytest.fixture
def driver_client(request: pytest.FixtureRequest, driver_name: str) -> FlaskClient:
    """A test client of an app whose default driver is ``driver_name``."""
    return request.getfixturevalue(CLIENT_FIXTURES[driver_name])


@pytest.fixture
def driver_auth(driver_name: str) -> dict[str, str]:
    """Headers with the driver's test credentials, asking for JSON."""
    token = base64.b64encode(CREDENTIALS[driver_name]).decode()
    return {"Authorization": f"Basic {token}", "Accept": "application/json"}
