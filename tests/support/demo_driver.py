"""A demo driver (the mock cloud under another name and account) offered by a
plugin with a demo account and CIMI seed data, for the tests of what
frontends ask of drivers."""

from __future__ import annotations

import base64
from pathlib import Path

from flask import Flask

from deltaflask import DriverSpec
from deltaflask import create_app
from deltaflask import hookimpl
from deltaflask.plugins.mock.driver import MockDriver

DEMO_USER = "demo-user"


DEMO_PASSWORD = "demo-secret"


class DemoDriver(MockDriver):
    """The mock cloud under another name and account."""

    def valid_credentials(self) -> bool:
        creds = self._credentials
        return creds is not None and (creds.user, creds.password) == (
            DEMO_USER,
            DEMO_PASSWORD,
        )


class DemoPlugin:
    """Offers ``demo`` with a demo account, and seeds its CIMI scopes from
    ``seed`` (a folder laid out like ``mock/cimi``)."""

    def __init__(self, seed: Path | None = None) -> None:
        self.seed = seed

    @hookimpl
    def register_drivers(self) -> list[DriverSpec]:
        return [
            DriverSpec(
                "demo",
                "Demo",
                f"{__name__}:DemoDriver",
                sample_credentials=(DEMO_USER, DEMO_PASSWORD),
            )
        ]

    @hookimpl
    def cimi_seed(self, driver_name: str) -> Path | None:
        return self.seed if driver_name == "demo" else None


def demo_app(tmp_path: Path, seed: Path | None = None) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "MOCK_STORAGE": str(tmp_path / "mock"),
            "CIMI_STORAGE": str(tmp_path / "cimi"),
            "FRONTENDS": ["deltacloud", "cimi"],
            "EXTRA_PLUGINS": [DemoPlugin(seed)],
        }
    )


def basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def cimi_names(app: Flask, driver: str, user: str, password: str) -> set[str]:
    answer = app.test_client().get(
        "/cimi/network_templates?format=json",
        headers={**basic(user, password), "X-Deltacloud-Driver": driver},
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return {entry["name"] for entry in answer.get_json().get("networkTemplates", [])}
