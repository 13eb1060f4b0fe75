"""The ec2 driver's compute side against a real moto server, through /api and
directly: credentials and providers, realms, profiles, images, instances,
keys, addresses, firewalls and load balancers."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask
from flask.testing import FlaskClient

from deltaflask import create_app
from deltaflask.drivers import Credentials
from deltaflask.drivers import InstanceCreate
from deltaflask.drivers import LoadBalancerCreate
from deltaflask.errors import ValidationFailure
from deltaflask.models import Instance
from deltaflask.models import InstanceState
from deltaflask.plugins.ec2 import realms_profiles
from deltaflask.plugins.ec2.driver import Ec2Driver
from deltaflask.plugins.ec2.instances import STATES
from deltaflask.plugins.ec2.instances import to_instance
from deltaflask.testing.api import add_rule
from tests.support.ec2_driver import IMAGE
from tests.support.ec2_driver import Headers
from tests.support.ec2_driver import as_xml
from tests.support.ec2_driver import aws_client
from tests.support.ec2_driver import create
from tests.support.ec2_driver import ec2_driver
from tests.support.ec2_driver import launch
from tests.support.helpers import assert_error
from tests.support.helpers import parse_xml
from tests.support.moto_server import MotoServer
from tests.support.moto_server import free_port
from tests.support.moto_server import moto_server


def _described(aws: MotoServer, instance_id: str) -> dict[str, Any]:
    reservations = aws_client(aws).describe_instances(InstanceIds=[instance_id])
    return reservations["Reservations"][0]["Instances"][0]


# credentials, providers, entry point -----------------------------------------------


def test_entry_point_renders_without_contacting_aws() -> None:
    app = create_app(
        {
            "TESTING": True,
            "DRIVER": "ec2",
            "PROVIDER": "eu-west-1",
            "EC2_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}",
        }
    )
    client = app.test_client()
    root = parse_xml(client.get("/api"))
    assert root.get("driver") == "ec2" and root.get("provider") == "eu-west-1"
    rels = {link.get("rel") for link in root.findall("link")}
    assert {"instances", "images", "networks", "subnets", "addresses"} <= rels
    names = {feature.get("name") for feature in root.iter("feature")}
    assert "user_name" not in names  # the spec: ec2 declares no user_name
    assert {"user_data", "authentication_key", "firewalls", "owner_id"} <= names
    assert client.get("/api?format=json").status_code == 200
    # nothing listens there: an operation is a clean 502, never a 500
    auth = {"Authorization": "Basic " + base64.b64encode(b"AKID:secret").decode()}
    assert "Cannot reach EC2" in assert_error(
        client.get("/api/realms", headers=auth), 502
    )
    assert_error(client.get("/api?force_auth=1"), 401)


def test_drivers_lists_regions_as_providers(ec2_client: FlaskClient) -> None:
    shown = ec2_client.get("/api/drivers/ec2", headers={"Accept": "application/json"})
    entrypoints = shown.get_json()["driver"]["entrypoints"]
    assert "us-east-1" in entrypoints["ec2"] and "eu-west-1" in entrypoints["s3"]
    root = parse_xml(ec2_client.get("/api/drivers/ec2"))
    assert root.get("id") == "ec2"
    assert "eu-west-1" in {p.get("id") for p in root.iter("provider")}


def test_provider_is_the_region(ec2_client: FlaskClient, ec2_auth: Headers) -> None:
    matrix = ec2_client.get("/api;provider=eu-west-1/realms", headers=ec2_auth)
    assert {r["id"][:-1] for r in matrix.get_json()["realms"]} == {"eu-west-1"}
    header = ec2_client.get(
        "/api/realms", headers={**ec2_auth, "X-Deltacloud-Provider": "ap-south-1"}
    )
    assert {r["id"][:-1] for r in header.get_json()["realms"]} == {"ap-south-1"}


def test_missing_credentials_is_401(ec2_client: FlaskClient) -> None:
    response = ec2_client.get("/api/instances")
    assert_error(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    assert not Ec2Driver(None, "us-east-1").valid_credentials()
    assert not Ec2Driver(Credentials("AKID", ""), "us-east-1").valid_credentials()


@pytest.fixture(scope="module")
def strict_aws(moto: MotoServer) -> Iterator[MotoServer]:
    """A second moto server that checks credentials (none are registered)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("INITIAL_NO_AUTH_ACTION_COUNT", "0")
        with moto_server() as server:
            yield server


