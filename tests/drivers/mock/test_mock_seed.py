"""The mock cloud's seed data (``mock/``) agrees with itself (issue 19.K3).

Every cross-reference between seed records is checked both ways: volume
attachments and the instances' volume lists, addresses, network interfaces,
subnets and networks, snapshots, load balancers, buckets and blobs, images,
realms and hardware profiles, and the CIMI system components.
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any

import pytest

from deltaflask.plugins.mock.profiles import HARDWARE_PROFILES
from deltaflask.plugins.mock.profiles import REALM_IDS
from deltaflask.resources import resource_dir
from tests.support.helpers import parse_xml

SEED = resource_dir("mock")


def records(collection: str) -> dict[str, dict[str, Any]]:
    """The seed records of ``collection`` by id (checking each file's name)."""
    found = {}
    for path in sorted((SEED / collection).glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data["id"] == path.stem, f"{path} holds id {data['id']!r}"
        found[data["id"]] = data
    assert found, f"no seed records in {collection}"
    return found


INSTANCES = records("instances")
VOLUMES = records("storage_volumes")


def attached_volumes(instance: dict[str, Any]) -> dict[str, str]:
    """Volume id -> device, as the instance lists them."""
    return {
        volume: device
        for mapping in instance.get("storage_volumes") or []
        for volume, device in mapping.items()
    }


def test_every_volume_attachment_is_on_its_instance() -> None:
    for volume in VOLUMES.values():
        instance_id = volume.get("instance_id")
        if instance_id is None:
            assert volume["state"] == "AVAILABLE" and volume["device"] is None, volume
            continue
        assert volume["state"] == "IN-USE", volume
        assert instance_id in INSTANCES, volume
        listed = attached_volumes(INSTANCES[instance_id])
        assert listed.get(volume["id"]) == volume["device"], (volume, listed)


def test_every_instance_volume_is_attached_to_it() -> None:
    for instance in INSTANCES.values():
        for volume_id, device in attached_volumes(instance).items():
            volume = VOLUMES[volume_id]
            assert volume["instance_id"] == instance["id"], (instance["id"], volume)
            assert volume["device"] == device


def test_instances_refer_to_existing_images_realms_and_profiles() -> None:
    images = records("images")
    profiles = {profile.id for profile in HARDWARE_PROFILES}
    for instance in INSTANCES.values():
        assert instance["image_id"] in images, instance["id"]
        assert instance["realm_id"] in REALM_IDS, instance["id"]
        assert instance["instance_profile"]["id"] in profiles, instance["id"]


def test_addresses_point_at_instances_that_show_them() -> None:
    for address in records("addresses").values():
        instance_id = address.get("instance_id")
        if instance_id is None:
            continue
        shown = [a["address"] for a in INSTANCES[instance_id]["public_addresses"]]
        assert address["id"] in shown, (address, shown)


def test_network_interfaces_and_instances_agree() -> None:
    nics = records("network_interfaces")
    subnets = records("subnets")
    for nic in nics.values():
        assert nic["id"] in INSTANCES[nic["instance"]].get("network_interfaces", [])
        subnet = subnets[nic.get("subnet") or nic["network"]]
        if "subnet" in nic:
            assert nic["network"] == subnet["network"], nic
        block = ipaddress.ip_network(subnet["address_block"])
        assert ipaddress.ip_address(nic["ip_address"]) in block, nic
    for instance in INSTANCES.values():
        for nic_id in instance.get("network_interfaces") or []:
            assert nics[nic_id]["instance"] == instance["id"], (instance["id"], nic_id)


def test_networks_and_subnets_agree() -> None:
    networks = records("networks")
    subnets = records("subnets")
    for network in networks.values():
        blocks = [ipaddress.ip_network(b) for b in network["address_blocks"]]
        for subnet_id in network["subnets"]:
            subnet = ipaddress.ip_network(subnets[subnet_id]["address_block"])
            assert subnets[subnet_id]["network"] == network["id"]
            assert any(subnet.subnet_of(block) for block in blocks), subnet_id
    for subnet in subnets.values():
        assert subnet["id"] in networks[subnet["network"]]["subnets"]


def test_snapshots_load_balancers_and_firewalls_refer_to_existing_records() -> None:
    for snapshot in records("storage_snapshots").values():
        assert snapshot["storage_volume_id"] in VOLUMES, snapshot
    for balancer in records("load_balancers").values():
        assert set(balancer["instances"]) <= set(INSTANCES), balancer
        assert set(balancer["realms"]) <= REALM_IDS, balancer
    for firewall in records("firewalls").values():
        assert firewall["owner_id"] == "mockuser", firewall


def test_buckets_list_exactly_their_blobs() -> None:
    for bucket in records("buckets").values():
        folder = SEED / "blobs" / bucket["id"]
        blobs = {p.stem for p in folder.glob("*.json")}
        assert sorted(bucket["blob_list"]) == sorted(blobs), bucket["id"]
        assert bucket["size"] == len(blobs)
        for blob_id in blobs:
            blob = json.loads((folder / f"{blob_id}.json").read_text("utf-8"))
            assert blob["bucket"] == bucket["id"] and blob["id"] == blob_id
            data = (folder / f"{blob_id}.data").read_bytes()
            assert blob["content_length"] == len(data), blob_id


@pytest.mark.parametrize(
    ("folder", "key", "collection"),
    [
        ("system_machine", "machine", "instances"),
        ("system_volume", "volume", "storage_volumes"),
    ],
)
def test_cimi_system_components_name_seed_records(
    folder: str, key: str, collection: str
) -> None:
    known = records(collection)
    for path in (SEED / "cimi" / folder).glob("*.json"):
        component = json.loads(path.read_text(encoding="utf-8"))
        target = component[key]["href"].rsplit("/", 1)[-1]
        assert target in known, (path.name, target)


def test_inst1_shows_vol3_through_the_api(client, xml, json_headers) -> None:
    """The running mock shows the attachment from both sides."""
    instance = parse_xml(client.get("/api/instances/inst1", headers=xml))
    listed = instance.findall("storage_volumes/storage_volume")
    assert [(v.get("id"), v.get("device")) for v in listed] == [("vol3", "/dev/sda1")]
    volume = client.get("/api/storage_volumes/vol3", headers=json_headers).get_json()
    assert volume["storage_volume"]["instance"]["id"] == "inst1", volume
