"""The contract suite a driver package subclasses, and its fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from deltaflask.drivers import BaseDriver
from deltaflask.testing.api import Headers
from deltaflask.testing.compute import ComputeScenarios
from deltaflask.testing.network import NetworkScenarios
from deltaflask.testing.objects import ObjectScenarios
from deltaflask.testing.storage import StorageScenarios
from deltaflask.testing.target import DriverUnderTest


class DriverContract(
    ComputeScenarios, NetworkScenarios, StorageScenarios, ObjectScenarios
):
    """Every scenario of the driver contract, through /api and on the object.

    Subclass it in a module named ``test_*.py`` (with a class name starting
    with ``Test``) and override the one fixture ``driver_under_test``. A
    scenario whose collections the driver does not offer checks that they
    answer 412 and ends there.
    """

    @pytest.fixture
    def driver_under_test(self) -> DriverUnderTest:
        """The driver to prove: override this fixture."""
        raise NotImplementedError(
            "override the driver_under_test fixture in your DriverContract subclass"
        )

    @pytest.fixture
    def driver_app(self, driver_under_test: DriverUnderTest) -> Flask:
        """A fresh application whose default driver is the one under test."""
        return driver_under_test.app()

    @pytest.fixture
    def driver_client(self, driver_app: Flask) -> FlaskClient:
        """A test client of ``driver_app``."""
        return driver_app.test_client()

    @pytest.fixture
    def driver_auth(self, driver_under_test: DriverUnderTest) -> Headers:
        """Headers that authenticate against the driver and ask for JSON."""
        return driver_under_test.auth_headers()

    @pytest.fixture
    def driver_name(self, driver_under_test: DriverUnderTest) -> str:
        """The name of the driver under test."""
        return driver_under_test.name

    @pytest.fixture
    def driver(
        self, driver_under_test: DriverUnderTest, driver_app: Flask
    ) -> Iterator[BaseDriver]:
        """A driver object, inside a request context of ``driver_app``."""
        with driver_app.test_request_context("/api"):
            yield driver_under_test.driver(driver_app)