def test_rejected_credentials_are_401(strict_aws: MotoServer) -> None:
    app: Flask = create_app(
        {"TESTING": True, "DRIVER": "ec2", "EC2_ENDPOINT_URL": strict_aws.endpoint}
    )
    client = app.test_client()
    wrong = {"Authorization": "Basic " + base64.b64encode(b"AKIDWRONG:nope").decode()}
    message = assert_error(client.get("/api/realms", headers=wrong), 401)
    assert "AuthFailure" in message and "nope" not in message
    json_error = client.get(
        "/api/instances", headers={**wrong, "Accept": "application/json"}
    )
    assert_error(json_error, 401, "json")
    assert_error(client.get("/api?force_auth=1", headers=wrong), 401)
    driver = Ec2Driver(
        Credentials("AKIDWRONG", "nope"),
        None,
        {"EC2_ENDPOINT_URL": strict_aws.endpoint},
    )
    assert not driver.valid_credentials()


def test_valid_credentials_and_force_auth(
    aws: MotoServer, ec2_client: FlaskClient, ec2_auth: Headers
) -> None:
    assert ec2_driver(aws).valid_credentials()
    assert ec2_client.get("/api?force_auth=1", headers=ec2_auth).status_code == 200


# realms and hardware profiles ----------------------------------------------------


def test_realms_are_availability_zones(
    ec2_client: FlaskClient, ec2_auth: Headers
) -> None:
    root = parse_xml(ec2_client.get("/api/realms", headers=as_xml(ec2_auth)))
    ids = [realm.get("id") for realm in root.findall("realm")]
    assert "us-east-1a" in ids and all(i.startswith("us-east-1") for i in ids)
    assert root.find("realm/state").text == "AVAILABLE"
    assert_error(ec2_client.get("/api/realms/mars-1a", headers=as_xml(ec2_auth)), 404)


def test_hardware_profiles_from_instance_types(
    aws: MotoServer, ec2_client: FlaskClient, ec2_auth: Headers
) -> None:
    listed = ec2_client.get("/api/hardware_profiles", headers=ec2_auth).get_json()
    ids = [p["id"] for p in listed["hardware_profiles"]]
    assert set(ids) <= set(realms_profiles.PROFILE_TYPES)
    assert {"t2.micro", "m5.large", "m6g.medium"} <= set(ids)
    root = parse_xml(
        ec2_client.get("/api/hardware_profiles/m5.large", headers=as_xml(ec2_auth))
    )
    props = {p.get("name"): p for p in root.findall("property")}
    assert props["cpu"].get("value") == "2" and props["memory"].get("value") == "8192"
    assert props["architecture"].get("value") == "x86_64"
    arm = ec2_client.get("/api/hardware_profiles?architecture=arm64", headers=ec2_auth)
    arm_ids = {p["id"] for p in arm.get_json()["hardware_profiles"]}
    assert arm_ids and all(i.split(".")[0][-1] == "g" for i in arm_ids)
    # a type outside the curated list is still found by id
    big = ec2_client.get("/api/hardware_profiles/m5.24xlarge", headers=ec2_auth)
    assert big.get_json()["hardware_profile"]["properties"]["cpu"] == "96"
    # cached per region and endpoint for the process
    assert ("us-east-1", aws.endpoint) in realms_profiles._profiles


# images --------------------------------------------------------------------------


