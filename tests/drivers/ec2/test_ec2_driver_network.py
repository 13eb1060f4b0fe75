"""The ec2 driver's networks against a real moto server: VPCs as networks,
subnets, placement of instances, network bindings and interfaces (ENIs)."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest
from flask.testing import FlaskClient

from deltaflask.drivers import InstanceCreate
from deltaflask.drivers import SubnetCreate
from deltaflask.errors import Conflict
from deltaflask.errors import ValidationFailure
from deltaflask.plugins.ec2.networks import DEFAULT_NETWORK_BLOCK
from tests.support.ec2_driver import IMAGE
from tests.support.ec2_driver import Headers
from tests.support.ec2_driver import as_xml
from tests.support.ec2_driver import aws_client
from tests.support.ec2_driver import create
from tests.support.ec2_driver import default_vpc
from tests.support.ec2_driver import ec2_driver
from tests.support.ec2_driver import launch
from tests.support.helpers import assert_error
from tests.support.helpers import parse_xml
from tests.support.moto_server import MotoServer


def _network(client: FlaskClient, auth: Headers, block: str, **extra: str) -> str:
    made = create(client, auth, "/api/networks", 200, address_block=block, **extra)
    return str(made["id"])


def _subnet(
    client: FlaskClient, auth: Headers, network_id: str, block: str, **extra: str
) -> str:
    made = create(
        client,
        auth,
        "/api/subnets",
        200,
        network_id=network_id,
        address_block=block,
        **extra,
    )
    return str(made["id"])


def _placed(client: FlaskClient, auth: Headers, octet: int) -> tuple[str, str, Any]:
    """A network ``10.<octet>.0.0/16``, its subnet ``.7.0/24`` and an instance
    launched into that subnet."""
    network = _network(client, auth, f"10.{octet}.0.0/16")
    subnet = _subnet(client, auth, network, f"10.{octet}.7.0/24")
    return network, subnet, launch(client, auth, subnet_id=subnet)


def test_default_vpc_is_a_network_with_its_subnets(
    aws: MotoServer, ec2_client: FlaskClient, ec2_auth: Headers
) -> None:
    vpc = aws_client(aws).describe_vpcs()["Vpcs"][0]
    subnets = aws_client(aws).describe_subnets()["Subnets"]
    root = parse_xml(ec2_client.get("/api/networks", headers=as_xml(ec2_auth)))
    network = root.find(f"network[@id='{vpc['VpcId']}']")
    assert network is not None
    blocks = {b.text for b in network.iter("address_block")}
    assert blocks == {s["CidrBlock"] for s in subnets}
    assert network.findtext("state") == "UP"
    listed = ec2_client.get("/api/subnets", headers=ec2_auth).get_json()["subnets"]
    assert {s["id"] for s in listed} == {s["SubnetId"] for s in subnets}
    assert {s["type"] for s in listed} == {"PUBLIC"}


def test_network_blocks_name_and_default_block(
    aws: MotoServer, ec2_client: FlaskClient, ec2_auth: Headers
) -> None:
    named = _network(ec2_client, ec2_auth, "10.40.0.0/16", name="backend")
    shown = ec2_client.get(f"/api/networks/{named}", headers=ec2_auth).get_json()
    assert shown["network"]["name"] == "backend"
    assert shown["network"]["address_blocks"] == ["10.40.0.0/16"]
    plain = ec2_client.post("/api/networks", headers=ec2_auth).get_json()["network"]
    assert plain["address_blocks"] == [DEFAULT_NETWORK_BLOCK]
    described = aws_client(aws).describe_vpcs(VpcIds=[plain["id"]])["Vpcs"][0]
    assert described["CidrBlock"] == DEFAULT_NETWORK_BLOCK
    first = _subnet(ec2_client, ec2_auth, named, "10.40.2.0/24")
    second = _subnet(ec2_client, ec2_auth, named, "10.40.1.0/24")
    network = ec2_client.get(f"/api/networks/{named}", headers=ec2_auth).get_json()
    assert sorted(network["network"]["address_blocks"]) == [
        "10.40.1.0/24",
        "10.40.2.0/24",
    ]
    assert {s["id"] for s in network["network"]["subnets"]} == {first, second}
    root = parse_xml(ec2_client.get(f"/api/subnets/{first}", headers=as_xml(ec2_auth)))
    assert root.findtext("address_block") == "10.40.2.0/24"
    assert root.findtext("network") == named


def test_network_errors(
    aws: MotoServer, ec2_client: FlaskClient, ec2_auth: Headers
) -> None:
    xml = as_xml(ec2_auth)
    for block in ("banana", "10.0.0.1/16", "10.0.0.0/33"):
        response = ec2_client.post(
            "/api/networks", data={"address_block": block}, headers=xml
        )
        assert "Invalid address_block" in assert_error(response, 400)
    too_big = ec2_client.post(
        "/api/networks", data={"address_block": "10.0.0.0/8"}, headers=ec2_auth
    )
    assert_error(too_big, 400, "json")
    network = _network(ec2_client, ec2_auth, "10.50.0.0/16")
    subnet = _subnet(ec2_client, ec2_auth, network, "10.50.1.0/24")
    overlap = ec2_client.post(
        "/api/subnets",
        data={"network_id": network, "address_block": "10.50.1.0/25"},
        headers=ec2_auth,
    )
    assert_error(overlap, 400, "json")
    missing = ec2_client.post(
        "/api/subnets", data={"network_id": network}, headers=ec2_auth
    )
    assert_error(missing, 400, "json")
    in_use = ec2_client.delete(f"/api/networks/{network}", headers=ec2_auth)
    assert_error(in_use, 409, "json")
    assert ec2_client.delete(f"/api/subnets/{subnet}", headers=xml).status_code == 204
    assert_error(ec2_client.get(f"/api/subnets/{subnet}", headers=xml), 404)
    assert_error(ec2_client.delete(f"/api/subnets/{subnet}", headers=xml), 404)
    assert ec2_client.delete(f"/api/networks/{network}", headers=xml).status_code == 204
    assert_error(ec2_client.delete(f"/api/networks/{network}", headers=xml), 404)
    assert_error(ec2_client.get("/api/networks/vpc-12345678", headers=xml), 404)


def test_placement_and_bindings(
    aws: MotoServer, ec2_client: FlaskClient, ec2_auth: Headers
) -> None:
    network, subnet, placed = _placed(ec2_client, ec2_auth, 60)
    described = aws_client(aws).describe_instances(InstanceIds=[placed["id"]])
    data = described["Reservations"][0]["Instances"][0]
    assert (data["VpcId"], data["SubnetId"]) == (network, subnet)
    root = parse_xml(
        ec2_client.get(f"/api/instances/{placed['id']}", headers=as_xml(ec2_auth))
    )
    binding = root.find("network_bindings/network_binding")
    assert binding.find("network").get("id") == network
    assert binding.find("subnet").get("id") == subnet
    address = ipaddress.ip_address(binding.findtext("ip_address"))
    assert address in ipaddress.ip_network("10.60.7.0/24")
    assert str(address) == data["PrivateIpAddress"]
    # the network alone picks its only subnet
    only = launch(ec2_client, ec2_auth, network_id=network)
    assert only["network_bindings"][0]["subnet"]["id"] == subnet
    # an instance outside any named network sits in the default VPC
    default = launch(ec2_client, ec2_auth)
    home = default_vpc(aws_client(aws))
    assert default["network_bindings"][0]["network"]["id"] == home


def test_placement_errors(
    aws: MotoServer, ec2_client: FlaskClient, ec2_auth: Headers
) -> None:
    network = _network(ec2_client, ec2_auth, "10.70.0.0/16")
    other = _network(ec2_client, ec2_auth, "10.71.0.0/16")
    foreign = _subnet(ec2_client, ec2_auth, other, "10.71.1.0/24")
    cases = [
        ({"network_id": network}, "no subnet"),
        ({"network_id": network, "subnet_id": foreign}, "is not in network"),
        ({"subnet_id": "subnet-12345678"}, "does not exist"),
    ]
    for params, text in cases:
        response = ec2_client.post(
            "/api/instances", data={"image_id": IMAGE, **params}, headers=ec2_auth
        )
        assert text in assert_error(response, 400, "json"), params


def test_placement_into_a_realm_picks_that_zones_subnet(aws: MotoServer) -> None:
    driver = ec2_driver(aws)
    network = driver.create_network("zoned", "10.80.0.0/16")
    ec2 = aws_client(aws)
    east_a = ec2.create_subnet(
        VpcId=network.id, CidrBlock="10.80.1.0/24", AvailabilityZone="us-east-1a"
    )["Subnet"]["SubnetId"]
    east_b = ec2.create_subnet(
        VpcId=network.id, CidrBlock="10.80.2.0/24", AvailabilityZone="us-east-1b"
    )["Subnet"]["SubnetId"]
    for realm, subnet in (("us-east-1a", east_a), ("us-east-1b", east_b)):
        [instance] = driver.create_instance(
            InstanceCreate(image_id=IMAGE, network_id=network.id, realm_id=realm)
        )
        assert instance.network_bindings[0].subnet_id == subnet
        assert instance.realm_id == realm
    with pytest.raises(ValidationFailure):
        driver.create_subnet(
            SubnetCreate(network_id="vpc-12345678", address_block="10.0.0.0/24")
        )
    assert driver.network("vpc-12345678") is None
    assert driver.subnet("subnet-12345678") is None


def test_network_interfaces(
    aws: MotoServer, ec2_client: FlaskClient, ec2_auth: Headers
) -> None:
    network, subnet, instance = _placed(ec2_client, ec2_auth, 90)
    created = ec2_client.post(
        "/api/network_interfaces",
        data={"instance": instance["id"], "network": network, "name": "second"},
        headers=ec2_auth,
    )
    assert created.status_code in (200, 201), created.get_data(as_text=True)
    nic = created.get_json()["network_interface"]
    assert nic["name"] == "second"
    nic_id = nic["id"]
    described = aws_client(aws).describe_network_interfaces(
        NetworkInterfaceIds=[nic_id]
    )
    eni = described["NetworkInterfaces"][0]
    assert eni["Attachment"]["InstanceId"] == instance["id"]
    assert eni["Attachment"]["DeviceIndex"] == 1
    assert ipaddress.ip_address(eni["PrivateIpAddress"]) in ipaddress.ip_network(
        "10.90.7.0/24"
    )
    shown = ec2_client.get(f"/api/instances/{instance['id']}", headers=as_xml(ec2_auth))
    nic_ids = {n.get("id") for n in parse_xml(shown).iter("network_interface")}
    assert nic_id in nic_ids and len(nic_ids) == 2
    root = parse_xml(
        ec2_client.get(f"/api/network_interfaces/{nic_id}", headers=as_xml(ec2_auth))
    )
    assert root.get("id") == nic_id
    bad = ec2_client.post(
        "/api/network_interfaces",
        data={"instance": "i-12345678", "network": subnet},
        headers=ec2_auth,
    )
    assert_error(bad, 400, "json")
    nowhere = ec2_client.post(
        "/api/network_interfaces",
        data={"instance": instance["id"], "network": "vpc-12345678"},
        headers=ec2_auth,
    )
    assert_error(nowhere, 400, "json")
    gone = ec2_client.delete(f"/api/network_interfaces/{nic_id}", headers=ec2_auth)
    assert gone.status_code == 204
    assert (
        aws_client(aws).describe_network_interfaces(
            Filters=[{"Name": "network-interface-id", "Values": [nic_id]}]
        )["NetworkInterfaces"]
        == []
    )
    again = ec2_client.delete(f"/api/network_interfaces/{nic_id}", headers=ec2_auth)
    assert_error(again, 404, "json")


def test_subnet_in_use_is_a_conflict(aws: MotoServer) -> None:
    driver = ec2_driver(aws)
    network = driver.create_network(None, "10.95.0.0/16")
    subnet = driver.create_subnet(
        SubnetCreate(network_id=network.id, address_block="10.95.1.0/24", name="busy")
    )
    assert subnet.name == "busy" and subnet.type == "PRIVATE"
    nic = aws_client(aws).create_network_interface(SubnetId=subnet.id)
    with pytest.raises(Conflict):
        driver.destroy_subnet(subnet.id)
    aws_client(aws).delete_network_interface(
        NetworkInterfaceId=nic["NetworkInterface"]["NetworkInterfaceId"]
    )
    driver.destroy_subnet(subnet.id)
    assert driver.subnets({"network_id": network.id}) == []


def test_subnets_in_a_realm(
    aws: MotoServer, ec2_client: FlaskClient, ec2_auth: Headers
) -> None:
    driver = ec2_driver(aws)
    network = driver.create_network("zones", "10.85.0.0/16")
    made = driver.create_subnet(
        SubnetCreate(
            network_id=network.id,
            address_block="10.85.1.0/24",
            name="b",
            realm_id="us-east-1b",
        )
    )
    assert made.realm_id == "us-east-1b"
    described = aws_client(aws).describe_subnets(SubnetIds=[made.id])["Subnets"]
    assert described[0]["AvailabilityZone"] == "us-east-1b"
    assert driver.subnet(made.id).realm_id == "us-east-1b"  # type: ignore[union-attr]
    picked = driver.create_subnet(
        SubnetCreate(network_id=network.id, address_block="10.85.2.0/24")
    )
    assert picked.realm_id and picked.realm_id.startswith("us-east-1")
    with pytest.raises(ValidationFailure):
        driver.create_subnet(
            SubnetCreate(
                network_id=network.id,
                address_block="10.85.3.0/24",
                realm_id="nowhere-1z",
            )
        )
    through_api = _subnet(
        ec2_client, ec2_auth, network.id, "10.85.4.0/24", realm_id="us-east-1c"
    )
    shown = ec2_client.get(f"/api/subnets/{through_api}", headers=ec2_auth)
    assert shown.get_json()["subnet"]["realm"] == {
        "id": "us-east-1c",
        "href": "http://localhost/api/realms/us-east-1c",
    }
    root = parse_xml(
        ec2_client.get(f"/api/subnets/{through_api}", headers=as_xml(ec2_auth))
    )
    assert root.find("realm").get("id") == "us-east-1c"
    bad = ec2_client.post(
        "/api/subnets",
        data={
            "network_id": network.id,
            "address_block": "10.85.5.0/24",
            "realm_id": "nowhere-1z",
        },
        headers=ec2_auth,
    )
    assert_error(bad, 400, "json")
    blocks = {s.address_block for s in driver.subnets({"network_id": network.id})}
    assert blocks == {"10.85.1.0/24", "10.85.2.0/24", "10.85.4.0/24"}
