"""The library against a live deltaflask on the ec2 driver, itself against a
moto server: the same calls as on the mock, a real pending -> running wait,
segmented blobs on S3, and a collection the driver lacks."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from deltaflask.client import CapabilityMissing
from deltaflask.client import Client
from deltaflask.client import NotFound
from deltaflask.client.client import KINDS
from tests.client.support import Api

MIB = 1024 * 1024
#: the collections moto starts with members of (the rest are created below)
SEEDED = (
    "drivers",
    "hardware_profiles",
    "images",
    "realms",
    "firewalls",
    "networks",
    "subnets",
)


@pytest.fixture
def api(ec2_api: Api) -> Iterator[Client]:
    with ec2_api.client() as client:
        yield client


def test_discovery_on_ec2(api: Client) -> None:
    assert (api.entry.driver, api.entry.provider) == ("ec2", "us-east-1")
    assert api.entry.has_feature("instances", "user_data")
    assert "metrics" not in api.entry.collections


def test_a_collection_the_driver_lacks_is_refused_before_any_request(
    api: Client, ec2_api: Api
) -> None:
    with pytest.raises(CapabilityMissing, match="ec2 driver offers no metrics") as err:
        api.metrics.list()
    assert err.value.exit_code == 6
    # the same through a client that has not read the entry point yet: it
    # reads it, then refuses
    with ec2_api.client() as fresh, pytest.raises(CapabilityMissing):
        fresh.metrics.get("i-123")


@pytest.mark.parametrize("name", SEEDED)
def test_seeded_collections_list_and_show(api: Client, name: str) -> None:
    items = api.collection(name).list()
    assert items
    assert all(type(item) is KINDS[name] for item in items)
    assert api.collection(name).get(items[0].id) == items[0]


def test_instance_lifecycle_with_waits(api: Client) -> None:
    image = api.images.list()[0]
    key = api.keys.create(name="client-ec2-key")
    instance = image.launch(hwp_id="t2.micro", keyname=key.id, realm_id="us-east-1a")
    assert instance.realm_id == "us-east-1a"
    instance.wait_for("RUNNING", timeout=60, interval=0.5)
    assert instance.id in [i.id for i in api.instances.list()]
    instance.stop().wait_for("STOPPED", timeout=60, interval=0.5)
    instance.start().wait_for("RUNNING", timeout=60, interval=0.5)
    instance.stop().wait_for("STOPPED", timeout=60, interval=0.5)
    instance.destroy()
    instance.wait_until_gone(timeout=60, interval=0.5)
    key.destroy()
    with pytest.raises(NotFound):
        api.keys.get(key.id)


def test_volumes_snapshots_addresses_firewalls(api: Client) -> None:
    instance = api.images.list()[0].launch(realm_id="us-east-1a")
    instance.wait_for("RUNNING", timeout=60, interval=0.5)
    volume = api.storage_volumes.create(capacity="1", realm_id="us-east-1a")
    volume.wait_for("AVAILABLE", timeout=60, interval=0.5)
    volume.attach(instance, device="/dev/sdf").wait_for("IN-USE", 60, 0.5)
    assert volume.instance_id == instance.id
    volume.detach().wait_for("AVAILABLE", 60, 0.5)
    snapshot = volume.snapshot()
    assert snapshot.volume_id == volume.id
    snapshot.destroy()
    volume.destroy()
    address = api.addresses.create()
    address.associate(instance)
    assert address.refresh().instance_id == instance.id
    address.disassociate()
    address.destroy()
    firewall = api.firewalls.create(name="client-ec2-fw", description="client")
    firewall.add_rule("tcp", 22, 22, ["10.0.0.0/8"])
    assert [r["port_from"] for r in firewall.rules] == ["22"]
    firewall.destroy()
    instance.stop().wait_for("STOPPED", 60, 0.5)
    instance.destroy()


def test_load_balancer_and_network_interfaces(api: Client) -> None:
    balancer = api.load_balancers.create(
        name="client-lb",
        realm_id="us-east-1a",
        listener_protocol="HTTP",
        listener_balancer_port="80",
        listener_instance_port="8080",
    )
    assert api.load_balancers.get(balancer.id) == balancer
    balancer.destroy()
    subnet = api.subnets.list()[0]
    instance = api.images.list()[0].launch(subnet_id=subnet.id)
    instance.wait_for("RUNNING", 60, 0.5)
    nic = api.network_interfaces.create(instance=instance.id, network=subnet.id)
    assert nic.instance_id == instance.id
    assert nic in api.network_interfaces.list()
    nic.destroy()


def test_segmented_blob_on_s3(api: Client, tmp_path: Path) -> None:
    source = tmp_path / "twelve.bin"
    source.write_bytes(bytes(range(256)) * (12 * MIB // 256))
    bucket = api.buckets.create(name="client-ec2-bucket")
    blob = bucket.upload(
        "twelve.bin",
        source,
        threshold=MIB,
        part_size=5 * MIB,
        workers=3,
        state_dir=tmp_path / "state",
    )
    assert blob.size == 12 * MIB
    copy = tmp_path / "copy.bin"
    assert bucket.blob("twelve.bin").download(copy) == 12 * MIB
    assert (
        hashlib.sha256(copy.read_bytes()).digest()
        == hashlib.sha256(source.read_bytes()).digest()
    )
    assert list((tmp_path / "state").iterdir()) == []
    blob.destroy()
    bucket.destroy()
