"""Nova's server JSON to the contract's instance, without a cloud: the fields
the driver reads as Nova sent them (``plugins/openstack/calls.as_sent``)."""

from __future__ import annotations

from types import SimpleNamespace

from openstack.compute.v2.server import Server

from deltaflask.models import InstanceState
from deltaflask.plugins.openstack.calls import as_sent
from deltaflask.plugins.openstack.instances import to_instance

NOVA_SERVER = {
    "id": "9a1b",
    "name": "web",
    "status": "ACTIVE",
    "user_id": "u1",
    "tenant_id": "p1",
    "key_name": "",
    "flavor": {"original_name": "m1.tiny", "vcpus": 1, "ram": 512, "disk": 1},
    "image": {"id": "cirros", "links": []},
    "OS-EXT-AZ:availability_zone": "nova",
    "OS-EXT-STS:task_state": None,
    "created": "2026-12-03T10:00:00Z",
}


def test_flavor_and_image_are_read_as_nova_sent_them() -> None:
    server = Server.existing(**NOVA_SERVER)
    assert as_sent(server, "flavor") == NOVA_SERVER["flavor"]
    instance = to_instance(server, [], [])
    assert instance.profile.id == "m1.tiny"
    assert instance.image_id == "cirros"
    assert instance.realm_id == "nova"
    assert instance.state is InstanceState.RUNNING


def test_a_server_booted_from_a_volume_has_no_image() -> None:
    server = Server.existing(**{**NOVA_SERVER, "image": ""})
    assert to_instance(server, [], []).image_id is None


def test_an_object_without_the_sdk_body_is_read_by_attribute() -> None:
    assert as_sent(SimpleNamespace(flavor={"id": "2"}), "flavor") == {"id": "2"}
    assert as_sent(SimpleNamespace(), "image") is None