def test_images_owner_and_architecture_filters(
    ec2_client: FlaskClient, ec2_auth: Headers
) -> None:
    arm = ec2_client.get("/api/images?architecture=arm64", headers=ec2_auth).get_json()
    assert arm["images"] and {i["architecture"] for i in arm["images"]} == {"arm64"}
    profiles = {p["id"] for p in arm["images"][0]["hardware_profiles"]}
    assert "m6g.medium" in profiles and "t2.micro" not in profiles
    mine = ec2_client.get("/api/images?owner_id=self", headers=ec2_auth).get_json()
    assert mine["images"] == []
    root = parse_xml(ec2_client.get(f"/api/images/{IMAGE}", headers=as_xml(ec2_auth)))
    assert root.findtext("architecture") == "x86_64"
    assert root.findtext("root_type") == "persistent"
    assert_error(
        ec2_client.get("/api/images/ami-12345678", headers=as_xml(ec2_auth)), 404
    )


def test_image_create_from_instance_and_deregister(
    ec2_client: FlaskClient, ec2_auth: Headers
) -> None:
    instance = launch(ec2_client, ec2_auth)
    image = create(
        ec2_client,
        ec2_auth,
        "/api/images",
        instance_id=instance["id"],
        name="golden",
        description="web",
    )
    assert image["name"] == "golden" and image["description"] == "web"
    mine = ec2_client.get("/api/images?owner_id=self", headers=ec2_auth).get_json()
    assert [i["id"] for i in mine["images"]] == [image["id"]]
    default = ec2_client.get("/api/images", headers=ec2_auth).get_json()["images"]
    listed = {i["id"] for i in default}
    assert IMAGE in listed and image["id"] not in listed  # Amazon's images only
    gone = ec2_client.delete(f"/api/images/{image['id']}", headers=ec2_auth)
    assert gone.status_code == 204
    assert_error(
        ec2_client.get(f"/api/images/{image['id']}", headers=ec2_auth), 404, "json"
    )
    assert_error(
        ec2_client.delete(f"/api/images/{image['id']}", headers=ec2_auth), 404, "json"
    )
    missing = ec2_client.post(
        "/api/images", data={"instance_id": "i-00000000000000000"}, headers=ec2_auth
    )
    assert_error(missing, 404, "json")


# instances -----------------------------------------------------------------------


def test_create_with_every_feature(
    aws: MotoServer, ec2_client: FlaskClient, ec2_auth: Headers
) -> None:
    ec2 = aws_client(aws)
    ec2.create_key_pair(KeyName="ops")
    group = ec2.create_security_group(GroupName="web", Description="web")["GroupId"]
    other = ec2.create_security_group(GroupName="ssh", Description="ssh")["GroupId"]
    launched = launch(
        ec2_client,
        ec2_auth,
        name="frontend",
        user_data=base64.b64encode(b"#!/bin/sh\necho hi\n").decode(),
        keyname="ops",
        firewalls1="web",
        firewalls2=other,
        instance_count="3",
        metrics="true",
        realm_id="us-east-1b",
        hwp_id="m5.large",
    )
    assert len(launched) == 3
    for item in launched:
        described = _described(aws, item["id"])
        assert {"Key": "Name", "Value": "frontend"} in described["Tags"]
        assert described["KeyName"] == "ops"
        assert {g["GroupId"] for g in described["SecurityGroups"]} == {group, other}
        assert described["Monitoring"]["State"] == "enabled"
        assert described["Placement"]["AvailabilityZone"] == "us-east-1b"
        assert described["InstanceType"] == "m5.large"
        data = ec2.describe_instance_attribute(
            InstanceId=item["id"], Attribute="userData"
        )
        assert base64.b64decode(data["UserData"]["Value"]) == b"#!/bin/sh\necho hi\n"
    shown = ec2_client.get(
        f"/api/instances/{launched[0]['id']}", headers=as_xml(ec2_auth)
    )
    root = parse_xml(shown)
    assert root.findtext("name") == "frontend"
    assert root.find("hardware_profile").get("id") == "m5.large"
    assert root.find("realm").get("id") == "us-east-1b"
    assert root.findtext("authentication/login/keyname") == "ops"
    public = [a.get("type") for a in root.findall("public_addresses/address")]
    private = [a.get("type") for a in root.findall("private_addresses/address")]
    assert public == ["ipv4", "hostname"] and private == ["ipv4", "hostname"]
    assert len(root.findall("storage_volumes/storage_volume")) == 1
    in_zone = ec2_client.get("/api/instances?realm_id=us-east-1b", headers=ec2_auth)
    assert len(in_zone.get_json()["instances"]) == 3
    other_zone = ec2_client.get("/api/instances?realm_id=us-east-1c", headers=ec2_auth)
    assert other_zone.get_json()["instances"] == []


