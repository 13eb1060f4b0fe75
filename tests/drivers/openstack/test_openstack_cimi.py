"""The CIMI frontend over the openstack driver, against the real services:
the CloudEntryPoint, MachineConfigurations (Nova flavors), MachineImages
(Glance), Machines (made from a template by value or from a stored template;
stop, start, delete), Volumes (Cinder) with the MachineVolume sub-collection,
Networks (Neutron subnets) and errors, in XML and JSON.

The provider is the Keystone URL with a region: CIMI's store must scope what
it keeps by a name a URL cannot spoil (it once answered 404 for every
collection of such a provider).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from openstack.exceptions import NotFoundException

from deltaflask import create_app
from tests.support.auth import basic
from tests.support.cimi import ACTION
from tests.support.cimi import BASE
from tests.support.cimi import NS
from tests.support.cimi import create
from tests.support.cimi import post_json
from tests.support.cimi import post_xml
from tests.support.helpers import assert_error
from tests.support.helpers import parse_xml
from tests.support.openstack_cloud import OpenStackCloud

pytestmark = pytest.mark.xdist_group("openstack")

Headers = dict[str, str]
CONFIG = "m1.tiny"
#: the collections the openstack driver serves and where they are
SERVED = {
    "machines": "machines",
    "machineConfigs": "machine_configurations",
    "machineImages": "machine_images",
    "credentials": "credentials",
    "volumes": "volumes",
    "volumeImages": "volume_images",
    "networks": "networks",
    "forwardingGroups": "forwarding_groups",
    "addresses": "addresses",
}


@pytest.fixture
def cimi(openstack: OpenStackCloud, tmp_path: Path) -> FlaskClient:
    """/cimi over the openstack driver (CIMI's store in ``tmp_path``)."""
    app = create_app(
        {
            "TESTING": True,
            "DRIVER": "openstack",
            "PROVIDER": openstack.provider,
            "FRONTENDS": ["cimi"],
            "MOCK_STORAGE": str(tmp_path / "mock"),
        }
    )
    return app.test_client()


@pytest.fixture
def jh(openstack: OpenStackCloud) -> Headers:
    return {
        "Authorization": basic(*openstack.credentials()),
        "Accept": "application/json",
    }


@pytest.fixture
def xh(openstack: OpenStackCloud) -> Headers:
    return {
        "Authorization": basic(*openstack.credentials()),
        "Accept": "application/xml",
    }


@pytest.fixture
def image(openstack: OpenStackCloud) -> str:
    """The seed's public Glance image."""
    glance = openstack.sdk("demo").image
    return str(next(i.id for i in glance.images() if i.name == "cirros-fake"))


def _last(href: str) -> str:
    return href.rsplit("/", 1)[-1]


def _path(href: str) -> str:
    return href.removeprefix("http://localhost")


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


def _machine(client: FlaskClient, headers: Headers, image: str, name: str) -> str:
    body = {
        "resourceURI": "http://schemas.dmtf.org/cimi/1/MachineCreate",
        "name": name,
        "description": "a web server",
        "properties": {"role": "web"},
        "machineTemplate": {
            "machineConfig": {"href": f"{BASE}/machine_configurations/{CONFIG}"},
            "machineImage": {"href": f"{BASE}/machine_images/{image}"},
        },
    }
    return _last(create(client, "/cimi/machines", body, headers))


def test_entry_point_lists_what_openstack_serves(
    cimi: FlaskClient, jh: Headers, xh: Headers, openstack: OpenStackCloud
) -> None:
    root = parse_xml(cimi.get("/cimi/cloudEntryPoint", headers=xh))
    assert root.tag == f"{NS}CloudEntryPoint"
    assert root.findtext(f"{NS}driver") == "openstack"
    assert root.findtext(f"{NS}provider") == openstack.provider
    for name, path in SERVED.items():
        assert root.find(f"{NS}{name}").get("href") == f"{BASE}/{path}", name
    data = _get(cimi, "/cimi/cloudEntryPoint?$expand=machineConfigs", jh)
    assert data["machines"] == {"href": f"{BASE}/machines"}
    assert data["machineConfigs"]["count"] >= 1
    assert_error(cimi.get("/cimi/volumes"), 401)


def test_every_served_collection_answers_in_both_formats(
    cimi: FlaskClient, jh: Headers, xh: Headers
) -> None:
    for name, path in SERVED.items():
        data = _get(cimi, f"/cimi/{path}", jh)
        assert data["id"] == f"{BASE}/{path}", name
        root = parse_xml(cimi.get(f"/cimi/{path}", headers=xh))
        assert root.findtext(f"{NS}count") == str(data["count"]), name


def test_machine_configurations_are_the_flavors(
    cimi: FlaskClient, jh: Headers, xh: Headers, openstack: OpenStackCloud
) -> None:
    flavors = {f.name: f for f in openstack.sdk("demo").compute.flavors()}
    listing = _get(cimi, "/cimi/machine_configurations", jh)
    assert {_last(c["id"]) for c in listing["machineConfigurations"]} == set(flavors)
    tiny = flavors[CONFIG]
    root = parse_xml(cimi.get(f"/cimi/machine_configurations/{CONFIG}", headers=xh))
    assert root.tag == f"{NS}MachineConfiguration"
    assert root.findtext(f"{NS}cpu") == str(tiny.vcpus)
    assert root.findtext(f"{NS}memory") == str(tiny.ram * 1024)
    assert_error(
        cimi.get("/cimi/machine_configurations/x9.huge", headers=jh), 404, "json"
    )


def test_machine_images_are_glance_images(
    cimi: FlaskClient, jh: Headers, xh: Headers, image: str
) -> None:
    listing = _get(cimi, "/cimi/machine_images", jh)
    assert f"{BASE}/machine_images/{image}" in [
        i["id"] for i in listing["machineImages"]
    ]
    root = parse_xml(cimi.get(f"/cimi/machine_images/{image}", headers=xh))
    assert root.tag == f"{NS}MachineImage"
    assert (root.findtext(f"{NS}name"), root.findtext(f"{NS}state")) == (
        "cirros-fake",
        "AVAILABLE",
    )
    # the seed's image belongs to the admin project: demo may not delete it
    rels = [op.get("rel") for op in root.findall(f"{NS}operation")]
    assert "delete" not in rels
    missing = "00000000-0000-0000-0000-000000000000"
    assert_error(cimi.get(f"/cimi/machine_images/{missing}", headers=xh), 404)


def test_machine_lifecycle_json(
    cimi: FlaskClient, jh: Headers, image: str, openstack: OpenStackCloud
) -> None:
    machine = _machine(cimi, jh, image, "cimi-web")
    data = _get(cimi, f"/cimi/machines/{machine}", jh)
    assert (data["name"], data["description"], data["state"]) == (
        "cimi-web",
        "a web server",
        "STARTED",
    )
    assert data["properties"] == {"role": "web"}
    assert data["machineImage"] == {"href": f"{BASE}/machine_images/{image}"}
    nova = openstack.sdk("demo").compute
    server = nova.get_server(machine)
    assert (server.name, server.flavor.original_name) == ("cimi-web", CONFIG)
    assert machine in [
        _last(m["id"]) for m in _get(cimi, "/cimi/machines", jh)["machines"]
    ]
    _action(cimi, machine, "stop", jh)
    assert _get(cimi, f"/cimi/machines/{machine}", jh)["state"] == "STOPPED"
    assert nova.get_server(machine).status == "SHUTOFF"
    _action(cimi, machine, "start", jh)
    assert _get(cimi, f"/cimi/machines/{machine}", jh)["state"] == "STARTED"
    assert cimi.delete(f"/cimi/machines/{machine}", headers=jh).status_code == 200
    assert nova.find_server(machine) is None
    assert_error(cimi.get(f"/cimi/machines/{machine}", headers=jh), 404, "json")
    gone = post_json(
        cimi, f"/cimi/machines/{machine}/start", {"action": ACTION + "start"}, jh
    )
    assert_error(gone, 404, "json")


def test_machine_from_a_stored_template_xml(
    cimi: FlaskClient, jh: Headers, xh: Headers, image: str, openstack: OpenStackCloud
) -> None:
    template = create(
        cimi,
        "/cimi/machine_templates",
        {
            "name": "tiny-cirros",
            "machineConfig": {"href": f"{BASE}/machine_configurations/{CONFIG}"},
            "machineImage": {"href": f"{BASE}/machine_images/{image}"},
            "initialState": "STOPPED",
        },
        jh,
    )
    body = f"""<MachineCreate xmlns="http://schemas.dmtf.org/cimi/1">
      <name>cimi-templated</name><machineTemplate href="{template}"/></MachineCreate>"""
    response = post_xml(cimi, "/cimi/machines", body, xh)
    assert response.status_code == 201, response.get_data(as_text=True)
    root = parse_xml(response)
    assert root.tag == f"{NS}Machine"
    assert response.headers["Location"] == root.findtext(f"{NS}id")
    assert root.findtext(f"{NS}state") == "STOPPED"
    machine = _last(root.findtext(f"{NS}id") or "")
    assert openstack.sdk("demo").compute.get_server(machine).status == "SHUTOFF"
    listing = parse_xml(cimi.get("/cimi/machines", headers=xh))
    names = [m.findtext(f"{NS}name") for m in listing.findall(f"{NS}Machine")]
    assert "cimi-templated" in names
    assert cimi.delete(f"/cimi/machines/{machine}", headers=xh).status_code == 200


def test_bad_machine_requests_are_cimi_errors_and_create_nothing(
    cimi: FlaskClient, jh: Headers, xh: Headers, image: str, openstack: OpenStackCloud
) -> None:
    before = {s.id for s in openstack.sdk("demo").compute.servers()}
    missing = "00000000-0000-0000-0000-000000000000"
    for config, chosen in ((CONFIG, missing), ("x9.huge", image)):
        body = {
            "machineTemplate": {
                "machineConfig": {"href": f"{BASE}/machine_configurations/{config}"},
                "machineImage": {"href": f"{BASE}/machine_images/{chosen}"},
            }
        }
        response = post_json(cimi, "/cimi/machines", body, jh)
        assert response.status_code in (400, 404), response.get_data(as_text=True)
        assert_error(response, response.status_code, "json")
    broken = post_xml(cimi, "/cimi/machines", "<MachineCreate", xh)
    assert_error(broken, 400)
    assert {s.id for s in openstack.sdk("demo").compute.servers()} == before


def test_volumes_created_attached_detached_and_deleted(
    cimi: FlaskClient, jh: Headers, xh: Headers, image: str, openstack: OpenStackCloud
) -> None:
    cinder = openstack.sdk("demo").block_storage
    machine = _machine(cimi, jh, image, "cimi-disks")
    body = """<VolumeCreate xmlns="http://schemas.dmtf.org/cimi/1"><name>cimi-data</name>
      <volumeTemplate><volumeConfig><capacity>1048576</capacity></volumeConfig>
      </volumeTemplate></VolumeCreate>"""
    response = post_xml(cimi, "/cimi/volumes", body, xh)
    assert response.status_code == 201, response.get_data(as_text=True)
    root = parse_xml(response)
    assert (root.findtext(f"{NS}name"), root.findtext(f"{NS}capacity")) == (
        "cimi-data",
        "1048576",
    )
    volume = _last(response.headers["Location"])
    assert (cinder.get_volume(volume).size, cinder.get_volume(volume).name) == (
        1,
        "cimi-data",
    )
    listing = _get(cimi, "/cimi/volumes", jh)
    assert f"{BASE}/volumes/{volume}" in [v["id"] for v in listing["volumes"]]

    attach = f"""<MachineVolume xmlns="http://schemas.dmtf.org/cimi/1">
      <initialLocation>/dev/sdc</initialLocation>
      <volume href="{BASE}/volumes/{volume}"/></MachineVolume>"""
    response = post_xml(cimi, f"/cimi/machines/{machine}/volume_attach", attach, xh)
    assert response.status_code == 201, response.get_data(as_text=True)
    own = f"{BASE}/machines/{machine}/volumes/{volume}"
    assert response.headers["Location"] == own
    assert parse_xml(response).findtext(f"{NS}initialLocation") == "/dev/sdc"
    assert cinder.get_volume(volume).status == "in-use"
    nova = openstack.sdk("demo").compute
    assert [(a.volume_id, a.device) for a in nova.volume_attachments(machine)] == [
        (volume, "/dev/sdc")
    ]
    attached = _get(cimi, f"/cimi/machines/{machine}/volumes", jh)
    assert [mv["id"] for mv in attached["machineVolumes"]] == [own]
    assert _get(cimi, f"/cimi/volumes/{volume}", jh)["state"] == "AVAILABLE"
    assert_error(cimi.delete(f"/cimi/volumes/{volume}", headers=jh), 409, "json")

    assert cimi.delete(_path(own), headers=jh).status_code == 200
    assert cinder.get_volume(volume).status == "available"
    assert _get(cimi, f"/cimi/machines/{machine}/volumes", jh)["count"] == 0
    assert cimi.delete(f"/cimi/volumes/{volume}", headers=jh).status_code == 200
    with pytest.raises(NotFoundException):
        cinder.get_volume(volume)
    assert_error(cimi.get(f"/cimi/volumes/{volume}", headers=jh), 404, "json")
    assert cimi.delete(f"/cimi/machines/{machine}", headers=jh).status_code == 200


def test_volume_from_a_stored_configuration_json(
    cimi: FlaskClient, jh: Headers, openstack: OpenStackCloud
) -> None:
    config = create(
        cimi,
        "/cimi/volume_configurations",
        {"name": "2g", "capacity": 2 * 1024 * 1024},
        jh,
    )
    response = post_json(
        cimi,
        "/cimi/volumes",
        {"name": "cimi-two", "volumeTemplate": {"volumeConfig": {"href": config}}},
        jh,
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    volume = response.get_json()
    assert (volume["capacity"], volume["state"]) == (2 * 1024 * 1024, "AVAILABLE")
    assert openstack.sdk("demo").block_storage.get_volume(_last(volume["id"])).size == 2
    assert cimi.delete(_path(volume["id"]), headers=jh).status_code == 200
    bad = post_json(
        cimi,
        "/cimi/volumes",
        {"volumeTemplate": {"volumeConfig": {"capacity": "lots"}}},
        jh,
    )
    assert_error(bad, 400, "json")


def test_networks_are_the_neutron_subnets(
    cimi: FlaskClient, jh: Headers, xh: Headers, openstack: OpenStackCloud
) -> None:
    neutron = openstack.sdk("demo").network
    private = neutron.find_network("private")
    subnet = neutron.get_subnet(private.subnet_ids[0])
    listing = _get(cimi, "/cimi/networks", jh)
    by_id = {_last(n["id"]): n for n in listing["networks"]}
    assert by_id[subnet.id]["name"] == subnet.name
    assert by_id[subnet.id]["forwardingGroup"] == {
        "href": f"{BASE}/forwarding_groups/{private.id}"
    }
    root = parse_xml(cimi.get(f"/cimi/networks/{subnet.id}", headers=xh))
    assert root.tag == f"{NS}Network"
    group = _get(cimi, f"/cimi/forwarding_groups/{private.id}", jh)
    assert group["name"] == "private"
    missing = "00000000-0000-0000-0000-000000000000"
    assert_error(cimi.get(f"/cimi/networks/{missing}", headers=xh), 404)
