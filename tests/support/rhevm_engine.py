"""Fixtures for the rhevm driver's tests: the fake engine of
:mod:`tests.fakes.rhevm` on a free loopback port, started once per session and
reset before each test, and an app whose default driver is rhevm on it.

Modules import the fixtures they use (``from tests.support.rhevm_engine import
engine``) so that they register there.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from deltaflask import create_app
from tests.fakes.rhevm.server import EngineServer
from tests.fakes.rhevm.server import running_engine
from tests.fakes.rhevm.state import PASSWORD
from tests.fakes.rhevm.state import EngineState

#: the engine's admin, as a client types it (the driver adds ``@internal``)
USER = "admin"
#: the time-out the tests give the driver (seconds); delays beyond it are 504s
TIMEOUT = 2


def credentials_header(user: str = USER, password: str = PASSWORD) -> dict[str, str]:
    """Headers that log in as ``user`` and ask for JSON."""
    import base64

    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}", "Accept": "application/json"}


@pytest.fixture(scope="session")
def rhevm_server() -> Iterator[EngineServer]:
    """One fake engine for the session."""
    import ovirtsdk4  # noqa: F401 - fail here, loudly, when the SDK is missing

    with running_engine() as server:
        yield server


@pytest.fixture
def engine(rhevm_server: EngineServer) -> EngineState:
    """The fake engine's state, back to its seed inventory."""
    rhevm_server.state.reset()
    return rhevm_server.state


@pytest.fixture
def rhevm_app(rhevm_server: EngineServer, engine: EngineState) -> Flask:
    """An app serving /api with rhevm on the fake engine as its driver."""
    return create_app(
        {
            "TESTING": True,
            "DRIVER": "rhevm",
            "PROVIDER": rhevm_server.url,
            "FRONTENDS": "deltacloud",
            "RHEVM_TIMEOUT": TIMEOUT,
        }
    )