def test_create_bad_input(ec2_client: FlaskClient, ec2_auth: Headers) -> None:
    cases = [
        ({"image_id": "ami-12345678"}, "does not exist"),
        ({"hwp_id": "t2.micro", "hwp_memory": "4096"}, "outside hardware profile"),
        ({"firewalls1": "no-such-group"}, "Firewall 'no-such-group'"),
        ({"password": "secret"}, "key pairs"),
        ({"snapshot_id": "snap-12345678"}, "device_name"),
        ({"network_id": "vpc-12345678"}, "no subnet"),
        ({"instance_count": "many"}, "whole number"),
    ]
    for params, text in cases:
        response = ec2_client.post(
            "/api/instances", data={"image_id": IMAGE, **params}, headers=ec2_auth
        )
        assert text in assert_error(response, 400, "json"), params


def test_actions_follow_ec2_states(
    aws: MotoServer, ec2_client: FlaskClient, ec2_auth: Headers
) -> None:
    instance = launch(ec2_client, ec2_auth)
    assert instance["state"] == "PENDING"
    instance_id = instance["id"]
    xml = as_xml(ec2_auth)
    assert_error(ec2_client.delete(f"/api/instances/{instance_id}", headers=xml), 405)
    stopped = parse_xml(
        ec2_client.post(f"/api/instances/{instance_id}/stop", headers=xml)
    )
    assert stopped.findtext("state") == "STOPPED"
    assert {a.get("rel") for a in stopped.findall("actions/link")} >= {
        "start",
        "destroy",
    }
    assert _described(aws, instance_id)["State"]["Name"] == "stopped"
    assert_error(
        ec2_client.post(f"/api/instances/{instance_id}/reboot", headers=xml), 405
    )
    started = ec2_client.post(f"/api/instances/{instance_id}/start", headers=ec2_auth)
    assert started.get_json()["state"] == "RUNNING"
    ec2_client.post(f"/api/instances/{instance_id}/stop", headers=ec2_auth)
    assert (
        ec2_client.delete(f"/api/instances/{instance_id}", headers=xml).status_code
        == 204
    )
    assert _described(aws, instance_id)["State"]["Name"] == "terminated"
    finished = ec2_client.get(f"/api/instances/{instance_id}", headers=ec2_auth)
    assert finished.get_json()["instance"]["state"] == "FINISH"
    assert finished.get_json()["instance"]["actions"] == []


@pytest.mark.parametrize(
    ("ec2_state", "state"),
    [
        ("pending", "PENDING"),
        ("running", "RUNNING"),
        ("stopping", "STOPPING"),
        ("shutting-down", "STOPPING"),
        ("stopped", "STOPPED"),
        ("terminated", "FINISH"),
    ],
)
def test_ec2_state_names(ec2_state: str, state: str) -> None:
    described = {"InstanceId": "i-1", "State": {"Name": ec2_state}}
    assert to_instance(described, None).state is InstanceState(state)


