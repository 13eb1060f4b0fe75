"""Instances on real Nova and Neutron: launch options, placement on a subnet
through a port (and the port's clean-up), floating IPs, images from
instances, and the state mapping."""

from __future__ import annotations

import base64
import ipaddress
from types import SimpleNamespace
from typing import Any

import pytest
from flask.testing import FlaskClient

from deltaflask.models import InstanceState
from deltaflask.plugins.openstack.instances import PORT_DESCRIPTION
from deltaflask.plugins.openstack.instances import state_of
from tests.support.openstack_cloud import OpenStackCloud

pytestmark = pytest.mark.xdist_group("openstack")


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json() if response.data else None


def first_image(api: FlaskClient, auth: dict[str, str]) -> str:
    return str(ok(api.get("/api/images", headers=auth))["images"][0]["id"])


def test_launch_with_key_firewall_realm_profile_and_user_data(
    api: FlaskClient, auth: dict[str, str], openstack: OpenStackCloud
) -> None:
    ok(api.post("/api/keys", data={"name": "launch-key"}, headers=auth), 201)
    firewall = ok(
        api.post(
            "/api/firewalls",
            data={"name": "launch-fw", "description": "web"},
            headers=auth,
        ),
        201,
    )["firewall"]
    realm = ok(api.get("/api/realms", headers=auth))["realms"][0]["id"]
    launched = ok(
        api.post(
            "/api/instances",
            data={
                "image_id": first_image(api, auth),
                "name": "launch-web",
                "keyname": "launch-key",
                "firewalls1": "launch-fw",
                "realm_id": realm,
                "hwp_id": "m1.small",
                "user_data": base64.b64encode(b"#!/bin/sh\necho hi\n").decode(),
            },
            headers=auth,
        ),
        201,
    )["instance"]
    assert launched["state"] == "RUNNING"
    assert launched["realm"]["id"] == realm
    assert launched["hardware_profile"]["id"] == "m1.small"
    server = openstack.sdk("demo").compute.get_server(launched["id"])
    assert server.key_name == "launch-key"
    assert server.flavor["original_name"] == "m1.small"
    ports = list(openstack.sdk("demo").network.ports(device_id=launched["id"]))
    assert [p.security_group_ids for p in ports] == [[firewall["id"]]]
    assert [p.description for p in ports] == [PORT_DESCRIPTION]
    ok(api.delete(f"/api/instances/{launched['id']}", headers=auth), 204)


def test_launch_refuses_unknown_references(
    api: FlaskClient, auth: dict[str, str]
) -> None:
    image = first_image(api, auth)
    for bad in (
        {"firewalls1": "no-such-firewall"},
        {"realm_id": "no-such-zone"},
        {"network_id": "no-such-network"},
        {"subnet_id": "no-such-subnet"},
        {"image_id": "no-such-image"},
    ):
        answer = api.post(
            "/api/instances", data={"image_id": image, **bad}, headers=auth
        )
        assert answer.status_code == 400, (bad, answer.get_data(as_text=True))


def test_server_on_a_neutron_subnet_with_its_binding_and_port_clean_up(
    api: FlaskClient, auth: dict[str, str], openstack: OpenStackCloud
) -> None:
    network = ok(
        api.post(
            "/api/networks",
            data={"name": "placed-net", "address_block": "10.60.0.0/16"},
            headers=auth,
        )
    )["network"]
    subnet = ok(
        api.post(
            "/api/subnets",
            data={"network_id": network["id"], "address_block": "10.60.5.0/24"},
            headers=auth,
        )
    )["subnet"]
    launched = ok(
        api.post(
            "/api/instances",
            data={
                "image_id": first_image(api, auth),
                "network_id": network["id"],
                "subnet_id": subnet["id"],
            },
            headers=auth,
        ),
        201,
    )["instance"]
    [binding] = launched["network_bindings"]
    assert binding["network"]["id"] == network["id"]
    assert binding["subnet"]["id"] == subnet["id"]
    address = ipaddress.ip_address(binding["ip_address"])
    assert address in ipaddress.ip_network("10.60.5.0/24")
    assert str(address) in {a["address"] for a in launched["private_addresses"]}
    [port] = list(openstack.sdk("demo").network.ports(device_id=launched["id"]))
    interfaces = ok(api.get("/api/network_interfaces", headers=auth))
    shown = [i for i in interfaces["network_interfaces"] if i["id"] == port.id]
    assert shown
    assert shown[0]["instance"]["id"] == launched["id"]
    ok(api.delete(f"/api/instances/{launched['id']}", headers=auth), 204)
    assert openstack.sdk("demo").network.find_port(port.id) is None
    ok(api.delete(f"/api/networks/{network['id']}", headers=auth), 204)


