"""What a frontend needs from a driver comes through the plugin contract, never
from the driver's name: a demo account (``DriverSpec.sample_credentials``) and
CIMI seed data (the ``cimi_seed`` hook) work for any driver that declares them."""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.demo_driver import DEMO_PASSWORD
from tests.support.demo_driver import DEMO_USER
from tests.support.demo_driver import DemoPlugin
from tests.support.demo_driver import cimi_names
from tests.support.demo_driver import demo_app
from tests.support.ec2_frontend import client
from tests.support.ec2_frontend import serve
from tests.support.paths import REPO


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


def test_cimi_seeds_a_scope_from_the_drivers_hook(tmp_path: Path) -> None:
    seeded = cimi_names(
        demo_app(tmp_path / "a", seed=REPO / "mock" / "cimi"),
        "demo",
        DEMO_USER,
        DEMO_PASSWORD,
    )
    assert seeded
    unseeded = cimi_names(demo_app(tmp_path / "b"), "demo", DEMO_USER, DEMO_PASSWORD)
    assert unseeded == set()
    mock = cimi_names(demo_app(tmp_path / "c"), "mock", "mockuser", "mockpassword")
    assert mock == seeded