def test_instance_store_actions(aws: MotoServer) -> None:
    assert set(STATES) == {
        "pending",
        "running",
        "stopping",
        "shutting-down",
        "stopped",
        "terminated",
    }
    driver = ec2_driver(aws)
    ebs = Instance(
        "i-1", None, InstanceState.RUNNING, extra={"root_device_type": "ebs"}
    )
    store = Instance(
        "i-2", None, InstanceState.RUNNING, extra={"root_device_type": "instance-store"}
    )
    assert driver.instance_actions(ebs) == ["reboot", "stop"]
    assert driver.instance_actions(store) == ["reboot", "destroy"]
    stopped = Instance(
        "i-3", None, InstanceState.STOPPED, extra={"root_device_type": "ebs"}
    )
    assert driver.instance_actions(stopped) == ["start", "destroy"]
    stopping = Instance(
        "i-5", None, InstanceState.STOPPING, extra={"root_device_type": "ebs"}
    )
    assert driver.instance_actions(stopping) == ["destroy"]
    shaped = to_instance(
        {
            "InstanceId": "i-4",
            "State": {"Name": "shutting-down"},
            "RootDeviceType": "ebs",
        },
        "123",
    )
    assert (
        shaped.state is InstanceState.STOPPING
        and shaped.name == "i-4"
        and not shaped.network_bindings
    )


def test_driver_direct_initial_state_and_load_balancer(aws: MotoServer) -> None:
    driver = ec2_driver(aws)
    driver.create_load_balancer(
        LoadBalancerCreate(
            name="front",
            realm_id="us-east-1a",
            protocol="HTTP",
            balancer_port="80",
            instance_port="8080",
        )
    )
    launched = driver.create_instance(
        InstanceCreate(
            image_id=IMAGE,
            initial_state=InstanceState.STOPPED,
            load_balancer_id="front",
        )
    )
    assert [i.state for i in launched] == ["STOPPED"]
    assert driver.load_balancer("front").instance_ids == [launched[0].id]
    assert driver.instance(launched[0].id).id == launched[0].id
    assert driver.instance("i-00000000000000000") is None
    assert driver.instances({"state": "RUNNING"}) == []
    with pytest.raises(ValidationFailure):
        driver.create_instance(InstanceCreate(image_id=IMAGE, instance_count=101))


def test_attach_snapshot_at_launch(
    aws: MotoServer, ec2_client: FlaskClient, ec2_auth: Headers
) -> None:
    ec2 = aws_client(aws)
    volume = ec2.create_volume(Size=2, AvailabilityZone="us-east-1a")["VolumeId"]
    snapshot = ec2.create_snapshot(VolumeId=volume)["SnapshotId"]
    instance = launch(
        ec2_client, ec2_auth, snapshot_id=snapshot, device_name="/dev/sdf"
    )
    mappings = _described(aws, instance["id"])["BlockDeviceMappings"]
    assert "/dev/sdf" in {m["DeviceName"] for m in mappings}


# keys ----------------------------------------------------------------------------


def _public_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return (
        key.public_key()
        .public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
        )
        .decode()
    )


def test_keys_create_import_duplicate_destroy(
    aws: MotoServer, ec2_client: FlaskClient, ec2_auth: Headers
) -> None:
    made = ec2_client.post(
        "/api/keys", data={"name": "deploy"}, headers=as_xml(ec2_auth)
    )
    assert made.status_code == 201
    root = parse_xml(made)
    assert "BEGIN RSA PRIVATE KEY" in root.findtext("pem")
    assert root.findtext("fingerprint")
    imported = ec2_client.post(
        "/api/keys",
        data={"name": "laptop", "public_key": _public_key()},
        headers=ec2_auth,
    )
    assert imported.status_code == 201, imported.get_data(as_text=True)
    key = imported.get_json()["key"]
    assert key["fingerprint"] and "pem_rsa_key" not in key
    names = {k["KeyName"] for k in aws_client(aws).describe_key_pairs()["KeyPairs"]}
    assert names == {"deploy", "laptop"}
    again = ec2_client.post("/api/keys", data={"name": "deploy"}, headers=ec2_auth)
    assert_error(again, 409, "json")
    bad = ec2_client.post(
        "/api/keys", data={"name": "junk", "public_key": "not a key"}, headers=ec2_auth
    )
    assert_error(bad, 400, "json")
    assert ec2_client.delete("/api/keys/laptop", headers=ec2_auth).status_code == 204
    assert_error(ec2_client.delete("/api/keys/laptop", headers=ec2_auth), 404, "json")


