"""What the openstack driver's tests share: an app on the harness's cloud and
the ``demo`` user's JSON headers."""

from __future__ import annotations

import base64

import pytest
from flask.testing import FlaskClient

from deltaflask import create_app
from tests.support.openstack_cloud import OpenStackCloud


@pytest.fixture
def api(openstack: OpenStackCloud) -> FlaskClient:
    """A test client of an app whose driver is openstack on the harness."""
    app = create_app(
        {"TESTING": True, "DRIVER": "openstack", "PROVIDER": openstack.provider}
    )
    return app.test_client()


@pytest.fixture
def auth(openstack: OpenStackCloud) -> dict[str, str]:
    """Basic credentials of the ``demo`` user, answers in JSON."""
    user, password = openstack.credentials("demo")
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}", "Accept": "application/json"}
