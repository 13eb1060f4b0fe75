"""The ec2 driver resolving what a request names and carries, against a real
moto server: security group names used in several VPCs, load balancer realms
and instances, images of instances, binary user data, and an endpoint that
answers with something that is not AWS XML."""

from __future__ import annotations

import base64
import gzip
from typing import Any

import pytest
from flask.testing import FlaskClient

from deltaflask.testing.api import add_rule
from tests.support.ec2_driver import IMAGE
from tests.support.ec2_driver import Headers
from tests.support.ec2_driver import app_at
from tests.support.ec2_driver import aws_client
from tests.support.ec2_driver import default_group
from tests.support.ec2_driver import default_vpc
from tests.support.ec2_driver import fake_aws
from tests.support.ec2_driver import launch
from tests.support.helpers import assert_error
from tests.support.moto_server import MotoServer


@pytest.fixture
def boto(aws: MotoServer) -> Any:
    """boto3 straight at moto, to set up what /api cannot make."""
    return aws_client(aws)


def _other_vpc(boto: Any) -> tuple[str, str]:
    """A second VPC (so a second group named ``default``) and a subnet in it."""
    vpc = boto.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    subnet = boto.create_subnet(
        VpcId=vpc, CidrBlock="10.40.1.0/24", AvailabilityZone="us-east-1a"
    )["Subnet"]["SubnetId"]
    return vpc, subnet


def test_group_names_resolve_in_the_default_vpc(
    ec2_client: FlaskClient, ec2_auth: Headers, boto: Any
) -> None:
    _other_vpc(boto)
    home = default_group(boto, default_vpc(boto))
    shown = ec2_client.get("/api/firewalls/default", headers=ec2_auth)
    assert shown.status_code == 200
    assert shown.get_json()["firewall"]["id"] == home
    made = ec2_client.post(
        "/api/firewalls", data={"name": "web", "description": "web"}, headers=ec2_auth
    )
    assert made.status_code == 201
    web = made.get_json()["firewall"]["id"]
    rule = add_rule(
        ec2_client, ec2_auth, web, "80", group1="default", group1owner="123456789012"
    )
    assert rule.status_code == 201, rule.get_data(as_text=True)
    sources = rule.get_json()["firewall"]["rules"][0]["sources"]
    assert [s["name"] for s in sources] == [home]


def test_source_group_names_resolve_in_the_rule_groups_vpc(
    ec2_client: FlaskClient, ec2_auth: Headers, boto: Any
) -> None:
    vpc, _ = _other_vpc(boto)
    inner = boto.create_security_group(GroupName="app", Description="app", VpcId=vpc)[
        "GroupId"
    ]
    rule = add_rule(ec2_client, ec2_auth, inner, "5432", group1="default")
    assert rule.status_code == 201, rule.get_data(as_text=True)
    sources = rule.get_json()["firewall"]["rules"][0]["sources"]
    assert [s["name"] for s in sources] == [default_group(boto, vpc)]


def test_launch_into_a_subnet_uses_that_vpcs_group_of_that_name(
    ec2_client: FlaskClient, ec2_auth: Headers, boto: Any
) -> None:
    vpc, subnet = _other_vpc(boto)
    inside = default_group(boto, vpc)
    instance = launch(ec2_client, ec2_auth, subnet_id=subnet, firewalls1="default")
    assert [f["id"] for f in instance["firewalls"]] == [inside]
    outside = launch(ec2_client, ec2_auth, firewalls1="default")
    home = default_group(boto, default_vpc(boto))
    assert [f["id"] for f in outside["firewalls"]] == [home]


def test_a_name_in_several_vpcs_but_not_the_default_one_is_ambiguous(
    ec2_client: FlaskClient, ec2_auth: Headers, boto: Any
) -> None:
    for block in ("10.50.0.0/16", "10.60.0.0/16"):
        vpc = boto.create_vpc(CidrBlock=block)["Vpc"]["VpcId"]
        boto.create_security_group(GroupName="db", Description="db", VpcId=vpc)
    response = ec2_client.get("/api/firewalls/db", headers=ec2_auth)
    assert "several networks" in assert_error(response, 400, "json")


def test_load_balancer_realm_and_instances_are_checked(
    ec2_client: FlaskClient, ec2_auth: Headers
) -> None:
    listener = {
        "listener_protocol": "HTTP",
        "listener_balancer_port": "80",
        "listener_instance_port": "8080",
    }
    bad_realm = ec2_client.post(
        "/api/load_balancers",
        data={"name": "lb1", "realm_id": "nowhere", **listener},
        headers=ec2_auth,
    )
    assert "Realm 'nowhere' does not exist" in assert_error(bad_realm, 400, "json")
    made = ec2_client.post(
        "/api/load_balancers",
        data={"name": "lb1", "realm_id": "us-east-1a", **listener},
        headers=ec2_auth,
    )
    assert made.status_code == 201
    ghost = ec2_client.post(
        "/api/load_balancers/lb1/register",
        data={"instance_id": "i-0123456789abcdef0"},
        headers=ec2_auth,
    )
    assert "Instance 'i-0123456789abcdef0' does not exist" in assert_error(
        ghost, 400, "json"
    )
    shown = ec2_client.get("/api/load_balancers/lb1", headers=ec2_auth)
    assert shown.get_json()["load_balancer"]["instances"] == []


NOT_AWS = "<!doctype html>\n<title>500 Internal Server Error</title>\n"


def test_an_unreadable_answer_is_a_502_not_a_500(ec2_auth: Headers) -> None:
    with fake_aws(500, NOT_AWS, "text/html") as broken:
        client = app_at(f"http://127.0.0.1:{broken.server_port}")
        response = client.get("/api/realms", headers=ec2_auth)
    assert "EC2 failed" in assert_error(response, 502, "json")


def test_an_image_needs_an_instance_that_can_still_be_imaged(
    ec2_client: FlaskClient, ec2_auth: Headers
) -> None:
    instance = launch(ec2_client, ec2_auth)
    assert instance["hardware_profile"]["properties"] == {"architecture": "x86_64"}
    instance_id = instance["id"]
    ec2_client.post(f"/api/instances/{instance_id}/stop", headers=ec2_auth)
    gone = ec2_client.delete(f"/api/instances/{instance_id}", headers=ec2_auth)
    assert gone.status_code == 204
    refused = ec2_client.post(
        "/api/images", data={"instance_id": instance_id}, headers=ec2_auth
    )
    assert "cannot be imaged in state FINISH" in assert_error(refused, 409, "json")
    missing = ec2_client.post(
        "/api/images", data={"instance_id": "i-0123456789abcdef0"}, headers=ec2_auth
    )
    assert "not found" in assert_error(missing, 404, "json")


def test_binary_user_data_reaches_ec2_unchanged(
    ec2_client: FlaskClient, ec2_auth: Headers, boto: Any
) -> None:
    script = gzip.compress(b"#cloud-config\npackages: [nginx]\n")
    instance_id = launch(
        ec2_client, ec2_auth, user_data=base64.b64encode(script).decode()
    )["id"]
    stored = boto.describe_instance_attribute(
        InstanceId=instance_id, Attribute="userData"
    )["UserData"]["Value"]
    assert base64.b64decode(stored) == script
    refused = ec2_client.post(
        "/api/instances",
        data={"image_id": IMAGE, "user_data": "not base64!"},
        headers=ec2_auth,
    )
    assert "base64" in assert_error(refused, 400, "json")
