"""CIMI Systems, their sub-collections and SystemTemplates."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.support.cimi import ACTION
from tests.support.cimi import BASE
from tests.support.cimi import NS
from tests.support.cimi import count
from tests.support.cimi import create
from tests.support.cimi import post_json
from tests.support.cimi import post_xml
from tests.support.helpers import assert_error
from tests.support.helpers import parse_xml
from tests.support.postgres import BACKENDS
from tests.support.postgres import store_settings

SUBS = (
    "systems",
    "machines",
    "credentials",
    "volumes",
    "networks",
    "network_ports",
    "addresses",
    "forwarding_groups",
)
pytestmark = pytest.mark.xdist_group("postgres")


@pytest.fixture(params=BACKENDS)
def cimi_store_settings(request: pytest.FixtureRequest) -> dict[str, str]:
    """Every test of this module on each backend of CIMI's store."""
    return store_settings(request)


def _state(cimi: FlaskClient, path: str, headers: dict[str, str]) -> str:
    return str(cimi.get(f"{path}?format=json", headers=headers).get_json()["state"])


def test_seeded_systems_in_both_formats(
    cimi: FlaskClient, xml: dict[str, str], json_headers: dict[str, str]
) -> None:
    root = parse_xml(cimi.get("/cimi/systems", headers=xml))
    assert root.findtext(f"{NS}count") == "2"
    system = root.find(f"{NS}System")
    for sub in SUBS:
        key = "".join(
            part.capitalize() if i else part for i, part in enumerate(sub.split("_"))
        )
        assert system.find(f"{NS}{key}").get("href") == f"{BASE}/systems/system1/{sub}"
    rels = [op.get("rel") for op in system.findall(f"{NS}operation")]
    assert rels == [ACTION + "start", "edit", "delete"]
    data = cimi.get("/cimi/systems/system2", headers=json_headers).get_json()
    assert data["state"] == "STOPPED" and data["description"] == "the second system"
    machines = cimi.get("/cimi/systems/system1/machines", headers=json_headers)
    member = machines.get_json()["systemMachines"][0]
    assert member["machine"] == {"href": f"{BASE}/machines/inst0"}
    volume = parse_xml(
        cimi.get("/cimi/systems/system1/volumes/sys_volume_1", headers=xml)
    )
    assert volume.tag == f"{NS}SystemVolume"
    assert volume.find(f"{NS}volume").get("href") == f"{BASE}/volumes/vol1"
    networks = cimi.get("/cimi/systems/system1/networks", headers=json_headers)
    assert networks.get_json()["systemNetworks"][0]["network"] == {
        "href": f"{BASE}/networks/subnet1"
    }
    empty = cimi.get("/cimi/systems/system1/credentials", headers=json_headers)
    assert empty.get_json()["count"] == 0
    assert_error(cimi.get("/cimi/systems/nosuch", headers=xml), 404)
    assert_error(cimi.get("/cimi/systems/system1/machines/nosuch", headers=xml), 404)
    template = cimi.get("/cimi/system_templates/template1", headers=json_headers)
    assert len(template.get_json()["componentDescriptors"]) == 3
    xml_template = parse_xml(cimi.get("/cimi/system_templates/template1", headers=xml))
    assert len(xml_template.findall(f"{NS}componentDescriptor")) == 3


def test_actions_reach_the_machines(
    cimi: FlaskClient, xml: dict[str, str], json_headers: dict[str, str]
) -> None:
    stop = f"<Action><action>{ACTION}stop</action></Action>"
    response = post_xml(cimi, "/cimi/systems/system1/stop", stop, xml)
    assert response.status_code == 202
    assert _state(cimi, "/cimi/systems/system1", xml) == "STOPPED"
    assert _state(cimi, "/cimi/machines/inst0", xml) == "STOPPED"
    start = {"action": ACTION + "start"}
    response = post_json(cimi, "/cimi/systems/system1/start", start, json_headers)
    assert response.status_code == 202
    assert _state(cimi, "/cimi/machines/inst0", xml) == "STARTED"
    data = cimi.get("/cimi/systems/system1", headers=json_headers).get_json()
    assert data["state"] == "STARTED"
    assert [op["rel"] for op in data["operations"]][:2] == [
        ACTION + "stop",
        ACTION + "restart",
    ]
    response = post_json(cimi, "/cimi/systems/system1/stop", start, json_headers)
    assert_error(response, 400, "json")


def test_members_added_and_removed(
    cimi: FlaskClient, xml: dict[str, str], json_headers: dict[str, str]
) -> None:
    body = f"""<SystemMachineCreate><name>extra</name>
      <machine href="{BASE}/machines/inst1"/></SystemMachineCreate>"""
    response = post_xml(cimi, "/cimi/systems/system1/machines", body, xml)
    assert response.status_code == 201, response.get_data(as_text=True)
    location = response.headers["Location"]
    assert location == f"{BASE}/systems/system1/machines/sys_machine_2"
    listing = cimi.get("/cimi/systems/system1/machines", headers=json_headers)
    assert listing.get_json()["count"] == 2
    body_json = {"address": {"href": f"{BASE}/addresses/192.168.0.2"}}
    response = post_json(
        cimi, "/cimi/systems/system2/addresses", body_json, json_headers
    )
    assert response.status_code == 201
    assert response.get_json()["address"] == {"href": f"{BASE}/addresses/192.168.0.2"}
    missing = {"volume": {"href": f"{BASE}/volumes/nosuch"}}
    response = post_json(cimi, "/cimi/systems/system2/volumes", missing, json_headers)
    assert_error(response, 404, "json")
    response = post_json(cimi, "/cimi/systems/system2/volumes", {}, json_headers)
    assert_error(response, 400, "json")
    path = location.removeprefix("http://localhost")
    assert cimi.delete(path, headers=xml).status_code == 200
    assert_error(cimi.delete(path, headers=xml), 404)
    assert cimi.get("/cimi/machines/inst1", headers=xml).status_code == 200