def test_network_interface_attached_and_removed(
    api: FlaskClient, auth: dict[str, str], openstack: OpenStackCloud
) -> None:
    launched = ok(
        api.post(
            "/api/instances", data={"image_id": first_image(api, auth)}, headers=auth
        ),
        201,
    )["instance"]
    network = ok(
        api.post(
            "/api/networks",
            data={"name": "second-net", "address_block": "10.70.0.0/16"},
            headers=auth,
        )
    )["network"]
    subnet = ok(
        api.post(
            "/api/subnets",
            data={"network_id": network["id"], "address_block": "10.70.1.0/24"},
            headers=auth,
        )
    )["subnet"]
    made = ok(
        api.post(
            "/api/network_interfaces",
            data={"instance": launched["id"], "network": subnet["id"]},
            headers=auth,
        ),
    )["network_interface"]
    assert made["instance"]["id"] == launched["id"]
    server_ports = openstack.sdk("demo").network.ports(device_id=launched["id"])
    assert made["id"] in {p.id for p in server_ports}
    ok(api.delete(f"/api/network_interfaces/{made['id']}", headers=auth), 204)
    assert openstack.sdk("demo").network.find_port(made["id"]) is None
    ok(api.delete(f"/api/instances/{launched['id']}", headers=auth), 204)


def test_floating_ip_follows_the_instance(
    api: FlaskClient, auth: dict[str, str], openstack: OpenStackCloud
) -> None:
    launched = ok(
        api.post(
            "/api/instances", data={"image_id": first_image(api, auth)}, headers=auth
        ),
        201,
    )["instance"]
    ip = ok(api.post("/api/addresses", headers=auth), 201)["address"]["id"]
    assert ipaddress.ip_address(ip) in ipaddress.ip_network("172.24.4.0/24")
    ok(
        api.post(
            f"/api/addresses/{ip}/associate",
            data={"instance_id": launched["id"]},
            headers=auth,
        ),
        202,
    )
    [floating] = list(openstack.sdk("demo").network.ips(floating_ip_address=ip))
    [port] = list(openstack.sdk("demo").network.ports(device_id=launched["id"]))
    assert floating.port_id == port.id
    shown = ok(api.get(f"/api/instances/{launched['id']}", headers=auth))["instance"]
    assert ip in {a["address"] for a in shown["public_addresses"]}
    ok(api.post(f"/api/addresses/{ip}/disassociate", headers=auth), 202)
    ok(api.delete(f"/api/addresses/{ip}", headers=auth), 204)
    assert list(openstack.sdk("demo").network.ips(floating_ip_address=ip)) == []
    ok(api.delete(f"/api/instances/{launched['id']}", headers=auth), 204)


def test_image_from_an_instance_and_its_removal(
    api: FlaskClient, auth: dict[str, str], openstack: OpenStackCloud
) -> None:
    """Nova's fake driver uploads no data, so the image stays PENDING
    (Glance's ``queued``); it can still be deleted."""
    launched = ok(
        api.post(
            "/api/instances", data={"image_id": first_image(api, auth)}, headers=auth
        ),
        201,
    )["instance"]
    image = ok(
        api.post(
            "/api/images",
            data={"instance_id": launched["id"], "name": "snap-of-web"},
            headers=auth,
        ),
        201,
    )["image"]
    assert image["name"] == "snap-of-web"
    assert image["state"] == "PENDING"
    assert openstack.sdk("demo").image.get_image(image["id"]).name == "snap-of-web"
    ok(api.delete(f"/api/images/{image['id']}", headers=auth), 204)
    assert openstack.sdk("demo").image.find_image(image["id"]) is None
    ok(api.delete(f"/api/instances/{launched['id']}", headers=auth), 204)


def test_public_image_of_another_project_cannot_be_destroyed(
    api: FlaskClient, auth: dict[str, str]
) -> None:
    image = first_image(api, auth)
    shown = ok(api.get(f"/api/images/{image}", headers=auth))["image"]
    assert "destroy" not in {a["rel"] for a in shown.get("actions", [])}


@pytest.mark.parametrize(
    ("status", "task", "expected"),
    [
        ("BUILD", None, InstanceState.PENDING),
        ("ACTIVE", None, InstanceState.RUNNING),
        ("ACTIVE", "powering-off", InstanceState.STOPPING),
        ("REBOOT", "rebooting", InstanceState.RUNNING),
        ("SHUTOFF", None, InstanceState.STOPPED),
        ("ERROR", None, InstanceState.ERROR),
        ("ACTIVE", "deleting", InstanceState.FINISH),
        ("DELETED", None, InstanceState.FINISH),
        ("VERIFY_RESIZE", None, InstanceState.PENDING),
    ],
)
def test_state_mapping(status: str, task: str | None, expected: InstanceState) -> None:
    assert state_of(SimpleNamespace(status=status, task_state=task)) is expected
