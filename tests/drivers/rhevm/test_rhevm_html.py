"""The HTML interface on the rhevm driver: every page of its collections
renders in every format, and the network interface form offers networks (the
cloud has no subnets) and creates a NIC when a browser sends it."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from deltaflask.testing.api import answer
from tests.fakes.rhevm.state import BLANK_TEMPLATE
from tests.fakes.rhevm.state import EngineState
from tests.support.html import BROWSER
from tests.support.html import browser_app
from tests.support.html import offered
from tests.support.html import send_form
from tests.support.rhevm_engine import credentials_header
from tests.support.rhevm_engine import engine as engine
from tests.support.rhevm_engine import rhevm_app as rhevm_app
from tests.support.rhevm_engine import rhevm_server as rhevm_server

pytestmark = pytest.mark.xdist_group("rhevm")
AUTH = credentials_header()
LOGIN = {"Authorization": AUTH["Authorization"]}


def populated(client: FlaskClient, engine: EngineState) -> dict[str, str]:
    """An instance on a network with a volume attached: the ids of each."""
    network = next(iter(engine.networks))
    instance = client.post(
        "/api/instances",
        data={"image_id": BLANK_TEMPLATE, "network_id": network, "name": "web"},
        headers=AUTH,
    )
    instance_id = answer(instance, 201)["instance"]["id"]
    volume = client.post("/api/storage_volumes", data={"capacity": "1"}, headers=AUTH)
    volume_id = answer(volume, 201)["storage_volume"]["id"]
    attached = client.post(
        f"/api/storage_volumes/{volume_id}/attach",
        data={"instance_id": instance_id, "device": "/dev/sdb"},
        headers=AUTH,
    )
    answer(attached, 202)
    nics = answer(client.get("/api/network_interfaces", headers=AUTH))
    return {
        "instances": instance_id,
        "storage_volumes": volume_id,
        "networks": network,
        "network_interfaces": nics["network_interfaces"][0]["id"],
        "images": BLANK_TEMPLATE,
        "realms": next(iter(engine.clusters)),
        "hardware_profiles": "Small",
    }


def test_every_page_renders_in_every_format(
    rhevm_app: Flask, engine: EngineState
) -> None:
    client = rhevm_app.test_client()
    ids = populated(client, engine)
    paths = ["/api", "/api/instance_states"]
    for collection, member in ids.items():
        paths += [f"/api/{collection}", f"/api/{collection}/{member}"]
    for path in paths:
        for fmt in ("xml", "json", "html"):
            response = client.get(f"{path}?format={fmt}", headers=LOGIN)
            assert response.status_code == 200, (path, fmt, response.status_code)
    for form in ("instances", "storage_volumes", "network_interfaces"):
        page = client.get(f"/api/{form}/new", headers={**LOGIN, **BROWSER})
        assert page.status_code == 200, (form, page.get_data(as_text=True))


def test_network_interface_form_offers_networks(
    rhevm_app: Flask, engine: EngineState
) -> None:
    client = rhevm_app.test_client()
    instance = client.post(
        "/api/instances", data={"image_id": BLANK_TEMPLATE}, headers=AUTH
    )
    instance_id = answer(instance, 201)["instance"]["id"]
    page = client.get("/api/network_interfaces/new", headers={**LOGIN, **BROWSER})
    html = page.get_data(as_text=True)
    assert "Subnet" not in html
    assert set(offered(html, "field-network")) == set(engine.networks)
    web = browser_app(rhevm_app, {**LOGIN, **BROWSER})
    backend = next(n for n, v in engine.networks.items() if v["name"] == "backend")
    sent = send_form(
        web,
        "/api/network_interfaces/new",
        "/api/network_interfaces",
        {"instance": instance_id, "network": backend, "name": "eth1"},
    )
    assert sent.status_int in (200, 303), sent.text
    nics = list(engine.vms[instance_id]["nics"].values())
    assert [n["name"] for n in nics] == ["eth1"]
