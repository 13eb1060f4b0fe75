"""How the opennebula driver answers oned's errors: rejected sessions 401,
refused authorization 403, unknown objects 404 (400 when a request names
them), refused actions 405/409, faults and internal errors 502, time-outs 504;
never a 500, and a refused launch leaves no VM behind."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from deltaflask import create_app
from deltaflask.drivers import BaseDriver
from deltaflask.errors import ObjectNotFound
from deltaflask.testing.api import answer
from deltaflask.testing.api import error_message
from tests.drivers.opennebula.conftest import ADMIN
from tests.drivers.opennebula.conftest import basic
from tests.fakes.opennebula.server import FakeOned
from tests.support.moto_server import free_port

pytestmark = pytest.mark.xdist_group("opennebula")
ALICE = basic("alice", "wonderland")


def live_vms(oned: FakeOned) -> list[int]:
    """The VMs oned keeps that are not DONE."""
    return [vm_id for vm_id, vm in oned.cloud.vms.items() if vm["state"] != 6]


# credentials ---------------------------------------------------------------------
def test_a_wrong_password_is_401_and_never_echoed(one: FlaskClient) -> None:
    response = one.get("/api/instances", headers=basic("oneadmin", "s3cr3t-guess"))
    message = error_message(response, 401)
    assert "rejected" in message
    assert "s3cr3t-guess" not in response.get_data(as_text=True)


def test_force_auth_checks_the_session_with_oned(
    one: FlaskClient, oned: FakeOned
) -> None:
    answer(one.get("/api?force_auth=1", headers=ADMIN))
    assert oned.calls == ["one.user.info"]
    error_message(one.get("/api?force_auth=1", headers=basic("oneadmin", "no")), 401)


def test_the_entry_point_does_not_call_oned(one: FlaskClient, oned: FakeOned) -> None:
    answer(one.get("/api", headers=ADMIN))
    assert oned.calls == []


def test_what_another_user_owns_is_403_or_invisible(
    one: FlaskClient, oned: FakeOned
) -> None:
    created = one.post("/api/instances", data={"image_id": "1"}, headers=ADMIN)
    vm_id = answer(created, 201)["instance"]["id"]
    error_message(one.delete("/api/images/1", headers=ALICE), 403)
    assert 1 in oned.cloud.templates
    assert answer(one.get("/api/instances", headers=ALICE))["instances"] == []
    error_message(one.post(f"/api/instances/{vm_id}/stop", headers=ALICE), 403)


# unknown objects -----------------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [
        "/api/images/99",
        "/api/images/no-such",
        "/api/hardware_profiles/99",
        "/api/realms/42",
        "/api/instances/99",
        "/api/instances/-1",
        "/api/networks/99",
        "/api/subnets/0-ar9",
        "/api/subnets/nonsense",
    ],
)
def test_unknown_ids_are_404(one: FlaskClient, url: str) -> None:
    error_message(one.get(url, headers=ADMIN), 404)


@pytest.mark.parametrize(
    "url",
    [
        "/api/images/99",
        "/api/instances/99",
        "/api/networks/99",
        "/api/subnets/99-ar0",
        "/api/subnets/0-ar9",
    ],
)
def test_deleting_unknown_ids_is_404(one: FlaskClient, url: str) -> None:
    error_message(one.delete(url, headers=ADMIN), 404)


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"image_id": "99"}, "Image '99' does not exist"),
        ({"image_id": "ubuntu"}, "Image 'ubuntu' does not exist"),
        ({"image_id": "1", "hwp_id": "99"}, "Hardware profile '99' does not exist"),
        ({"image_id": "1", "hwp_id": "2", "hwp_memory": "1"}, "hwp_memory=1"),
        ({"image_id": "1", "realm_id": "7"}, "Realm '7' does not exist"),
        ({"image_id": "1", "network_id": "99"}, "Network '99' does not exist"),
        ({"image_id": "1", "subnet_id": "0-ar5"}, "Subnet '0-ar5' does not exist"),
        ({"image_id": "1", "subnet_id": "zero"}, "Subnet 'zero' does not exist"),
        ({"image_id": "1", "user_data": "not base64!"}, "base64"),
        ({"image_id": "1", "instance_count": "21"}, "instance_count"),
    ],
)
def test_a_launch_naming_unknown_things_is_400_and_makes_nothing(
    one: FlaskClient, oned: FakeOned, params: dict[str, str], words: str
) -> None:
    response = one.post("/api/instances", data=params, headers=ADMIN)
    assert words in error_message(response, 400)
    assert oned.cloud.vms == {}
    assert "one.template.instantiate" not in oned.calls


# refused actions -----------------------------------------------------------------
def test_a_network_or_subnet_in_use_is_409(one: FlaskClient, oned: FakeOned) -> None:
    created = one.post("/api/instances", data={"image_id": "0"}, headers=ADMIN)
    answer(created, 201)  # ttylinux takes a lease of network 0
    error_message(one.delete("/api/subnets/0-ar0", headers=ADMIN), 409)
    error_message(one.delete("/api/networks/0", headers=ADMIN), 409)
    assert oned.cloud.vnets[0]["ars"]


# faults and time-outs -----------------------------------------------------------
@pytest.mark.parametrize("kind", ["fault", "internal"])
def test_oned_failing_is_502_with_its_message(
    one: FlaskClient, oned: FakeOned, kind: str
) -> None:
    oned.inject("one.vmpool.infoextended", kind)  # type: ignore[arg-type]
    message = error_message(one.get("/api/instances", headers=ADMIN), 502)
    assert "OpenNebula failed" in message


def test_oned_too_slow_is_504(one: FlaskClient, oned: FakeOned) -> None:
    oned.inject("one.clusterpool.info", "delay", seconds=3)
    message = error_message(one.get("/api/realms", headers=ADMIN), 504)
    assert "did not answer in time" in message


def test_the_server_wide_provider_timeout_applies(
    one_app: Flask, oned: FakeOned
) -> None:
    config = {**one_app.config, "PROVIDER_TIMEOUT": 1}
    del config["OPENNEBULA_TIMEOUT"]
    oned.inject("one.clusterpool.info", "delay", seconds=3)
    client = create_app(config).test_client()
    message = error_message(client.get("/api/realms", headers=ADMIN), 504)
    assert "did not answer in time" in message


def test_an_unreachable_endpoint_is_502(one: FlaskClient) -> None:
    headers = {**ADMIN, "X-Deltacloud-Provider": f"http://127.0.0.1:{free_port()}/RPC2"}
    assert "Cannot reach" in error_message(one.get("/api/realms", headers=headers), 502)


def test_an_endpoint_that_is_not_oned_is_502(one: FlaskClient, oned: FakeOned) -> None:
    wrong_path = oned.endpoint.replace("/RPC2", "/xmlrpc")
    headers = {**ADMIN, "X-Deltacloud-Provider": wrong_path}
    message = error_message(one.get("/api/realms", headers=headers), 502)
    assert "HTTP 404" in message and "RPC2" in message


# nothing half-created -------------------------------------------------------------
def test_a_launch_failing_part_way_takes_back_the_vms_it_made(
    one: FlaskClient, oned: FakeOned
) -> None:
    oned.inject("one.template.instantiate", "internal", skip=2)
    response = one.post(
        "/api/instances",
        data={"image_id": "0", "instance_count": "3"},
        headers=ADMIN,
    )
    error_message(response, 502)
    assert len(oned.cloud.vms) == 2
    assert live_vms(oned) == []
    assert all(not ar.leases for ar in oned.cloud.vnets[0]["ars"])
    assert answer(one.get("/api/instances", headers=ADMIN))["instances"] == []


def test_a_subnet_gives_each_instance_a_free_address_or_a_409(
    one: FlaskClient, oned: FakeOned
) -> None:
    """The driver asks oned for a free address of the subnet per instance;
    when there are too few, nothing is instantiated."""
    subnet = answer(
        one.post(
            "/api/subnets",
            data={"network_id": "0", "address_block": "192.168.150.128/30"},
            headers=ADMIN,
        )
    )["subnet"]
    placed = {"image_id": "1", "subnet_id": subnet["id"]}
    too_many = one.post(
        "/api/instances", data={**placed, "instance_count": "3"}, headers=ADMIN
    )
    assert "no free address for 3" in error_message(too_many, 409)
    assert oned.cloud.vms == {}
    both = one.post(  # a /30 leases two host addresses, one for each
        "/api/instances", data={**placed, "instance_count": "2"}, headers=ADMIN
    )
    addresses = [
        i["public_addresses"][0]["address"] for i in answer(both, 201)["instances"]
    ]
    assert addresses == ["192.168.150.129", "192.168.150.130"]
    full = one.post("/api/instances", data=placed, headers=ADMIN)
    assert "no free address" in error_message(full, 409)
    assert len(live_vms(oned)) == 2


def test_destroying_an_unknown_vm_on_the_driver_is_a_typed_404(
    one_driver: BaseDriver,
) -> None:
    for unknown in ("77", "vm-1", ""):
        with pytest.raises(ObjectNotFound):
            one_driver.destroy_instance(unknown)


def test_a_vm_that_cannot_be_taken_back_is_named_in_the_error(
    one: FlaskClient, oned: FakeOned
) -> None:
    oned.inject("one.template.instantiate", "internal", skip=1)
    oned.inject("one.vm.action", "fault")
    response = one.post(
        "/api/instances", data={"image_id": "1", "instance_count": "2"}, headers=ADMIN
    )
    assert "VMs [0] of this launch could not be terminated" in error_message(
        response, 502
    )


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/api/networks", {"name": "a]]><VN_MAD>x</VN_MAD><![CDATA["}),
        ("/api/storage_volumes", {"capacity": "1", "name": "v]]>"}),
        ("/api/storage_volumes", {"capacity": "1", "description": "]]>"}),
    ],
)
def test_text_that_would_end_a_cdata_section_is_400(
    one: FlaskClient, oned: FakeOned, url: str, data: dict[str, str]
) -> None:
    assert "]]>" in error_message(one.post(url, data=data, headers=ADMIN), 400)
    assert list(oned.cloud.vnets) == [0] and list(oned.cloud.images) == [0]