def test_create_from_template_then_delete(
    cimi: FlaskClient, xml: dict[str, str], json_headers: dict[str, str]
) -> None:
    create = f"""<SystemCreate><name>sys</name><description>from the seed</description>
      <systemTemplate href="{BASE}/system_templates/template1"/></SystemCreate>"""
    # the seed's third descriptor names MachineTemplate 1, which does not exist yet
    assert_error(post_xml(cimi, "/cimi/systems", create, xml), 404)
    assert count(cimi, "/cimi/machines", json_headers) == 4
    template = f"""<MachineTemplateCreate><name>one</name>
      <machineConfig href="{BASE}/machine_configurations/m1-large"/>
      <machineImage href="{BASE}/machine_images/img2"/></MachineTemplateCreate>"""
    response = post_xml(cimi, "/cimi/machine_templates", template, xml)
    assert response.headers["Location"] == f"{BASE}/machine_templates/1"
    response = post_xml(cimi, "/cimi/systems", create, xml)
    assert response.status_code == 201, response.get_data(as_text=True)
    root = parse_xml(response)
    assert root.findtext(f"{NS}state") == "STARTED"
    system = response.headers["Location"].removeprefix("http://localhost")
    members = cimi.get(f"{system}/machines", headers=json_headers).get_json()
    assert members["count"] == 4
    names = {
        cimi.get(
            m["machine"]["href"].removeprefix("http://localhost"), headers=json_headers
        ).get_json()["name"]
        for m in members["systemMachines"]
    }
    assert names == {
        "a_system_machine1",
        "a_system_machine2",
        "another_system_machine",
        "yet_another_system_machine",
    }
    stop = {"action": ACTION + "stop"}
    assert post_json(cimi, f"{system}/stop", stop, json_headers).status_code == 202
    assert cimi.delete(system, headers=xml).status_code == 200
    assert_error(cimi.get(system, headers=xml), 404)
    assert count(cimi, "/cimi/machines", json_headers) == 4


def test_create_rejects_bad_templates(
    cimi: FlaskClient, json_headers: dict[str, str]
) -> None:
    body = {"systemTemplate": {"href": f"{BASE}/system_templates/nosuch"}}
    assert_error(post_json(cimi, "/cimi/systems", body, json_headers), 404, "json")
    assert_error(post_json(cimi, "/cimi/systems", {}, json_headers), 400, "json")
    assert count(cimi, "/cimi/systems", json_headers) == 2


def test_system_templates_created_in_both_formats(
    cimi: FlaskClient, xml: dict[str, str], json_headers: dict[str, str]
) -> None:
    body = f"""<SystemTemplateCreate><name>pair</name>
      <componentDescriptor><name>web</name>
        <type>http://schemas.dmtf.org/cimi/1/Machine</type>
        <machineTemplate>
          <machineConfig href="{BASE}/machine_configurations/m1-small"/>
          <machineImage href="{BASE}/machine_images/img1"/>
        </machineTemplate><quantity>2</quantity></componentDescriptor>
      </SystemTemplateCreate>"""
    response = post_xml(cimi, "/cimi/system_templates", body, xml)
    assert response.status_code == 201, response.get_data(as_text=True)
    root = parse_xml(response)
    assert len(root.findall(f"{NS}componentDescriptor")) == 1
    template = response.headers["Location"]
    created = create(
        cimi,
        "/cimi/systems",
        {"name": "pair", "systemTemplate": {"href": template}},
        json_headers,
    )
    members = cimi.get(
        created.removeprefix("http://localhost") + "/machines",
        headers=json_headers,
    ).get_json()
    assert members["count"] == 2
    bad = {
        "name": "bad",
        "componentDescriptors": [
            {"type": "http://schemas.dmtf.org/cimi/1/Volume", "name": "v"}
        ],
    }
    response = post_json(cimi, "/cimi/system_templates", bad, json_headers)
    assert_error(response, 400, "json")
    bad["componentDescriptors"] = [
        {
            "type": "http://schemas.dmtf.org/cimi/1/Machine",
            "machineTemplate": {"href": f"{BASE}/machine_templates/77"},
        }
    ]
    response = post_json(cimi, "/cimi/system_templates", bad, json_headers)
    assert_error(response, 404, "json")
    bad["componentDescriptors"][0].update(
        machineTemplate={
            "machineConfig": {"href": f"{BASE}/machine_configurations/m1-small"},
            "machineImage": {"href": f"{BASE}/machine_images/img1"},
        },
        quantity=1000,
    )
    response = post_json(cimi, "/cimi/system_templates", bad, json_headers)
    assert "quantity" in assert_error(response, 400, "json")
    listing = cimi.get("/cimi/system_templates", headers=json_headers).get_json()
    assert listing["count"] == 2 and listing["operations"][0]["rel"] == "add"
