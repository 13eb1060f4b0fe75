"""PUT edits of CIMI entities (name, description, properties) and bad bodies."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.support.cimi import NS
from tests.support.helpers import assert_error
from tests.support.helpers import parse_xml
from tests.support.postgres import BACKENDS
from tests.support.postgres import store_settings

CIMI = "http://schemas.dmtf.org/cimi/1/"
pytestmark = pytest.mark.xdist_group("postgres")


@pytest.fixture(params=BACKENDS)
def cimi_store_settings(request: pytest.FixtureRequest) -> dict[str, str]:
    """Every test of this module on each backend of CIMI's store."""
    return store_settings(request)


#: (path, type) of one entity of each kind that can be edited
EDITABLE = [
    ("/cimi/machines/inst0", "Machine"),
    ("/cimi/volumes/vol1", "Volume"),
    ("/cimi/volume_images/snap1", "VolumeImage"),
    ("/cimi/machine_images/img1", "MachineImage"),
    ("/cimi/credentials/test-key", "Credential"),
    ("/cimi/networks/subnet1", "Network"),
    ("/cimi/forwarding_groups/net1", "ForwardingGroup"),
    ("/cimi/addresses/192.168.0.1", "Address"),
    ("/cimi/network_templates/template1", "NetworkTemplate"),
    ("/cimi/network_configurations/network_config2", "NetworkConfiguration"),
    ("/cimi/network_ports/network_port1", "NetworkPort"),
    ("/cimi/network_port_templates/template2", "NetworkPortTemplate"),
    ("/cimi/network_port_configurations/portconfig1", "NetworkPortConfiguration"),
    ("/cimi/address_templates/addr_template1", "AddressTemplate"),
    ("/cimi/forwarding_group_templates/template1", "ForwardingGroupTemplate"),
    ("/cimi/systems/system1", "System"),
    ("/cimi/system_templates/template1", "SystemTemplate"),
]


@pytest.mark.parametrize(("path", "type_name"), EDITABLE, ids=lambda v: str(v))
def test_edit_in_json_then_xml(
    cimi: FlaskClient,
    xml: dict[str, str],
    json_headers: dict[str, str],
    path: str,
    type_name: str,
) -> None:
    before = cimi.get(path, headers=json_headers).get_json()
    assert {"rel": "edit", "href": before["id"]} in before["operations"]
    body = {
        "resourceURI": CIMI + type_name,
        "name": "renamed",
        "properties": {"owner": "ops"},
    }
    response = cimi.put(path, json=body, headers=json_headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    data = response.get_json()
    assert (data["name"], data["properties"]) == ("renamed", {"owner": "ops"})
    assert data["resourceURI"] == CIMI + type_name
    assert data["id"] == before["id"]
    body_xml = f"""<{type_name} xmlns="{CIMI[:-1]}"><description>edited</description>
      </{type_name}>"""
    response = cimi.put(
        path, data=body_xml, headers=xml, content_type="application/xml"
    )
    assert response.status_code == 200
    root = parse_xml(response)
    assert root.findtext(f"{NS}name") == "renamed"
    assert root.findtext(f"{NS}description") == "edited"
    shown = cimi.get(path, headers=json_headers).get_json()
    assert (shown["name"], shown["description"]) == ("renamed", "edited")


def test_edit_rejects_bad_bodies(
    cimi: FlaskClient, xml: dict[str, str], json_headers: dict[str, str]
) -> None:
    path = "/cimi/networks/subnet2"
    cases = [
        (b"{not json", "application/json"),
        (b"<Network><name>x</Network>", "application/xml"),
        (
            b'{"resourceURI": "http://schemas.dmtf.org/cimi/1/Volume", "name": "x"}',
            "application/json",
        ),
        (b'{"name": 7}', "application/json"),
        (b'{"properties": "flat"}', "application/json"),
        (b"{}", "application/json"),
        (b"[1, 2]", "application/json"),
    ]
    for body, media in cases:
        response = cimi.put(path, data=body, headers=json_headers, content_type=media)
        assert_error(response, 400, "json")
    response = cimi.put(path, data=b"name=x", headers=xml, content_type="text/plain")
    assert_error(response, 415)
    assert cimi.get(path, headers=json_headers).get_json()["name"] == "subnet2"
    assert_error(
        cimi.put("/cimi/networks/nosuch", json={"name": "x"}, headers=xml), 404
    )
    response = cimi.put("/cimi/systems/nosuch", json={"name": "x"}, headers=xml)
    assert_error(response, 404)
