"""What OpenNebula's objects become through /api, checked on both sides: the
answer, and what the fake oned was asked to do (the VM's merged template)."""

from __future__ import annotations

import base64

import pytest
from flask.testing import FlaskClient

from deltaflask.testing.api import answer
from deltaflask.testing.api import error_message
from tests.drivers.opennebula.conftest import ADMIN
from tests.fakes.opennebula.server import FakeOned

pytestmark = pytest.mark.xdist_group("opennebula")


def get(one: FlaskClient, url: str) -> dict:
    return answer(one.get(url, headers=ADMIN))


def launch(one: FlaskClient, **params: str) -> dict:
    return answer(one.post("/api/instances", data=params, headers=ADMIN), 201)[
        "instance"
    ]


def test_templates_are_images(one: FlaskClient) -> None:
    image = get(one, "/api/images/0")["image"]
    assert (image["name"], image["owner"], image["architecture"]) == (
        "ttylinux",
        "oneadmin",
        "x86_64",
    )
    assert image["description"] == "A tiny Linux to try things"
    assert {p["id"] for p in image["hardware_profiles"]} == {"0", "1"}
    arm = get(one, "/api/images?architecture=aarch64")["images"]
    assert [i["id"] for i in arm] == ["2"]
    assert get(one, "/api/images?owner_id=alice")["images"] == []


def test_template_capacities_are_hardware_profiles(one: FlaskClient) -> None:
    profile = get(one, "/api/hardware_profiles/2")["hardware_profile"]
    assert profile["name"] == "debian-arm"
    assert profile["properties"] == {
        "cpu": "4",
        "memory": "4096",
        "architecture": "aarch64",
    }
    tiny = get(one, "/api/hardware_profiles/0")["hardware_profile"]
    assert tiny["properties"]["cpu"] == "1"  # VCPU, not the 0.1 CPU share


def test_clusters_are_realms_available_while_a_host_is_monitored(
    one: FlaskClient, oned: FakeOned
) -> None:
    oned.cloud.hosts[1]["state"] = 4  # DISABLED
    realms = {r["id"]: r for r in get(one, "/api/realms")["realms"]}
    assert realms["0"]["name"] == "default"
    assert (realms["0"]["state"], realms["100"]["state"]) == (
        "AVAILABLE",
        "UNAVAILABLE",
    )


def test_a_launch_merges_profile_realm_and_user_data_into_the_template(
    one: FlaskClient, oned: FakeOned
) -> None:
    user_data = base64.b64encode(b"#cloud-config\nhostname: web\n").decode()
    instance = launch(
        one,
        image_id="0",
        hwp_id="1",
        realm_id="100",
        name="web",
        user_data=user_data,
    )
    assert (instance["name"], instance["realm"]["id"]) == ("web", "100")
    assert instance["hardware_profile"]["properties"] == {"cpu": "2", "memory": "2048"}
    vm = oned.cloud.vms[int(instance["id"])]
    template = vm["template"]
    assert (template["CPU"], template["VCPU"], template["MEMORY"]) == ("1", "2", "2048")
    assert template["TEMPLATE_ID"] == "0"
    assert vm["user_template"]["SCHED_REQUIREMENTS"] == 'CLUSTER_ID = "100"'
    assert vm["history"][-1]["hostname"] == "host02"
    assert template["CONTEXT"] == {
        "NETWORK": "YES",
        "SSH_PUBLIC_KEY": "$USER[SSH_PUBLIC_KEY]",
        "USER_DATA": user_data,
        "USERDATA_ENCODING": "base64",
    }
    in_realm = get(one, "/api/instances?realm_id=100")["instances"]
    assert [i["id"] for i in in_realm] == [instance["id"]]
    assert get(one, "/api/instances?realm_id=0")["instances"] == []


def test_several_instances_from_one_launch(one: FlaskClient, oned: FakeOned) -> None:
    launched = answer(
        one.post(
            "/api/instances",
            data={"image_id": "1", "instance_count": "3"},
            headers=ADMIN,
        ),
        201,
    )["instances"]
    assert len(launched) == 3
    assert sorted(oned.cloud.vms) == sorted(int(i["id"]) for i in launched)


