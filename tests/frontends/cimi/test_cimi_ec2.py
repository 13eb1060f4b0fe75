"""A CIMI client talking to the ec2 driver at /cimi, against a real moto server:
the CloudEntryPoint, machines (created from a template by value with config and
image by reference, or from a stored template; stop, start, delete), machine
configurations, images, credentials, volumes with the MachineVolume
sub-collection, volume images, networks and forwarding groups, and addresses,
in XML and JSON. Nothing of the mock's seed shows up for ec2."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from deltaflask import create_app
from tests.support.auth import EC2_AUTH
from tests.support.auth import MOCK_AUTH
from tests.support.cimi import ACTION
from tests.support.cimi import BASE
from tests.support.cimi import NS
from tests.support.cimi import create
from tests.support.cimi import post_json
from tests.support.cimi import post_xml
from tests.support.ec2_driver import IMAGE
from tests.support.ec2_driver import Headers
from tests.support.ec2_driver import aws_client
from tests.support.helpers import assert_error
from tests.support.helpers import parse_xml
from tests.support.moto_server import MotoServer

CONFIG = "t2.micro"


@pytest.fixture
def cimi_ec2_app(aws: MotoServer, tmp_path: Path) -> Flask:
    """/cimi over the ec2 driver pointed at moto (CIMI's store in ``tmp_path``)."""
    return create_app(
        {
            "TESTING": True,
            "DRIVER": "ec2",
            "PROVIDER": "us-east-1",
            "EC2_ENDPOINT_URL": aws.endpoint,
            "FRONTENDS": ["cimi"],
            "MOCK_STORAGE": str(tmp_path / "mock"),
        }
    )


@pytest.fixture
def ec2(cimi_ec2_app: Flask) -> FlaskClient:
    return cimi_ec2_app.test_client()


@pytest.fixture
def jh() -> Headers:
    return {"Authorization": EC2_AUTH, "Accept": "application/json"}


@pytest.fixture
def xh() -> Headers:
    return {"Authorization": EC2_AUTH, "Accept": "application/xml"}


def _path(href: str) -> str:
    return href.removeprefix("http://localhost")


def _last(href: str) -> str:
    return href.rsplit("/", 1)[-1]


def _get(client: FlaskClient, path: str, headers: Headers) -> dict[str, Any]:
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    data: dict[str, Any] = response.get_json()
    return data


def _action(client: FlaskClient, machine: str, action: str, headers: Headers) -> None:
    response = post_json(
        client,
        f"/cimi/machines/{machine}/{action}",
        {"action": ACTION + action},
        headers,
    )
    assert response.status_code == 202, response.get_data(as_text=True)
    assert response.get_data() == b""


def _machine(client: FlaskClient, headers: Headers, name: str = "web") -> str:
    body = {
        "resourceURI": "http://schemas.dmtf.org/cimi/1/MachineCreate",
        "name": name,
        "description": "a web server",
        "properties": {"role": "web"},
        "machineTemplate": {
            "machineConfig": {"href": f"{BASE}/machine_configurations/{CONFIG}"},
            "machineImage": {"href": f"{BASE}/machine_images/{IMAGE}"},
        },
    }
    return _last(create(client, "/cimi/machines", body, headers))


# -- the entry point and what is not there -------------------------------------------
def test_entry_point_in_both_formats(ec2: FlaskClient, xh: Headers) -> None:
    root = parse_xml(ec2.get("/cimi/cloudEntryPoint", headers=xh))
    assert root.tag == f"{NS}CloudEntryPoint"
    assert root.findtext(f"{NS}name") == "ec2"
    assert root.findtext(f"{NS}provider") == "us-east-1"
    assert root.findtext(f"{NS}baseURI") == f"{BASE}/"
    for name, path in (
        ("machines", "machines"),
        ("machineConfigs", "machine_configurations"),
        ("machineImages", "machine_images"),
        ("credentials", "credentials"),
        ("volumes", "volumes"),
        ("volumeImages", "volume_images"),
        ("networks", "networks"),
        ("forwardingGroups", "forwarding_groups"),
        ("addresses", "addresses"),
    ):
        assert root.find(f"{NS}{name}").get("href") == f"{BASE}/{path}", name
    data = ec2.get("/cimi/cloudEntryPoint?format=json").get_json()
    assert data["resourceURI"] == "http://schemas.dmtf.org/cimi/1/CloudEntryPoint"
    assert data["driver"] == "ec2"
    assert data["machines"] == {"href": f"{BASE}/machines"}


@pytest.mark.parametrize(
    "path",
    [
        "machine_templates",
        "volume_configurations",
        "volume_templates",
        "network_templates",
        "network_configurations",
        "network_ports",
        "network_port_templates",
        "network_port_configurations",
        "address_templates",
        "forwarding_group_templates",
        "systems",
        "system_templates",
    ],
)
def test_no_mock_seed_in_the_cimi_store(
    ec2: FlaskClient, jh: Headers, xh: Headers, path: str
) -> None:
    data = _get(ec2, f"/cimi/{path}", jh)
    assert data["count"] == 0, data
    assert parse_xml(ec2.get(f"/cimi/{path}", headers=xh)).findtext(f"{NS}count") == "0"
    for seeded in ("template1", "network_config1", "addr_template1", "system1"):
        assert_error(ec2.get(f"/cimi/{path}/{seeded}", headers=jh), 404, "json")


def test_expanded_entry_point_lists_ec2_only(ec2: FlaskClient, jh: Headers) -> None:
    data = _get(ec2, "/cimi/cloudEntryPoint?$expand=*", jh)
    # empty collections, expanded, are their href alone (as the original's)
    assert data["machines"] == {"href": f"{BASE}/machines"}
    assert data["networkTemplates"] == {"href": f"{BASE}/network_templates"}
    assert data["machineConfigs"]["count"] > 0
    groups = data["forwardingGroups"]["forwardingGroups"]
    assert [_last(g["id"]).startswith("vpc-") for g in groups] == [True]
    assert all(
        _last(n["id"]).startswith("subnet-") for n in data["networks"]["networks"]
    )


def test_tenants_do_not_share_the_cimi_store(ec2: FlaskClient, jh: Headers) -> None:
    template = create(
        ec2,
        "/cimi/machine_templates",
        {
            "name": "mine",
            "machineConfig": {"href": f"{BASE}/machine_configurations/{CONFIG}"},
            "machineImage": {"href": f"{BASE}/machine_images/{IMAGE}"},
        },
        jh,
    )
    other = {
        "Authorization": "Basic " + base64.b64encode(b"AKIDOTHER:secret").decode(),
        "Accept": "application/json",
    }
    assert _get(ec2, "/cimi/machine_templates", other)["count"] == 0
    path = _path(template)
    assert_error(ec2.get(path, headers=other), 404, "json")
    assert_error(ec2.delete(path, headers=other), 404, "json")
    assert _get(ec2, path, jh)["name"] == "mine"
    assert_error(ec2.get("/cimi/machine_templates"), 401)


# -- machine configurations, images, credentials -----------------------------------
def test_machine_configurations_from_instance_types(
    ec2: FlaskClient, jh: Headers, xh: Headers
) -> None:
    listing = _get(ec2, "/cimi/machine_configurations", jh)
    names = {_last(c["id"]) for c in listing["machineConfigurations"]}
    assert {"t2.nano", "t2.micro", "m5.large"} <= names
    assert listing["count"] == len(names)
    micro = _get(ec2, f"/cimi/machine_configurations/{CONFIG}", jh)
    assert (micro["cpu"], micro["memory"]) == ("1", 1024 * 1024)
    assert "disks" not in micro  # EBS-only: no local disk
    root = parse_xml(ec2.get("/cimi/machine_configurations/m5.large", headers=xh))
    assert root.tag == f"{NS}MachineConfiguration"
    assert (root.findtext(f"{NS}cpu"), root.findtext(f"{NS}memory")) == (
        "2",
        str(8 * 1024 * 1024),
    )
    filtered = _get(ec2, "/cimi/machine_configurations?$filter=cpu>=2", jh)
    assert filtered["count"] and all(
        int(c["cpu"]) >= 2 for c in filtered["machineConfigurations"]
    )
    assert_error(
        ec2.get("/cimi/machine_configurations/x9.huge", headers=jh), 404, "json"
    )


def test_machine_images(ec2: FlaskClient, jh: Headers, xh: Headers) -> None:
    named = "/cimi/machine_images?$filter=name!=''"
    listing = _get(ec2, f"{named}&$first=1&$last=5", jh)
    assert len(listing["machineImages"]) == 5
    everything = _get(ec2, named, jh)  # count: every match, not the page
    assert listing["count"] == everything["count"] == len(everything["machineImages"])
    root = parse_xml(ec2.get(f"/cimi/machine_images/{IMAGE}", headers=xh))
    assert root.tag == f"{NS}MachineImage"
    assert root.findtext(f"{NS}state") == "AVAILABLE"
    assert root.findtext(f"{NS}type") == "IMAGE"
    assert_error(ec2.get("/cimi/machine_images/ami-00000000", headers=xh), 404)


def test_credentials(ec2: FlaskClient, jh: Headers, xh: Headers) -> None:
    body = """<CredentialCreate xmlns="http://schemas.dmtf.org/cimi/1">
      <name>deploy</name><credentialTemplate/></CredentialCreate>"""
    response = post_xml(ec2, "/cimi/credentials", body, xh)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.headers["Location"] == f"{BASE}/credentials/deploy"
    assert parse_xml(response).findtext(f"{NS}key").startswith("-----BEGIN")
    listing = _get(ec2, "/cimi/credentials", jh)
    assert [c["name"] for c in listing["credentials"]] == ["deploy"]
    assert ec2.delete("/cimi/credentials/deploy", headers=jh).status_code == 200
    assert _get(ec2, "/cimi/credentials", jh)["count"] == 0


# -- machines ----------------------------------------------------------------------
def test_machine_lifecycle_json(ec2: FlaskClient, jh: Headers, aws: MotoServer) -> None:
    machine = _machine(ec2, jh)
    data = _get(ec2, f"/cimi/machines/{machine}", jh)
    assert machine.startswith("i-")
    assert (data["name"], data["description"], data["state"]) == (
        "web",
        "a web server",
        "STARTED",
    )
    assert data["properties"] == {"role": "web"}
    assert data["machineImage"] == {"href": f"{BASE}/machine_images/{IMAGE}"}
    assert (data["cpu"], data["memory"]) == ("1", 1024 * 1024)
    rels = [op["rel"] for op in data["operations"]]
    assert ACTION + "stop" in rels and ACTION + "start" not in rels
    reservations = aws_client(aws).describe_instances(InstanceIds=[machine])
    assert reservations["Reservations"][0]["Instances"][0]["InstanceType"] == CONFIG
    _action(ec2, machine, "stop", jh)
    assert _get(ec2, f"/cimi/machines/{machine}", jh)["state"] == "STOPPED"
    again = post_json(
        ec2, f"/cimi/machines/{machine}/stop", {"action": ACTION + "stop"}, jh
    )
    assert_error(again, 409, "json")
    _action(ec2, machine, "start", jh)
    assert _get(ec2, f"/cimi/machines/{machine}", jh)["state"] == "STARTED"
    assert_error(ec2.delete(f"/cimi/machines/{machine}", headers=jh), 409, "json")
    _action(ec2, machine, "stop", jh)
    assert ec2.delete(f"/cimi/machines/{machine}", headers=jh).status_code == 200
    state = aws_client(aws).describe_instances(InstanceIds=[machine])["Reservations"][
        0
    ]["Instances"][0]["State"]["Name"]
    assert state in ("shutting-down", "terminated")
    # EC2 still lists a terminated instance; for CIMI it is deleted
    assert_error(ec2.get(f"/cimi/machines/{machine}", headers=jh), 404, "json")
    assert _get(ec2, "/cimi/machines", jh)["count"] == 0
    for action in ("start", "stop"):
        gone = post_json(
            ec2, f"/cimi/machines/{machine}/{action}", {"action": ACTION + action}, jh
        )
        assert_error(gone, 404, "json")
    assert_error(ec2.delete(f"/cimi/machines/{machine}", headers=jh), 404, "json")
    edit = ec2.put(f"/cimi/machines/{machine}", json={"name": "x"}, headers=jh)
    assert_error(edit, 404, "json")


def test_machine_from_template_by_value_xml(
    ec2: FlaskClient, xh: Headers, jh: Headers
) -> None:
    body = f"""<MachineCreate xmlns="http://schemas.dmtf.org/cimi/1">
      <name>xml-box</name>
      <machineTemplate>
        <machineConfig href="{BASE}/machine_configurations/t2.nano"/>
        <machineImage href="{BASE}/machine_images/{IMAGE}"/>
      </machineTemplate></MachineCreate>"""
    response = post_xml(ec2, "/cimi/machines", body, xh)
    assert response.status_code == 201, response.get_data(as_text=True)
    root = parse_xml(response)
    assert root.tag == f"{NS}Machine"
    assert response.headers["Location"] == root.findtext(f"{NS}id")
    assert root.findtext(f"{NS}memory") == str(512 * 1024)
    machine = _last(root.findtext(f"{NS}id"))
    stop = f'<Action xmlns="http://schemas.dmtf.org/cimi/1"><action>{ACTION}stop</action></Action>'
    response = post_xml(ec2, f"/cimi/machines/{machine}/stop", stop, xh)
    assert response.status_code == 202
    root = parse_xml(ec2.get(f"/cimi/machines/{machine}", headers=xh))
    assert root.findtext(f"{NS}state") == "STOPPED"
    listing = parse_xml(ec2.get("/cimi/machines", headers=xh))
    assert listing.findtext(f"{NS}count") == "1"
    assert listing.find(f"{NS}Machine/{NS}name").text == "xml-box"


def test_machine_from_stored_template(
    ec2: FlaskClient, jh: Headers, aws: MotoServer
) -> None:
    key = create(
        ec2, "/cimi/credentials", {"name": "ops", "credentialTemplate": {}}, jh
    )
    template = create(
        ec2,
        "/cimi/machine_templates",
        {
            "name": "small-suse",
            "machineConfig": {"href": f"{BASE}/machine_configurations/t2.small"},
            "machineImage": {"href": f"{BASE}/machine_images/{IMAGE}"},
            "credential": {"href": key},
            "initialState": "STOPPED",
        },
        jh,
    )
    response = post_json(
        ec2,
        "/cimi/machines",
        {"name": "from-template", "machineTemplate": {"href": template}},
        jh,
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    data = response.get_json()
    assert data["memory"] == 2048 * 1024
    assert data["state"] == "STOPPED"
    found = aws_client(aws).describe_instances(InstanceIds=[_last(data["id"])])
    assert found["Reservations"][0]["Instances"][0]["KeyName"] == "ops"


def test_machine_config_by_value_matches_an_instance_type(
    ec2: FlaskClient, jh: Headers
) -> None:
    body = {
        "machineTemplate": {
            "machineConfig": {"cpu": 2, "memory": 8 * 1024 * 1024},
            "machineImage": {
                "imageLocation": {"href": f"{BASE}/machine_images/{IMAGE}"}
            },
        }
    }
    response = post_json(ec2, "/cimi/machines", body, jh)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert (response.get_json()["cpu"], response.get_json()["memory"]) == (
        "2",
        8 * 1024 * 1024,
    )


def test_bad_machine_requests_create_nothing(ec2: FlaskClient, jh: Headers) -> None:
    for config, image in ((CONFIG, "ami-00000000"), ("x9.huge", IMAGE)):
        body = {
            "machineTemplate": {
                "machineConfig": {"href": f"{BASE}/machine_configurations/{config}"},
                "machineImage": {"href": f"{BASE}/machine_images/{image}"},
            }
        }
        response = post_json(ec2, "/cimi/machines", body, jh)
        assert response.status_code in (400, 404), response.get_data(as_text=True)
        assert_error(response, response.status_code, "json")
    missing = post_json(
        ec2,
        "/cimi/machines",
        {"machineTemplate": {"href": f"{BASE}/machine_templates/template1"}},
        jh,
    )
    assert_error(missing, 404, "json")
    assert _get(ec2, "/cimi/machines", jh)["count"] == 0


# -- volumes and the MachineVolume sub-collection ------------------------------------
def _ebs_state(aws: MotoServer, volume: str) -> str:
    found = aws_client(aws).describe_volumes(VolumeIds=[volume])["Volumes"][0]
    return str(found["State"])


def test_volumes_attach_and_detach(
    ec2: FlaskClient, jh: Headers, xh: Headers, aws: MotoServer
) -> None:
    machine = _machine(ec2, jh)
    config = create(
        ec2,
        "/cimi/volume_configurations",
        {"name": "2g", "capacity": 2 * 1024 * 1024},
        jh,
    )
    body = f"""<VolumeCreate xmlns="http://schemas.dmtf.org/cimi/1"><name>data</name>
      <volumeTemplate><volumeConfig href="{config}"/></volumeTemplate>
      </VolumeCreate>"""
    response = post_xml(ec2, "/cimi/volumes", body, xh)
    assert response.status_code == 201, response.get_data(as_text=True)
    root = parse_xml(response)
    assert root.findtext(f"{NS}capacity") == str(2 * 1024 * 1024)
    assert root.findtext(f"{NS}name") == "data"
    volume = _last(response.headers["Location"])
    assert volume.startswith("vol-")
    before = _get(ec2, f"/cimi/machines/{machine}/volumes", jh)["count"]
    attach = f"""<MachineVolume xmlns="http://schemas.dmtf.org/cimi/1">
      <initialLocation>/dev/sdf</initialLocation>
      <volume href="{BASE}/volumes/{volume}"/></MachineVolume>"""
    response = post_xml(ec2, f"/cimi/machines/{machine}/volume_attach", attach, xh)
    assert response.status_code == 201, response.get_data(as_text=True)
    own = f"{BASE}/machines/{machine}/volumes/{volume}"
    assert response.headers["Location"] == own
    assert parse_xml(response).findtext(f"{NS}initialLocation") == "/dev/sdf"
    listing = _get(ec2, f"/cimi/machines/{machine}/volumes", jh)
    assert listing["count"] == before + 1
    assert own in [mv["id"] for mv in listing["machineVolumes"]]
    shown = _get(ec2, _path(own), jh)
    assert shown["volume"] == {"href": f"{BASE}/volumes/{volume}"}
    assert shown["operations"] == [{"rel": "delete", "href": own}]
    # CIMI has no IN-USE: an attached volume stays AVAILABLE, EBS says in-use
    assert _get(ec2, f"/cimi/volumes/{volume}", jh)["state"] == "AVAILABLE"
    assert _ebs_state(aws, volume) == "in-use"
    again = post_json(
        ec2,
        f"/cimi/machines/{machine}/volume_attach",
        {"initialLocation": "/dev/sdg", "volume": {"href": f"{BASE}/volumes/{volume}"}},
        jh,
    )
    # attaching again to the same machine is a no-op answering the attachment
    assert again.status_code == 201, again.get_data(as_text=True)
    assert again.headers["Location"] == own
    assert again.get_json()["initialLocation"] == "/dev/sdf"
    assert _ebs_state(aws, volume) == "in-use"
    detached = ec2.delete(_path(own), headers=xh)
    assert detached.status_code == 200
    assert parse_xml(detached).findtext(f"{NS}count") == str(before)
    assert _ebs_state(aws, volume) == "available"
    # the seed post's PUT to the add URI, in JSON
    response = ec2.put(
        f"/cimi/machines/{machine}/volume_attach",
        json={
            "resourceURI": "http://schemas.dmtf.org/cimi/1/MachineVolume",
            "initialLocation": "/dev/sdh",
            "volume": {"href": f"{BASE}/volumes/{volume}"},
        },
        headers=jh,
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    assert ec2.delete(_path(own), headers=jh).status_code == 200
    assert ec2.delete(f"/cimi/volumes/{volume}", headers=jh).status_code == 200
    assert_error(ec2.get(f"/cimi/volumes/{volume}", headers=jh), 404, "json")


def test_volume_by_value_and_volume_images(ec2: FlaskClient, jh: Headers) -> None:
    response = post_json(
        ec2,
        "/cimi/volumes",
        {"name": "v1", "volumeTemplate": {"volumeConfig": {"capacity": 1024 * 1024}}},
        jh,
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    volume = response.get_json()
    assert (volume["capacity"], volume["state"]) == (1024 * 1024, "AVAILABLE")
    snap = post_json(
        ec2,
        "/cimi/volume_images",
        {"name": "nightly", "imageLocation": {"href": volume["id"]}},
        jh,
    )
    assert snap.status_code == 201, snap.get_data(as_text=True)
    image = snap.get_json()
    assert _last(image["id"]).startswith("snap-")
    assert image["imageLocation"] == {"href": volume["id"]}
    listing = _get(ec2, "/cimi/volume_images?$filter=name='nightly'", jh)
    assert [i["id"] for i in listing["volumeImages"]] == [image["id"]]
    missing = post_json(
        ec2,
        "/cimi/volume_images",
        {"imageLocation": {"href": f"{BASE}/volumes/vol-00000000"}},
        jh,
    )
    assert_error(missing, 404, "json")
    assert ec2.delete(_path(image["id"]), headers=jh).status_code == 200
    assert ec2.delete(_path(volume["id"]), headers=jh).status_code == 200


# -- networks, forwarding groups, addresses -----------------------------------------
def test_networks_and_forwarding_groups(
    ec2: FlaskClient, jh: Headers, xh: Headers, aws: MotoServer
) -> None:
    groups = _get(ec2, "/cimi/forwarding_groups", jh)["forwardingGroups"]
    default_vpc = _last(groups[0]["id"])
    networks_before = _get(ec2, "/cimi/networks", jh)["count"]
    config = create(
        ec2,
        "/cimi/network_configurations",
        {"name": "private", "networkType": "PRIVATE", "mtu": 1500},
        jh,
    )
    template = create(
        ec2,
        "/cimi/network_templates",
        {
            "name": "in-default",
            "networkConfig": {"href": config},
            "forwardingGroup": {"href": f"{BASE}/forwarding_groups/{default_vpc}"},
        },
        jh,
    )
    body = f"""<NetworkCreate xmlns="http://schemas.dmtf.org/cimi/1"><name>backend</name>
      <networkTemplate href="{template}"/></NetworkCreate>"""
    response = post_xml(ec2, "/cimi/networks", body, xh)
    assert response.status_code == 201, response.get_data(as_text=True)
    root = parse_xml(response)
    network = _last(response.headers["Location"])
    assert network.startswith("subnet-")
    assert root.findtext(f"{NS}name") == "backend"
    assert root.findtext(f"{NS}networkType") == "PRIVATE"
    assert root.findtext(f"{NS}mtu") == "1500"
    assert root.find(f"{NS}forwardingGroup").get("href") == (
        f"{BASE}/forwarding_groups/{default_vpc}"
    )
    subnet = aws_client(aws).describe_subnets(SubnetIds=[network])["Subnets"][0]
    assert subnet["VpcId"] == default_vpc
    group = _get(ec2, f"/cimi/forwarding_groups/{default_vpc}", jh)
    assert {"href": f"{BASE}/networks/{network}"} in group["networks"]
    # by value, with no forwarding group: one of its own is made, and dropped with it
    response = post_json(
        ec2,
        "/cimi/networks",
        {
            "name": "isolated",
            "networkTemplate": {"networkConfig": {"networkType": "PRIVATE"}},
        },
        jh,
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    isolated = response.get_json()
    holder = _last(isolated["forwardingGroup"]["href"])
    assert holder.startswith("vpc-") and holder != default_vpc
    assert _get(ec2, "/cimi/networks", jh)["count"] == networks_before + 2
    assert ec2.delete(_path(isolated["id"]), headers=jh).status_code == 200
    vpcs = {v["VpcId"] for v in aws_client(aws).describe_vpcs()["Vpcs"]}
    assert holder not in vpcs
    assert ec2.delete(f"/cimi/networks/{network}", headers=xh).status_code == 200
    assert _get(ec2, "/cimi/networks", jh)["count"] == networks_before
    missing = post_json(
        ec2,
        "/cimi/networks",
        {"networkTemplate": {"href": f"{BASE}/network_templates/template1"}},
        jh,
    )
    assert_error(missing, 404, "json")


def test_addresses(ec2: FlaskClient, jh: Headers, xh: Headers, aws: MotoServer) -> None:
    body = """<AddressCreate xmlns="http://schemas.dmtf.org/cimi/1">
      <name>front</name><description>the front door</description>
      <addressTemplate><allocation>dynamic</allocation></addressTemplate>
      </AddressCreate>"""
    response = post_xml(ec2, "/cimi/addresses", body, xh)
    assert response.status_code == 201, response.get_data(as_text=True)
    root = parse_xml(response)
    ip = root.findtext(f"{NS}ip")
    assert response.headers["Location"] == f"{BASE}/addresses/{ip}"
    assert root.findtext(f"{NS}name") == "front"
    public = {a["PublicIp"] for a in aws_client(aws).describe_addresses()["Addresses"]}
    assert ip in public
    template = create(
        ec2, "/cimi/address_templates", {"name": "t", "allocation": "dynamic"}, jh
    )
    by_ref = post_json(
        ec2,
        "/cimi/addresses",
        {"addressTemplate": {"href": template}},
        jh,
    )
    assert by_ref.status_code == 201, by_ref.get_data(as_text=True)
    listing = _get(ec2, "/cimi/addresses", jh)
    assert listing["count"] == 2
    assert {a["ip"] for a in listing["addresses"]} == {ip, by_ref.get_json()["ip"]}
    for address in listing["addresses"]:
        assert ec2.delete(_path(address["id"]), headers=jh).status_code == 200
    assert aws_client(aws).describe_addresses()["Addresses"] == []
    static = {"addressTemplate": {"allocation": "static", "ip": "192.168.10.100"}}
    refused = ec2.post("/cimi/addresses", json=static, headers=jh)
    assert refused.status_code == 400
    assert "ip cannot be chosen" in refused.get_json()["message"]
    assert aws_client(aws).describe_addresses()["Addresses"] == []
    meta = _get(ec2, "/cimi/resource_metadata/address", jh)
    assert {c["name"]: c["value"] for c in meta["capabilities"]} == {
        "ChosenIp": "false"
    }


def test_driver_chosen_per_request(aws: MotoServer, tmp_path: Path) -> None:
    app = create_app(
        {
            "TESTING": True,
            "EC2_ENDPOINT_URL": aws.endpoint,
            "FRONTENDS": ["cimi"],
            "MOCK_STORAGE": str(tmp_path / "mock"),
        }
    )
    client = app.test_client()
    mock = {"Authorization": MOCK_AUTH, "Accept": "application/json"}
    assert _get(client, "/cimi/network_templates", mock)["count"] == 2
    ec2 = {
        "Authorization": EC2_AUTH,
        "Accept": "application/json",
        "X-Deltacloud-Driver": "ec2",
        "X-Deltacloud-Provider": "us-east-1",
    }
    entry = _get(client, "/cimi/cloudEntryPoint", ec2)
    assert (entry["driver"], entry["provider"]) == ("ec2", "us-east-1")
    assert _get(client, "/cimi/network_templates", ec2)["count"] == 0
    assert _get(client, "/cimi/machines", ec2)["count"] == 0
    _machine(client, ec2)
    assert _get(client, "/cimi/machines", ec2)["count"] == 1
    assert _get(client, "/cimi/machines", mock)["count"] == 4
