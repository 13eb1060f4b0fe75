"""The fake oned for the opennebula driver's tests, and an app that uses it."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from deltaflask import create_app
from deltaflask.drivers import BaseDriver
from deltaflask.drivers import Credentials
from deltaflask.state import state
from tests.fakes.opennebula.server import FakeOned
from tests.fakes.opennebula.server import running_oned


def basic(user: str, password: str) -> dict[str, str]:
    """Headers authenticating as ``user`` and asking for JSON."""
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}", "Accept": "application/json"}


ADMIN = basic("oneadmin", "opennebula")


@pytest.fixture(scope="session")
def oned_server() -> Iterator[FakeOned]:
    """One fake oned for the whole run (a thread; it fails loudly if it cannot bind)."""
    with running_oned() as server:
        yield server


@pytest.fixture
def oned(oned_server: FakeOned) -> FakeOned:
    """The fake oned back at its seed cloud; VMs settle at once."""
    oned_server.reset()
    return oned_server


@pytest.fixture
def one_app(oned: FakeOned) -> Flask:
    """An app whose default driver is opennebula, provider the fake oned."""
    return create_app(
        {
            "TESTING": True,
            "DRIVER": "opennebula",
            "PROVIDER": oned.endpoint,
            "FRONTENDS": "deltacloud",
            "OPENNEBULA_TIMEOUT": 1,
        }
    )


@pytest.fixture
def one(one_app: Flask) -> FlaskClient:
    """A test client of ``one_app``."""
    return one_app.test_client()


@pytest.fixture
def one_driver(one_app: Flask, oned: FakeOned) -> Iterator[BaseDriver]:
    """The driver object as oneadmin's request gets it, in a request context."""
    with one_app.test_request_context("/api"):
        driver_class = state(one_app).registry.driver_class("opennebula")
        yield driver_class(
            Credentials("oneadmin", "opennebula"), oned.endpoint, one_app.config
        )