def test_a_launch_without_a_name_gets_onenebulas_name(one: FlaskClient) -> None:
    instance = launch(one, image_id="1")
    assert instance["name"] == f"ubuntu-22.04-{instance['id']}"


def test_a_launch_with_a_key_is_refused(one: FlaskClient, oned: FakeOned) -> None:
    response = one.post(
        "/api/instances", data={"image_id": "1", "password": "x"}, headers=ADMIN
    )
    assert "SSH_PUBLIC_KEY" in error_message(response, 400)
    assert oned.cloud.vms == {}


def test_destroying_an_image_deletes_the_template(
    one: FlaskClient, oned: FakeOned
) -> None:
    assert one.delete("/api/images/2", headers=ADMIN).status_code == 204
    assert 2 not in oned.cloud.templates
    error_message(one.get("/api/images/2", headers=ADMIN), 404)


# networks and subnets ----------------------------------------------------------------
def test_virtual_networks_and_address_ranges(one: FlaskClient) -> None:
    network = get(one, "/api/networks/0")["network"]
    assert network["name"] == "public"
    assert [s["id"] for s in network["subnets"]] == ["0-ar0"]
    subnet = get(one, "/api/subnets/0-ar0")["subnet"]
    # an AR of 100 leases from .2 is no block: the smallest covering one
    assert subnet["address_block"] == "192.168.150.0/25"
    assert subnet["network"]["id"] == "0"


def test_a_subnet_leases_its_host_addresses_and_places_instances(
    one: FlaskClient, oned: FakeOned
) -> None:
    network = answer(one.post("/api/networks", data={"name": "lab"}, headers=ADMIN))[
        "network"
    ]
    assert network["address_blocks"] == []
    vnet = oned.cloud.vnets[int(network["id"])]
    assert (vnet["name"], vnet["vn_mad"]) == ("lab", "bridge")
    subnet = answer(
        one.post(
            "/api/subnets",
            data={"network_id": network["id"], "address_block": "10.9.0.0/29"},
            headers=ADMIN,
        )
    )["subnet"]
    ar = vnet["ars"][0]
    assert (ar.ip(0), ar.size) == ("10.9.0.1", 6)
    assert subnet["address_block"] == "10.9.0.0/29"
    instance = launch(one, image_id="0", subnet_id=subnet["id"])
    binding = instance["network_bindings"]
    assert [
        (b["network"]["id"], b["subnet"]["id"], b["ip_address"]) for b in binding
    ] == [(network["id"], subnet["id"], "10.9.0.1")]
    nics = oned.cloud.vms[int(instance["id"])]["template"]["NIC"]
    assert [n["NETWORK_ID"] for n in nics] == [
        network["id"]
    ]  # the template's NIC replaced


@pytest.mark.parametrize(
    ("data", "status", "words"),
    [
        ({"network_id": "0", "address_block": "192.168.150.0/26"}, 409, "overlaps"),
        ({"network_id": "0", "address_block": "10.1.0.0/24"}, 400, "outside"),
        ({"network_id": "0", "address_block": "fd00::/64"}, 400, "IPv4"),
        (
            {"network_id": "0", "address_block": "192.168.150.200/29", "realm_id": "5"},
            400,
            "Realm '5'",
        ),
        ({"network_id": "99", "address_block": "10.1.0.0/24"}, 400, "Network '99'"),
    ],
)
def test_bad_subnets_are_refused(
    one: FlaskClient, oned: FakeOned, data: dict[str, str], status: int, words: str
) -> None:
    assert words in error_message(
        one.post("/api/subnets", data=data, headers=ADMIN), status
    )
    assert len(oned.cloud.vnets[0]["ars"]) == 1


def test_opennebula_vn_mad_chooses_the_driver_of_new_networks(
    one: FlaskClient, oned: FakeOned, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENNEBULA_VN_MAD", "vxlan")
    made = one.post(
        "/api/networks", data={"address_block": "10.4.0.0/16"}, headers=ADMIN
    )
    network = answer(made)["network"]
    assert network["address_blocks"] == ["10.4.0.0/16"]
    vnet = oned.cloud.vnets[int(network["id"])]
    assert vnet["vn_mad"] == "vxlan"
    assert (vnet["template"]["NETWORK_ADDRESS"], vnet["template"]["NETWORK_MASK"]) == (
        "10.4.0.0",
        "255.255.0.0",
    )
