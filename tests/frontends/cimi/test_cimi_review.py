"""CIMI behaviour found missing by running the seed posts' curl commands and
peers.md's protocol rules against a real server: PUT to the MachineVolume add
URI, the draft ``access`` network attribute, several ``$filter`` parameters,
``property['key']`` filters, ``$orderby``, ``$format`` and the
``CIMI-Specification-Version`` a client asks for."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from deltaflask.plugins.cimi.store import KINDS
from tests.support.cimi import BASE
from tests.support.cimi import NS
from tests.support.cimi import SEED
from tests.support.cimi import count
from tests.support.cimi import machine_names
from tests.support.cimi import post_seed
from tests.support.helpers import assert_error
from tests.support.helpers import parse_xml

#: the seed post's attach body, with its draft namespace and padded location
ATTACH_XML = f"""<MachineVolume xmlns="http://schemas.dmtf.org/cimi/1/MachineVolume">
      <initialLocation> /dev/sdf </initialLocation>
      <volume href="{SEED}/volumes/vol2"/>
    </MachineVolume>"""
ATTACH_JSON = (
    '{"resourceURI":"http://schemas.dmtf.org/cimi/1/MachineVolume",\n'
    '    "initialLocation": "/dev/sdf",\n'
    f'    "volume": {{"href":"{SEED}/volumes/vol2"}}}}'
)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [(ATTACH_XML, "application/xml"), (ATTACH_JSON, "application/json")],
    ids=["xml", "json"],
)
def test_seed_put_to_volume_attach_then_detach(
    cimi: FlaskClient, auth: dict[str, str], body: str, content_type: str
) -> None:
    headers = {**auth, "Accept": "application/xml"}
    response = cimi.put(
        "/cimi/machines/inst1/volume_attach",
        data=body,
        headers=headers,
        content_type=content_type,
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.headers["Location"] == f"{BASE}/machines/inst1/volumes/vol2"
    root = parse_xml(response)
    assert root.tag == f"{NS}MachineVolume"
    assert root.findtext(f"{NS}initialLocation") == "/dev/sdf"
    assert root.find(f"{NS}volume").get("href") == f"{BASE}/volumes/vol2"
    listed = parse_xml(cimi.get("/cimi/machines/inst1/volumes", headers=headers))
    assert listed.findtext(f"{NS}count") == "2"
    detached = cimi.delete("/cimi/machines/inst1/volumes/vol2", headers=headers)
    assert detached.status_code == 200
    remaining = parse_xml(detached)
    assert remaining.findtext(f"{NS}count") == "1"
    assert remaining.find(f"{NS}MachineVolume/{NS}volume").get("href") == (
        f"{BASE}/volumes/vol3"
    )


def test_seed_network_config_access_is_its_network_type(
    cimi: FlaskClient, auth: dict[str, str]
) -> None:
    body = """<NetworkCreate>
      <name> my_test_network </name>
      <networkTemplate>
        <networkConfig>
          <access> public </access>
          <bandwidthLimit> 2 </bandwidthLimit>
        </networkConfig>
      </networkTemplate> </NetworkCreate>"""
    response = cimi.post(
        "/cimi/networks?format=xml",
        data=body,
        headers=auth,
        content_type="application/CIMI-NetworkCreate+xml",
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    assert parse_xml(response).findtext(f"{NS}networkType") == "public"
    config = cimi.post(
        "/cimi/network_configurations?format=json",
        json={"name": "c", "access": "PUBLIC", "mtu": 9000},
        headers=auth,
    )
    assert config.status_code == 201
    assert config.get_json()["networkType"] == "PUBLIC"
    explicit = cimi.post(
        "/cimi/network_configurations?format=json",
        json={"name": "d", "access": "PUBLIC", "networkType": "PRIVATE"},
        headers=auth,
    )
    assert explicit.get_json()["networkType"] == "PRIVATE"


def test_several_filters_are_anded(cimi: FlaskClient, auth: dict[str, str]) -> None:
    one = "$filter=name='MockUserInstance'"
    assert machine_names(cimi, auth, one) == ["MockUserInstance"]
    assert machine_names(cimi, auth, f"{one}&$filter=state='STOPPED'") == []
    assert machine_names(cimi, auth, f"{one}&$filter=state='STARTED'") == [
        "MockUserInstance"
    ]


def test_filter_on_properties(cimi: FlaskClient, auth: dict[str, str]) -> None:
    edited = cimi.put(
        "/cimi/machines/inst2?format=json",
        json={"properties": {"role": "db", "tier": "2"}},
        headers=auth,
    )
    assert edited.status_code == 200
    assert machine_names(cimi, auth, "$filter=property['role']='db'") == [
        "AnotherInstance"
    ]
    assert machine_names(cimi, auth, '$filter=property["tier"]>1') == [
        "AnotherInstance"
    ]
    assert machine_names(cimi, auth, "$filter=property['role']='web'") == []
    assert "AnotherInstance" not in machine_names(
        cimi, auth, "$filter=property['role']!='db'"
    )
    response = cimi.get("/cimi/machines?$filter=property[role]='db'", headers=auth)
    assert_error(response, 400)


def test_orderby(cimi: FlaskClient, auth: dict[str, str]) -> None:
    assert machine_names(cimi, auth, "$orderby=name:desc&$filter=name!=''") == [
        "MockUserInstance",
        "Mock Instance With Profile Change",
        "AnotherInstance",
    ]
    by_memory = machine_names(
        cimi, auth, "$orderby=memory:desc,name&$select=name,memory"
    )
    assert by_memory[:2] == ["Mock Instance With Profile Change", "AnotherInstance"]
    assert by_memory[2:] == ["", "MockUserInstance"]  # same memory: by name
    paged = machine_names(cimi, auth, "$orderby=name:desc&$first=1&$last=1")
    assert paged == ["MockUserInstance"]
    for bad in ("memory:up", "1abc", ""):
        response = cimi.get(f"/cimi/machines?$orderby={bad},name", headers=auth)
        assert_error(response, 400)


def test_dollar_format_overrides_accept(
    cimi: FlaskClient, auth: dict[str, str]
) -> None:
    json_accept = {**auth, "Accept": "application/json"}
    response = cimi.get("/cimi/machines?$format=xml", headers=json_accept)
    assert response.content_type == "application/xml"
    assert parse_xml(response).tag == f"{NS}Collection"
    response = cimi.get(
        "/cimi/machines/inst0?$format=json", headers={**auth, "Accept": "text/xml"}
    )
    assert response.is_json
    missing = cimi.get("/cimi/machines/nope?$format=xml", headers=json_accept)
    assert_error(missing, 404)
    assert cimi.get("/cimi/machines?$format=yaml", headers=auth).status_code == 406


@pytest.mark.parametrize(
    "header", ["CIMI-Specification-Version", "X-CIMI-Specification-Version"]
)
def test_specification_version_negotiation(
    cimi: FlaskClient, auth: dict[str, str], header: str
) -> None:
    for accepted in ("1.0.1", "2.0.0, 1.0.1", "1.0.0", "1.1.0,2.0.0"):
        response = cimi.get("/cimi/machines/inst0", headers={**auth, header: accepted})
        assert response.status_code == 200, accepted
        assert response.headers["CIMI-Specification-Version"] == "1.0.1"
    refused = cimi.get(
        "/cimi/machines/inst0?format=json", headers={**auth, header: "2.0.0"}
    )
    message = assert_error(refused, 400, "json")
    assert "1.0.1" in message
    assert refused.headers["CIMI-Specification-Version"] == "1.0.1"
    assert_error(
        cimi.get("/cimi/cloudEntryPoint", headers={header: "0.0.35, 2.0.0"}), 400
    )


#: what the CIMI store keeps, but its ``metadata`` of driver entities
STORED = tuple(kind for kind in KINDS if kind != "metadata")


@pytest.mark.parametrize("path", STORED)
def test_stored_entities_need_credentials(
    cimi: FlaskClient, auth: dict[str, str], path: str
) -> None:
    assert cimi.get(f"/cimi/{path}", headers=auth).status_code == 200
    anonymous = cimi.get(f"/cimi/{path}?format=json")
    assert_error(anonymous, 401, "json")
    assert anonymous.headers["WWW-Authenticate"].startswith("Basic")
    wrong = {"Authorization": "Basic bW9ja3VzZXI6d3Jvbmc="}  # mockuser:wrong
    assert_error(cimi.get(f"/cimi/{path}", headers=wrong), 401)
    created = cimi.post(f"/cimi/{path}?format=json", json={"name": "x"})
    assert_error(created, 401, "json")


def test_seeded_entities_cannot_be_deleted_anonymously(
    cimi: FlaskClient, auth: dict[str, str]
) -> None:
    assert_error(cimi.delete("/cimi/network_templates/template1"), 401)
    assert_error(cimi.put("/cimi/systems/system1", json={"name": "mine"}), 401)
    kept = cimi.get("/cimi/network_templates/template1?format=json", headers=auth)
    assert kept.status_code == 200
    assert cimi.get("/cimi/cloudEntryPoint").status_code == 200  # still open


@pytest.mark.parametrize("action", ["start", "stop", "suspend"])
def test_seed_network_actions_are_refused_as_unsupported(
    cimi: FlaskClient, auth: dict[str, str], action: str
) -> None:
    xml_body = f"""<Action xmlns="http://www.dmtf.org/cimi">
      <action> http://www.dmtf.org/cimi/action/{action} </action>
    </Action> """
    response = cimi.post(
        f"/cimi/networks/subnet1/{action}?format=xml",
        data=xml_body,
        headers=auth,
        content_type="application/xml",
    )
    assert "capability" in assert_error(response, 412)
    response = cimi.post(
        f"/cimi/networks/subnet1/{action}?format=json",
        json={
            "entityURI": "http://www.dmtf.org/cimi/Action",
            "action": f"http://www.dmtf.org/cimi/action/{action}",
        },
        headers=auth,
    )
    assert_error(response, 412, "json")
    missing = cimi.post(f"/cimi/networks/nosuch/{action}", json={}, headers=auth)
    assert_error(missing, 404)
    network = cimi.get("/cimi/networks/subnet1?format=json", headers=auth).get_json()
    assert network["state"] == "STARTED"
    assert not any(op["rel"].endswith(f"/{action}") for op in network["operations"])


#: the seed post's VSPCreate bodies (its draft names), with ids of the mock
VSP_CONFIG_VALUE_XML = f"""<VSPCreate>
      <name> my_vsp </name> <description> a Virtual Switch Port </description>
      <vspTemplate>
        <vspConfig>
          <bandwidthReservation> 0.5 </bandwidthReservation>
          <trafficPriority> 1 </trafficPriority>
        </vspConfig>
        <network href="{SEED}/networks/subnet1">
        </network>
      </vspTemplate>
    </VSPCreate>"""
VSP_CONFIG_REF_JSON = {
    "name": "my_vsp",
    "description": "a Virtual Switch Port",
    "vspTemplate": {
        "vspConfig": {"href": f"{SEED}/vsp_configurations/portconfig1"},
        "network": {"href": f"{SEED}/networks/subnet1"},
    },
}
VSP_TEMPLATE_REF_XML = f"""<VSPCreate>
      <name> my_vsp </name>
      <description> a Virtual Switch Port </description>
      <vspTemplate href="{SEED}/vsp_templates/template1">
      </vspTemplate>
    </VSPCreate>"""


@pytest.mark.parametrize(
    ("body", "fmt"),
    [
        (VSP_CONFIG_VALUE_XML, "xml"),
        (VSP_CONFIG_REF_JSON, "json"),
        (VSP_TEMPLATE_REF_XML, "xml"),
    ],
    ids=["config-value-xml", "config-ref-json", "template-ref-xml"],
)
def test_seed_vsps_are_network_ports(
    cimi: FlaskClient, auth: dict[str, str], body: object, fmt: str
) -> None:
    response = post_seed(cimi, "/cimi/vsps", body, auth)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.mimetype == f"application/{fmt}"
    location = response.headers["Location"]
    assert location.startswith(f"{BASE}/network_ports/")
    port_id = location.rsplit("/", 1)[-1]
    shown = cimi.get(f"/cimi/vsps/{port_id}?format=json", headers=auth).get_json()
    assert shown["id"] == location
    assert (shown["name"], shown["state"]) == ("my_vsp", "STARTED")
    assert shown["network"] == {"href": f"{BASE}/networks/subnet1"}
    listed = cimi.get(f"/cimi/network_ports/{port_id}?format=json", headers=auth)
    assert listed.get_json() == shown
    stop = """<Action xmlns="http://www.dmtf.org/cimi">
      <action> http://www.dmtf.org/cimi/action/stop </action>
    </Action>"""
    stopped = cimi.post(
        f"/cimi/vsps/{port_id}/stop?format=xml",
        data=stop,
        headers=auth,
        content_type="application/xml",
    )
    assert stopped.status_code == 202
    started = cimi.post(
        f"/cimi/vsps/{port_id}/start?format=json",
        json={
            "entityURI": "http://www.dmtf.org/cimi/Action",
            "action": "http://www.dmtf.org/cimi/action/start",
        },
        headers=auth,
    )
    assert started.status_code == 202
    assert cimi.delete(f"/cimi/vsps/{port_id}", headers=auth).status_code == 200
    assert_error(cimi.get(f"/cimi/vsps/{port_id}", headers=auth), 404)


def test_vsp_collections_and_bad_vsps(cimi: FlaskClient, auth: dict[str, str]) -> None:
    ports = cimi.get("/cimi/vsps?format=json", headers=auth).get_json()
    assert ports["id"] == f"{BASE}/network_ports" and ports["count"] == 4
    template = cimi.get("/cimi/vsp_templates/template1?format=json", headers=auth)
    assert template.get_json()["id"] == f"{BASE}/network_port_templates/template1"
    configs = cimi.get("/cimi/vsp_configurations?format=json", headers=auth)
    assert configs.get_json()["count"] == 2
    entry = cimi.get("/cimi/cloudEntryPoint?format=json").get_json()
    assert not [key for key in entry if key.startswith("vsp")]
    missing = cimi.post(
        "/cimi/vsps?format=json",
        json={"vspTemplate": {"href": f"{SEED}/vsp_templates/nosuch"}},
        headers=auth,
    )
    assert_error(missing, 404, "json")

    def typed(type_name: str) -> Any:
        body = {
            "resourceURI": f"http://schemas.dmtf.org/cimi/1/{type_name}",
            "vspTemplate": {"href": f"{SEED}/vsp_templates/template1"},
        }
        return post_seed(cimi, "/cimi/vsps", body, auth)

    assert_error(typed("MachineCreate"), 400, "json")
    assert typed("VSPCreate").status_code == 201
    assert_error(cimi.post("/cimi/vsps", json={}), 401)
    after = count(cimi, "/cimi/vsps?format=json", auth)
    assert after == 5