# addresses -----------------------------------------------------------------------


def test_addresses_are_elastic_ips(
    aws: MotoServer, ec2_client: FlaskClient, ec2_auth: Headers
) -> None:
    instance = launch(ec2_client, ec2_auth)
    ip = ec2_client.post("/api/addresses", headers=ec2_auth).get_json()["address"]["id"]
    assert [
        a["PublicIp"] for a in aws_client(aws).describe_addresses()["Addresses"]
    ] == [ip]
    ec2_client.post(
        f"/api/addresses/{ip}/associate",
        data={"instance_id": instance["id"]},
        headers=ec2_auth,
    )
    root = parse_xml(ec2_client.get("/api/addresses", headers=as_xml(ec2_auth)))
    assert root.find("address").get("id") == ip
    assert _described(aws, instance["id"])["PublicIpAddress"] == ip
    again = ec2_client.post(
        f"/api/addresses/{ip}/associate",
        data={"instance_id": instance["id"]},
        headers=ec2_auth,
    )
    assert "already associated" in assert_error(again, 403, "json")
    ec2_client.post(f"/api/addresses/{ip}/disassociate", headers=ec2_auth)
    assert (
        ec2_client.delete(f"/api/addresses/{ip}", headers=ec2_auth).status_code == 204
    )
    assert aws_client(aws).describe_addresses()["Addresses"] == []
    for response in (
        ec2_client.get("/api/addresses/203.0.113.9", headers=ec2_auth),
        ec2_client.post("/api/addresses/203.0.113.9/disassociate", headers=ec2_auth),
        ec2_client.delete("/api/addresses/203.0.113.9", headers=ec2_auth),
    ):
        assert_error(response, 404, "json")


# firewalls -----------------------------------------------------------------------


