"""Fixtures of the vsphere driver's tests: one vcsim with templates for the
session, and an app whose default driver is vsphere pointed at it."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from deltaflask import create_app
from deltaflask.drivers import Credentials
from deltaflask.plugins.vsphere.driver import VsphereDriver
from tests.support.vcsim import PASSWORD
from tests.support.vcsim import USER
from tests.support.vcsim import Vcsim
from tests.support.vcsim import make_templates
from tests.support.vcsim import vcsim_server
from tests.support.vcsim import vsphere_config


@pytest.fixture(scope="session")
def vcsim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Vcsim]:
    """One real vcsim for the vsphere driver's tests; fails if it can't start."""
    with vcsim_server(tmp_path_factory.mktemp("vcsim")) as server:
        yield server


@pytest.fixture(scope="session")
def templates(vcsim: Vcsim) -> dict[str, str]:
    """The template ids of the session's vcsim, by template name."""
    return make_templates(vcsim)


@pytest.fixture
def vsphere_app(vcsim: Vcsim, templates: dict[str, str]) -> Flask:
    """An application whose default driver is vsphere, on the session's vcsim."""
    return create_app(vsphere_config(vcsim))


@pytest.fixture
def vsphere_client(vsphere_app: Flask) -> FlaskClient:
    """A test client of ``vsphere_app``."""
    return vsphere_app.test_client()


@pytest.fixture
def vsphere_auth() -> dict[str, str]:
    """Headers carrying vcsim's user and password, asking for JSON."""
    token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    return {"Authorization": f"Basic {token}", "Accept": "application/json"}


@pytest.fixture
def vsphere(vsphere_app: Flask) -> Iterator[VsphereDriver]:
    """A driver object on the session's vcsim, inside a request context."""
    with vsphere_app.test_request_context("/api"):
        yield VsphereDriver(
            Credentials(USER, PASSWORD),
            vsphere_app.config["PROVIDER"],
            vsphere_app.config,
        )
