"""The ec2 driver's networks against a real moto server: VPCs as networks,
subnets, placement of instances, network bindings and interfaces (ENIs)."""

from __future__ import annotations

import ipaddress
from typing import Any

import boto3
import pytest
from flask.testing import FlaskClient

from deltaflask.drivers import Credentials
from deltaflask.drivers import InstanceCreate
from deltaflask.errors import Conflict
from deltaflask.errors import ValidationFailure
from deltaflask.plugins.ec2.driver import Ec2Driver
from deltaflask.plugins.ec2.networks import DEFAULT_NETWORK_BLOCK
from tests.helpers import assert_error
from tests.helpers import parse_xml
from tests.moto_server import MotoServer

Headers = dict[str, str]
IMAGE = "ami-fa7cdd89"


def _boto(aws: MotoServer) -> Any:
    return boto3.client(
        "ec2",
        endpoint_url=aws.endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def _driver(aws: MotoServer) -> Ec2Driver:
    return Ec2Driver(
        Credentials("testing", "testing"),
        "us-east-1",
        {"EC2_ENDPOINT_URL": aws.endpoint},
    )


def _xml(headers: Headers) -> Headers:
    return {**headers, "Accept": "application/xml"}


def _network(client: FlaskClient, auth: Headers, block: str, **extra: str) -> str:
    response = client.post(
        "/api/networks", data={"address_block": block, **extra}, headers=auth
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return str(response.get_json()["network"]["id"])


def _subnet(client: FlaskClient, auth: Headers, network_id: str, block: str) -> str:
    response = client.post(
        "/api/subnets",
        data={"network_id": network_id, "address_block": block},
        headers=auth,
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return str(response.get_json()["subnet"]["id"])


def _launch(client: FlaskClient, auth: Headers, **params: str) -> dict[str, Any]:
    response = client.post(
        "/api/instances", data={"image_id": IMAGE, **params}, headers=auth
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    return dict(response.get_json()["instance"])


def test_default_vpc_is_a_network_with_its_subnets(
    aws: MotoServer, ec2_client: FlaskClient, ec2_auth: Headers
) -> None:
    vpc = _boto(aws).describe_vpcs()["Vpcs"][0]
    subnets = _boto(aws).describe_subnets()["Subnets"]
    root = parse_xml(ec2_client.get("/api/networks", headers=_xml(ec2_auth)))
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
    described = _boto(aws).describe_vpcs(VpcIds=[plain["id"]])["Vpcs"][0]
    assert described["CidrBlock"] == DEFAULT_NETWORK_BLOCK
    first = _subnet(ec2_client, ec2_auth, named, "10.40.2.0/24")
    second = _subnet(ec2_client, ec2_auth, named, "10.40.1.0/24")
    network = ec2_client.get(f"/api/networks/{named}", headers=ec2_auth).get_json()
    assert sorted(network["network"]["address_blocks"]) == [
        "10.40.1.0/24",
        "10.40.2.0/24",
    ]
    assert {s["id"] for s in network["network"]["subnets"]} == {first, second}
    root = parse_xml(ec2_client.get(f"/api/subnets/{first}", headers=_xml(ec2_auth)))
    assert root.findtext("address_block") == "10.40.2.0/24"
    assert root.findtext("network") == named


def test_network_errors(
    aws: MotoServer, ec2_client: FlaskClient, ec2_auth: Headers
) -> None:
    xml = _xml(ec2_auth)
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
    network = _network(ec2_client, ec2_auth, "10.60.0.0/16")
    subnet = _subnet(ec2_client, ec2_auth, network, "10.60.7.0/24")
    placed = _launch(ec2_client, ec2_auth, subnet_id=subnet)
    described = _boto(aws).describe_instances(InstanceIds=[placed["id"]])
    data = described["Reservations"][0]["Instances"][0]
    assert (data["VpcId"], data["SubnetId"]) == (network, subnet)
    root = parse_xml(
        ec2_client.get(f"/api/instances/{placed['id']}", headers=_xml(ec2_auth))
    )
    binding = root.find("network_bindings/network_binding")
    assert binding.find("network").get("id") == network
    assert binding.find("subnet").get("id") == subnet
    address = ipaddress.ip_address(binding.findtext("ip_address"))
    assert address in ipaddress.ip_network("10.60.7.0/24")
    assert str(address) == data["PrivateIpAddress"]
    # the network alone picks its only subnet
    only = _launch(ec2_client, ec2_auth, network_id=network)
    assert only["network_bindings"][0]["subnet"]["id"] == subnet
    # an instance outside any named network sits in the default VPC
    default = _launch(ec2_client, ec2_auth)
    default_vpc = _boto(aws).describe_vpcs(
        Filters=[{"Name": "is-default", "Values": ["true"]}]
    )["Vpcs"][0]["VpcId"]
    assert default["network_bindings"][0]["network"]["id"] == default_vpc


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
    driver = _driver(aws)
    network = driver.create_network("zoned", "10.80.0.0/16")
    ec2 = _boto(aws)
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
        driver.create_subnet("vpc-12345678", "10.0.0.0/24", None)
    assert driver.network("vpc-12345678") is None
    assert driver.subnet("subnet-12345678") is None


def test_network_interfaces(
    aws: MotoServer, ec2_client: FlaskClient, ec2_auth: Headers
) -> None:
    network = _network(ec2_client, ec2_auth, "10.90.0.0/16")
    subnet = _subnet(ec2_client, ec2_auth, network, "10.90.3.0/24")
    instance = _launch(ec2_client, ec2_auth, subnet_id=subnet)
    created = ec2_client.post(
        "/api/network_interfaces",
        data={"instance": instance["id"], "network": network, "name": "second"},
        headers=ec2_auth,
    )
    assert created.status_code in (200, 201), created.get_data(as_text=True)
    nic = created.get_json()["network_interface"]
    assert nic["name"] == "second"
    nic_id = nic["id"]
    described = _boto(aws).describe_network_interfaces(NetworkInterfaceIds=[nic_id])
    eni = described["NetworkInterfaces"][0]
    assert eni["Attachment"]["InstanceId"] == instance["id"]
    assert eni["Attachment"]["DeviceIndex"] == 1
    assert ipaddress.ip_address(eni["PrivateIpAddress"]) in ipaddress.ip_network(
        "10.90.3.0/24"
    )
    shown = ec2_client.get(f"/api/instances/{instance['id']}", headers=_xml(ec2_auth))
    nic_ids = {n.get("id") for n in parse_xml(shown).iter("network_interface")}
    assert nic_id in nic_ids and len(nic_ids) == 2
    root = parse_xml(
        ec2_client.get(f"/api/network_interfaces/{nic_id}", headers=_xml(ec2_auth))
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
        _boto(aws).describe_network_interfaces(
            Filters=[{"Name": "network-interface-id", "Values": [nic_id]}]
        )["NetworkInterfaces"]
        == []
    )
    again = ec2_client.delete(f"/api/network_interfaces/{nic_id}", headers=ec2_auth)
    assert_error(again, 404, "json")


def test_subnet_in_use_is_a_conflict(aws: MotoServer) -> None:
    driver = _driver(aws)
    network = driver.create_network(None, "10.95.0.0/16")
    subnet = driver.create_subnet(network.id, "10.95.1.0/24", "busy")
    assert subnet.name == "busy" and subnet.type == "PRIVATE"
    nic = _boto(aws).create_network_interface(SubnetId=subnet.id)
    with pytest.raises(Conflict):
        driver.destroy_subnet(subnet.id)
    _boto(aws).delete_network_interface(
        NetworkInterfaceId=nic["NetworkInterface"]["NetworkInterfaceId"]
    )
    driver.destroy_subnet(subnet.id)
    assert driver.subnets({"network_id": network.id}) == []