def test_firewalls_are_security_groups(
    aws: MotoServer, ec2_client: FlaskClient, ec2_auth: Headers
) -> None:
    created = ec2_client.post(
        "/api/firewalls",
        data={"name": "app", "description": "app tier"},
        headers=ec2_auth,
    )
    app_group = created.get_json()["firewall"]
    assert app_group["id"].startswith("sg-") and app_group["description"] == "app tier"
    lb = ec2_client.post(
        "/api/firewalls",
        data={"name": "lb", "description": "balancers"},
        headers=ec2_auth,
    ).get_json()["firewall"]
    ruled = add_rule(
        ec2_client,
        as_xml(ec2_auth),
        app_group["id"],
        "80-443",
        ip_address1="192.0.2.0/24",
        ip_address2="2001:db8::/32",
        group1="lb",
        group1owner="123456789012",
    )
    assert ruled.status_code == 201, ruled.get_data(as_text=True)
    rule = parse_xml(ruled).find("rules/rule")
    assert rule.get("id") == "tcp~80~443"
    sources = {
        (s.get("type"), s.get("family") or s.get("name")) for s in rule.iter("source")
    }
    assert sources == {("address", "ipv4"), ("address", "ipv6"), ("group", lb["id"])}
    described = aws_client(aws).describe_security_groups(GroupIds=[app_group["id"]])
    permission = described["SecurityGroups"][0]["IpPermissions"][0]
    assert permission["UserIdGroupPairs"][0]["GroupId"] == lb["id"]
    duplicate = add_rule(
        ec2_client, ec2_auth, app_group["id"], "80-443", ip_address1="192.0.2.0/24"
    )
    assert_error(duplicate, 409, "json")
    by_name = ec2_client.get("/api/firewalls/app", headers=ec2_auth).get_json()
    assert by_name["firewall"]["id"] == app_group["id"]
    for data, text in (
        (
            {
                "protocol": "gre",
                "port_from": "1",
                "port_to": "2",
                "ip_address1": "10.0.0.0/8",
            },
            "protocol",
        ),
        (
            {
                "protocol": "tcp",
                "port_from": "90",
                "port_to": "80",
                "ip_address1": "10.0.0.0/8",
            },
            "greater",
        ),
        (
            {
                "protocol": "tcp",
                "port_from": "1",
                "port_to": "70000",
                "ip_address1": "10.0.0.0/8",
            },
            "65535",
        ),
        (
            {
                "protocol": "tcp",
                "port_from": "1",
                "port_to": "2",
                "ip_address1": "10.0.0.300/8",
            },
            "Invalid source",
        ),
        ({"protocol": "tcp", "port_from": "1", "port_to": "2"}, "No sources"),
        (
            {"protocol": "tcp", "port_from": "1", "port_to": "2", "group1": "nope"},
            "nope",
        ),
    ):
        response = ec2_client.post(
            f"/api/firewalls/{app_group['id']}/rules", data=data, headers=ec2_auth
        )
        assert text in assert_error(response, 400, "json"), data
    in_use = ec2_client.delete(f"/api/firewalls/{lb['id']}", headers=ec2_auth)
    assert_error(in_use, 409, "json")
    missing_rule = ec2_client.delete(
        f"/api/firewalls/{app_group['id']}/udp~1~2", headers=ec2_auth
    )
    assert_error(missing_rule, 404, "json")
    assert (
        ec2_client.delete(
            f"/api/firewalls/{app_group['id']}/tcp~80~443", headers=ec2_auth
        ).status_code
        == 204
    )
    assert (
        ec2_client.delete(f"/api/firewalls/{lb['id']}", headers=ec2_auth).status_code
        == 204
    )
    assert_error(
        ec2_client.get("/api/firewalls/sg-12345678", headers=ec2_auth), 404, "json"
    )
    dup = ec2_client.post(
        "/api/firewalls", data={"name": "app", "description": "again"}, headers=ec2_auth
    )
    assert_error(dup, 409, "json")


# load balancers --------------------------------------------------------------------


def test_load_balancers_through_elb(
    aws: MotoServer, ec2_client: FlaskClient, ec2_auth: Headers
) -> None:
    params = {
        "name": "web",
        "realm_id": "us-east-1a",
        "listener_protocol": "TCP",
        "listener_balancer_port": "443",
        "listener_instance_port": "8443",
    }
    created = ec2_client.post(
        "/api/load_balancers", data=params, headers=as_xml(ec2_auth)
    )
    assert created.status_code == 201, created.get_data(as_text=True)
    root = parse_xml(created)
    assert root.get("id") == "web"
    assert "web" in created.get_data(as_text=True)
    described = aws_client(aws, "elb").describe_load_balancers()[
        "LoadBalancerDescriptions"
    ]
    assert described[0]["ListenerDescriptions"][0]["Listener"]["InstancePort"] == 8443
    assert_error(
        ec2_client.post("/api/load_balancers", data=params, headers=ec2_auth),
        409,
        "json",
    )
    bad = ec2_client.post(
        "/api/load_balancers",
        data={**params, "name": "other", "listener_protocol": "UDP"},
        headers=ec2_auth,
    )
    assert_error(bad, 400, "json")
    unknown = ec2_client.post(
        "/api/load_balancers/nope/register",
        data={"instance_id": "i-1"},
        headers=ec2_auth,
    )
    assert_error(unknown, 404, "json")
    assert_error(
        ec2_client.delete("/api/load_balancers/nope", headers=ec2_auth), 404, "json"
    )
