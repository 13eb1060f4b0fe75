"""The library against a live deltaflask on the mock: discovery, every
collection, actions, waiting, typed errors, XML."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from defusedxml import ElementTree

from deltaflask.client import AuthenticationError
from deltaflask.client import BadRequest
from deltaflask.client import CapabilityMissing
from deltaflask.client import Client
from deltaflask.client import Instance
from deltaflask.client import NotFound
from deltaflask.client import StorageVolume
from deltaflask.client import WaitTimeout
from deltaflask.client.client import KINDS
from tests.client.support import Api


@pytest.fixture
def api(mock_api: Api) -> Iterator[Client]:
    with mock_api.client() as client:
        yield client


def test_discovery_reads_the_driver_and_its_collections(api: Client) -> None:
    entry = api.entry
    assert (entry.driver, entry.provider) == ("mock", "default")
    assert set(KINDS) <= set(entry.collections)
    assert entry.has_feature("instances", "authentication_key")
    assert not entry.has_feature("instances", "user_data")
    with pytest.raises(CapabilityMissing, match="user_data"):
        entry.require_feature("instances", "user_data")


@pytest.mark.parametrize("name", sorted(KINDS))
def test_every_collection_lists_and_shows_typed_objects(api: Client, name: str) -> None:
    items = api.collection(name).list()
    assert items, f"the mock seeds {name}"
    kind = KINDS[name]
    assert all(type(item) is kind for item in items)
    shown = api.collection(name).get(items[0].id)
    assert shown == items[0]
    assert shown.href.endswith(f"/{name}/{shown.id}")
    assert shown.refresh().data["id"] == items[0].id


def test_list_filters_on_the_server(api: Client) -> None:
    running = api.instances.list(state="RUNNING")
    assert running and {i.state for i in running} == {"RUNNING"}


def test_instance_actions_follow_its_links_and_wait_for_states(api: Client) -> None:
    instance = api.images.get("img1").launch(name="client-test", hwp_id="m1-small")
    assert isinstance(instance, Instance)
    assert instance.image_id == "img1" and instance.hardware_profile_id == "m1-small"
    instance.wait_for("running", timeout=30, interval=0.2)
    assert instance.stop().wait_for("STOPPED", timeout=30, interval=0.2) is instance
    assert instance.can("start") and not instance.can("stop")
    instance.start().wait_for("RUNNING", timeout=30, interval=0.2)
    instance.reboot()
    instance.stop().wait_for("STOPPED", timeout=30, interval=0.2)
    instance.destroy()
    instance.wait_until_gone(timeout=30, interval=0.2)
    with pytest.raises(NotFound):
        api.instances.get(instance.id)


def test_an_action_the_state_does_not_offer_is_refused_before_asking(
    api: Client,
) -> None:
    instance = api.instances.create(image_id="img1")
    assert instance.state == "RUNNING"
    with pytest.raises(CapabilityMissing, match="no 'start' in state RUNNING"):
        instance.start()
    with pytest.raises(CapabilityMissing, match="cannot be destroyed"):
        instance.destroy()
    assert api.instances.get(instance.id).state == "RUNNING"


def test_wait_for_a_state_that_never_comes_times_out(api: Client) -> None:
    realm = api.realms.list()[0]
    started = time.monotonic()
    with pytest.raises(WaitTimeout, match="last state: AVAILABLE") as raised:
        realm.wait_for("GONE", timeout=0.6, interval=0.2)
    assert raised.value.exit_code == 7
    assert time.monotonic() - started < 5


def test_volume_attach_detach_snapshot_destroy(api: Client) -> None:
    instance = api.instances.list(state="RUNNING")[0]
    volume = api.storage_volumes.create(capacity="2", name="client-vol")
    assert isinstance(volume, StorageVolume) and volume.capacity == 2
    volume.attach(instance, device="/dev/sdf").wait_for("IN-USE", 30, 0.2)
    assert (volume.instance_id, volume.device) == (instance.id, "/dev/sdf")
    volume.detach().wait_for("AVAILABLE", 30, 0.2)
    assert volume.instance_id is None
    snapshot = volume.snapshot()
    assert snapshot.volume_id == volume.id
    snapshot.destroy()
    volume.destroy()
    with pytest.raises(NotFound):
        volume.refresh()


def test_address_associate_and_disassociate(api: Client) -> None:
    instance = api.instances.list(state="RUNNING")[0]
    address = api.addresses.create()
    address.associate(instance)
    assert address.refresh().associated and address.instance_id == instance.id
    address.disassociate()
    assert not address.associated
    address.destroy()


def test_firewall_rules_and_load_balancer_members(api: Client) -> None:
    firewall = api.firewalls.create(name="client-fw", description="from the client")
    firewall.add_rule("tcp", 443, 443, ["10.0.0.0/8"])
    (rule,) = [r for r in firewall.rules if r["port_from"] == "443"]
    assert firewall.delete_rule(rule["id"]).rules == []
    firewall.destroy()
    instance = api.instances.list(state="RUNNING")[0]
    balancer = api.load_balancers.create(
        name="client-lb",
        realm_id="us",
        listener_protocol="HTTP",
        listener_balancer_port="80",
        listener_instance_port="8080",
    )
    assert instance.id in [i["id"] for i in balancer.register(instance).instances]
    assert instance.id not in [i["id"] for i in balancer.unregister(instance).instances]
    balancer.destroy()


def test_keys_networks_subnets_interfaces(api: Client) -> None:
    key = api.keys.create(name="client-key")
    assert key.id == "client-key" and "BEGIN" in (key.pem_rsa_key or "")
    key.destroy()
    network = api.networks.create(name="client-net", address_block="10.9.0.0/16")
    subnet = api.subnets.create(network_id=network.id, address_block="10.9.1.0/24")
    assert subnet.network_id == network.id
    instance = api.instances.list(state="RUNNING")[0]
    nic = api.network_interfaces.create(instance=instance.id, network=network.id)
    assert nic.instance_id == instance.id
    nic.destroy()
    subnet.destroy()
    network.destroy()


def test_buckets_and_small_blobs(api: Client) -> None:
    bucket = api.buckets.create(name="client-bucket")
    blob = bucket.upload(
        "hello.txt", b"hello", content_type="text/plain", metadata={"owner": "me"}
    )
    assert (blob.size, blob.metadata, blob.content()) == (5, {"owner": "me"}, b"hello")
    assert blob.update_metadata({"owner": "you"}) == {"owner": "you"}
    assert [b.id for b in bucket.blobs()] == ["hello.txt"]
    blob.destroy()
    bucket.destroy()


def test_instance_states_and_drivers(api: Client) -> None:
    states = {state.name: state for state in api.instance_states()}
    assert {"start", "running", "stopped"} <= set(states)
    assert {"to": "stopped", "action": "stop"} in states["running"].transitions
    assert "mock" in [driver.id for driver in api.drivers.list()]


def test_errors_carry_the_servers_status_and_message(
    api: Client, mock_api: Api
) -> None:
    with pytest.raises(NotFound) as missing:
        api.instances.get("no-such-instance")
    assert missing.value.status == 404
    assert missing.value.message == "Instance 'no-such-instance' not found"
    assert missing.value.kind == "Deltacloud::Exceptions::ObjectNotFound"
    with pytest.raises(BadRequest) as bad:
        api.instances.create()  # no image_id
    assert bad.value.status == 400 and "image_id" in bad.value.message
    with Client(mock_api.url, "mockuser", "wrong") as intruder:
        with pytest.raises(AuthenticationError) as refused:
            intruder.instances.list()
        assert refused.value.status == 401
        with pytest.raises(AuthenticationError):
            intruder.check_credentials()
    api.check_credentials()


def test_xml_is_available(api: Client) -> None:
    document = ElementTree.fromstring(api.realms.get("us").xml())
    assert document.tag == "realm" and document.get("id") == "us"
