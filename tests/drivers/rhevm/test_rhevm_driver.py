"""The rhevm driver's mapping and state machine against the fake engine:
the original's state mapping, stop as shutdown then power-off, hardware
profiles from instance types, NICs on logical networks without subnets, and
volumes that outlive the VM they were attached to."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from deltaflask.testing.api import action_rels
from deltaflask.testing.api import answer
from deltaflask.testing.api import error_message
from tests.fakes.rhevm.state import BLANK_TEMPLATE
from tests.fakes.rhevm.state import EngineState
from tests.support.rhevm_engine import credentials_header
from tests.support.rhevm_engine import engine as engine
from tests.support.rhevm_engine import rhevm_app as rhevm_app
from tests.support.rhevm_engine import rhevm_server as rhevm_server

pytestmark = pytest.mark.xdist_group("rhevm")
AUTH = credentials_header()


@pytest.fixture
def client(rhevm_app: Flask) -> FlaskClient:
    return rhevm_app.test_client()


def launch(client: FlaskClient, **params: str) -> dict:
    params.setdefault("image_id", BLANK_TEMPLATE)
    created = client.post("/api/instances", data=params, headers=AUTH)
    return dict(answer(created, 201)["instance"])


def shown(client: FlaskClient, instance_id: str) -> dict:
    return dict(
        answer(client.get(f"/api/instances/{instance_id}", headers=AUTH))["instance"]
    )


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("image_locked", "PENDING"),
        ("wait_for_launch", "PENDING"),
        ("powering_up", "PENDING"),
        ("reboot_in_progress", "PENDING"),
        ("up", "RUNNING"),
        ("migrating", "RUNNING"),
        ("powering_down", "STOPPING"),
        ("down", "STOPPED"),
        ("paused", "STOPPED"),
        ("suspended", "STOPPED"),
        ("not_responding", "STOPPED"),
    ],
)
def test_engine_status_maps_to_the_originals_state(
    client: FlaskClient, engine: EngineState, status: str, expected: str
) -> None:
    instance = launch(client)
    engine.vms[instance["id"]]["status"] = status
    assert shown(client, instance["id"])["state"] == expected


def test_state_machine_is_the_originals_with_reboot(client: FlaskClient) -> None:
    states = answer(client.get("/api/instance_states", headers=AUTH))
    moves = {
        (state["name"], t["to"], t.get("action") or "auto")
        for state in states
        for t in state["transitions"]
    }
    assert moves == {
        ("start", "pending", "auto"),
        ("pending", "stopped", "auto"),
        ("stopped", "running", "start"),
        ("running", "running", "reboot"),
        ("running", "stopping", "stop"),
        ("stopping", "stopped", "stop"),
        ("stopped", "finish", "destroy"),
    }


def test_stop_shuts_down_then_powers_off(
    client: FlaskClient, engine: EngineState
) -> None:
    instance = launch(client)
    url = f"/api/instances/{instance['id']}"
    answer(client.post(f"{url}/start", headers=AUTH), 202)
    engine.stubborn.add(instance["id"])  # the guest ignores the ACPI shutdown
    stopping = answer(client.post(f"{url}/stop", headers=AUTH), 202)
    assert stopping["state"] == "STOPPING"
    assert action_rels(shown(client, instance["id"])) == {"stop"}
    stopped = answer(client.post(f"{url}/stop", headers=AUTH), 202)
    assert stopped["state"] == "STOPPED"
    assert engine.vms[instance["id"]]["status"] == "down"


def test_profiles_are_instance_types_and_size_the_vm(
    client: FlaskClient, engine: EngineState
) -> None:
    listed = answer(client.get("/api/hardware_profiles", headers=AUTH))
    profiles = {p["id"]: p for p in listed["hardware_profiles"]}
    assert set(profiles) == {"template", "Small", "Medium"}
    medium = profiles["Medium"]["properties"]
    assert medium == {"cpu": "2", "memory": "4096"}
    instance = launch(client, hwp_id="Medium", hwp_memory="4096")
    vm = engine.vms[instance["id"]]
    assert (vm["cores"], vm["memory"]) == (2, 4096 * 1024**2)
    assert instance["hardware_profile"]["id"] == "Medium"
    template = launch(client, name="sized-by-template")
    assert template["hardware_profile"]["id"] == "template"
    assert engine.vms[template["id"]]["cores"] == 1


def test_user_data_becomes_the_cloud_init_script(
    client: FlaskClient, engine: EngineState
) -> None:
    import base64

    script = "#cloud-config\npackages: [httpd]\n"
    instance = launch(client, user_data=base64.b64encode(script.encode()).decode())
    assert engine.vms[instance["id"]]["custom_script"] == script


def test_networks_without_subnets_and_nics(
    client: FlaskClient, engine: EngineState
) -> None:
    networks = answer(client.get("/api/networks", headers=AUTH))["networks"]
    assert {n["name"] for n in networks} == {"ovirtmgmt", "backend"}
    assert all(n["address_blocks"] == [] for n in networks)
    error_message(client.get("/api/subnets", headers=AUTH), 412)
    error_message(client.post("/api/networks", data={"name": "new"}, headers=AUTH), 412)
    backend = next(n["id"] for n in networks if n["name"] == "backend")
    placed = launch(client, network_id=backend)
    bindings = shown(client, placed["id"])["network_bindings"]
    assert [(b["network"]["id"], b.get("subnet")) for b in bindings] == [
        (backend, None)
    ]

    instance = launch(client)
    created = client.post(
        "/api/network_interfaces",
        data={"instance": instance["id"], "network": backend, "name": "eth-backend"},
        headers=AUTH,
    )
    nic = answer(created, 200)["network_interface"]
    assert (
        shown(client, instance["id"])["network_bindings"][0]["network"]["id"] == backend
    )
    vm_nics = engine.vms[instance["id"]]["nics"]
    assert [n["name"] for n in vm_nics.values()] == ["eth-backend"]
    answer(client.delete(f"/api/network_interfaces/{nic['id']}", headers=AUTH), 204)
    assert engine.vms[instance["id"]]["nics"] == {}
    refused = client.post(
        "/api/network_interfaces",
        data={"instance": instance["id"], "network": "no-such-network"},
        headers=AUTH,
    )
    error_message(refused, 400)


def test_destroying_a_vm_keeps_its_attached_volume(
    client: FlaskClient, engine: EngineState
) -> None:
    instance = launch(client)
    volume = answer(
        client.post("/api/storage_volumes", data={"capacity": "3"}, headers=AUTH), 201
    )["storage_volume"]
    url = f"/api/storage_volumes/{volume['id']}"
    attached = client.post(
        f"{url}/attach",
        data={"instance_id": instance["id"], "device": "/dev/vdb"},
        headers=AUTH,
    )
    answer(attached, 202)
    attachment = engine.vms[instance["id"]]["disk_attachments"][volume["id"]]
    assert attachment["interface"] == "virtio"
    answer(client.delete(f"/api/instances/{instance['id']}", headers=AUTH), 204)
    kept = answer(client.get(url, headers=AUTH))["storage_volume"]
    assert (kept["state"], kept["capacity"]) == ("AVAILABLE", 3)
    bad_device = client.post(
        f"{url}/attach",
        data={"instance_id": launch(client)["id"], "device": "C:"},
        headers=AUTH,
    )
    assert "/dev/sdX" in error_message(bad_device, 400)
    unknown = client.post(
        f"{url}/attach",
        data={"instance_id": "no-such-vm", "device": "/dev/sdb"},
        headers=AUTH,
    )
    assert "Instance 'no-such-vm'" in error_message(unknown, 400)
