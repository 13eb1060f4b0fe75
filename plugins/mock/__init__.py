"""The mock cloud driver plugin: a cloud mirroring Deltacloud's mock, in JSON
files or (with ``DATABASE_URL``) in the PostgreSQL database every node shares."""

from pathlib import Path

from flask import Flask

from deltaflask import DriverSpec
from deltaflask import hookimpl
from deltaflask.plugins.mock.backends import sweep_mock
from deltaflask.plugins.mock.base import MOCK_PASSWORD as MOCK_PASSWORD
from deltaflask.plugins.mock.base import MOCK_USER as MOCK_USER
from deltaflask.resources import resource_dir


@hookimpl
def register_drivers() -> list[DriverSpec]:
    """Offer the mock driver."""
    return [
        DriverSpec(
            "mock",
            "Mock",
            "deltaflask.plugins.mock.driver:MockDriver",
            sample_credentials=(MOCK_USER, MOCK_PASSWORD),
        )
    ]


@hookimpl
def cimi_seed(driver_name: str) -> Path | None:
    """The original mock's CIMI entities, for the mock driver's CIMI scopes."""
    return resource_dir("mock") / "cimi" if driver_name == "mock" else None


@hookimpl
def prepare_app(app: Flask) -> None:
    """Sweep what killed or abandoned uploads left in the mock cloud."""
    sweep_mock(app.config)
