"""What a frontend needs from a driver comes through the plugin contract, never
from the driver's name: a demo account (``DriverSpec.sample_credentials``) and
CIMI seed data (the ``cimi_seed`` hook) work for any driver that declares them."""

from __future__ import annotations

import base64
import html
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from deltaflask import DriverSpec
from deltaflask import create_app
from deltaflask import hookimpl
from deltaflask.plugins.mock.driver import MockDriver
from tests.ec2_support import client
from tests.ec2_support import serve

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


@pytest.mark.parametrize(
    ("driver", "hint"),
    [
        ("demo", f"The demo driver's credentials are {DEMO_USER} / {DEMO_PASSWORD}."),
        ("mock", "The mock driver's credentials are mockuser / mockpassword."),
    ],
)
def test_the_401_page_shows_the_account_the_driver_declares(
    tmp_path: Path, driver: str, hint: str
) -> None:
    answer = (
        demo_app(tmp_path).test_client().get(f"/api;driver={driver}/realms?format=html")
    )
    assert answer.status_code == 401
    assert hint in html.unescape(answer.get_data(as_text=True))


def test_a_driver_without_a_demo_account_shows_no_hint(tmp_path: Path) -> None:
    answer = demo_app(tmp_path).test_client().get("/api;driver=ec2/realms?format=html")
    assert answer.status_code == 401
    assert "credentials are" not in answer.get_data(as_text=True)


@pytest.fixture
def demo_ec2(tmp_path: Path) -> Iterator[str]:
    with serve(tmp_path, DRIVER="demo", EXTRA_PLUGINS=[DemoPlugin()]) as url:
        yield url


def test_the_ec2_frontend_accepts_the_default_drivers_demo_account(
    demo_ec2: str,
) -> None:
    zones = client(demo_ec2, DEMO_USER, DEMO_PASSWORD).describe_availability_zones()
    assert zones["AvailabilityZones"]


def cimi_names(app: Flask, driver: str, user: str, password: str) -> set[str]:
    answer = app.test_client().get(
        "/cimi/network_templates?format=json",
        headers={**basic(user, password), "X-Deltacloud-Driver": driver},
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return {entry["name"] for entry in answer.get_json().get("networkTemplates", [])}


def test_cimi_seeds_a_scope_from_the_drivers_hook(tmp_path: Path) -> None:
    seeded = cimi_names(
        demo_app(tmp_path / "a", seed=Path(__file__).parent.parent / "mock" / "cimi"),
        "demo",
        DEMO_USER,
        DEMO_PASSWORD,
    )
    assert seeded
    unseeded = cimi_names(demo_app(tmp_path / "b"), "demo", DEMO_USER, DEMO_PASSWORD)
    assert unseeded == set()
    mock = cimi_names(demo_app(tmp_path / "c"), "mock", "mockuser", "mockpassword")
    assert mock == seeded
