"""CIMI Addresses and AddressTemplates (the seed post's curl bodies), NetworkPorts
with their templates and configurations, and MachineNetworkInterfaces."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.support.cimi import ACTION
from tests.support.cimi import BASE
from tests.support.cimi import NS
from tests.support.cimi import SEED
from tests.support.cimi import count
from tests.support.cimi import post_json
from tests.support.cimi import post_seed
from tests.support.cimi import post_xml
from tests.support.helpers import assert_error
from tests.support.helpers import parse_xml

ADDRESS_BY_VALUE_XML = f"""<AddressCreate>
      <name> an_address </name>
      <description> an IP Address </description>
      <addressTemplate>
        <ip> 192.168.10.100 </ip>
        <hostname> marios.local </hostname>
        <allocation> static </allocation>
        <defaultGateway> 192.168.0.1 </defaultGateway>
        <dns> 192.168.0.10 </dns>
        <macAddress></macAddress>
        <protocol> IPv4 </protocol>
        <mask> 255.255.0.0 </mask>
        <network href="{SEED}/networks/network1">
        </network>
      </addressTemplate>
    </AddressCreate>"""
ADDRESS_BY_VALUE_JSON = {
    "name": "an_address",
    "description": "an IP Address",
    "addressTemplate": {
        "ip": "192.168.10.100",
        "hostname": "marios.local",
        "allocation": "static",
        "defaultGateway": "192.168.0.1",
        "dns": "192.168.0.10",
        "macAddress": "",
        "protocol": "IPv4",
        "mask": "255.255.0.0",
        "network": {"href": f"{SEED}/networks/network1"},
    },
}
ADDRESS_BY_REF_XML = f"""<AddressCreate>
      <name> an_address </name>
      <description> an IP Address </description>
      <addressTemplate href="{SEED}/address_templates/addr_template1">
      </addressTemplate>
    </AddressCreate>"""
ADDRESS_BY_REF_JSON = {
    "name": "an_address",
    "description": "an IP Address",
    "addressTemplate": {"href": f"{SEED}/address_templates/addr_template1"},
}


DYNAMIC_BY_VALUE_XML = ADDRESS_BY_VALUE_XML.replace(" static ", " dynamic ")
DYNAMIC_BY_VALUE_JSON = {
    **ADDRESS_BY_VALUE_JSON,
    "addressTemplate": {
        **ADDRESS_BY_VALUE_JSON["addressTemplate"],
        "allocation": "dynamic",
    },
}


@pytest.mark.parametrize(
    ("body", "fmt"),
    [
        (DYNAMIC_BY_VALUE_XML, "xml"),
        (DYNAMIC_BY_VALUE_JSON, "json"),
        (ADDRESS_BY_REF_XML, "xml"),
        (ADDRESS_BY_REF_JSON, "json"),
    ],
    ids=["value-xml", "value-json", "ref-xml", "ref-json"],
)
def test_seed_address_creates_then_delete(
    cimi: FlaskClient, auth: dict[str, str], body: object, fmt: str
) -> None:
    response = post_seed(cimi, "/cimi/addresses", body, auth)
    assert response.status_code == 201, response.get_data(as_text=True)
    if fmt == "xml":
        root = parse_xml(response)
        name, ip = root.findtext(f"{NS}name"), root.findtext(f"{NS}ip")
        assert root.findtext(f"{NS}description") == "an IP Address"
    else:
        data = response.get_json()
        name, ip = data["name"], data["ip"]
    assert name == "an_address" and ip == "192.168.0.5"
    assert response.headers["Location"] == f"{BASE}/addresses/192.168.0.5"
    assert cimi.delete("/cimi/addresses/192.168.0.5", headers=auth).status_code == 200
    assert_error(cimi.get("/cimi/addresses/192.168.0.5", headers=auth), 404)


@pytest.mark.parametrize(
    ("body", "fmt"),
    [(ADDRESS_BY_VALUE_XML, "xml"), (ADDRESS_BY_VALUE_JSON, "json")],
    ids=["xml", "json"],
)
def test_the_seeds_static_ip_is_the_address_created(
    cimi: FlaskClient, auth: dict[str, str], body: object, fmt: str
) -> None:
    """The seed's by-value template asks for static 192.168.10.100: the mock
    allocates exactly that address, and a second request for it is a 409."""
    response = post_seed(cimi, "/cimi/addresses", body, auth)
    assert response.status_code == 201, response.get_data(as_text=True)
    if fmt == "xml":
        ip = parse_xml(response).findtext(f"{NS}ip")
    else:
        ip = response.get_json()["ip"]
    assert ip == "192.168.10.100"
    assert response.headers["Location"] == f"{BASE}/addresses/192.168.10.100"
    again = post_seed(cimi, "/cimi/addresses", body, auth)
    assert_error(again, 409, fmt)


def test_a_static_ip_must_be_an_address(
    cimi: FlaskClient, json_headers: dict[str, str]
) -> None:
    before = count(cimi, "/cimi/addresses", json_headers)
    bad = {"addressTemplate": {"allocation": "static", "ip": "192.168.10.999"}}
    response = post_json(cimi, "/cimi/addresses", bad, json_headers)
    assert "is not an IPv4 address" in assert_error(response, 400, "json")
    assert count(cimi, "/cimi/addresses", json_headers) == before
    static_without_ip = {"addressTemplate": {"allocation": "static"}}
    response = post_json(cimi, "/cimi/addresses", static_without_ip, json_headers)
    assert response.status_code == 201
    meta = cimi.get("/cimi/resource_metadata/address", headers=json_headers)
    capabilities = {c["name"]: c["value"] for c in meta.get_json()["capabilities"]}
    assert capabilities == {"ChosenIp": "true"}


def test_addresses_in_both_formats(
    cimi: FlaskClient, xml: dict[str, str], json_headers: dict[str, str]
) -> None:
    root = parse_xml(cimi.get("/cimi/addresses", headers=xml))
    assert root.findtext(f"{NS}count") == "4"
    first = root.find(f"{NS}Address")
    assert first.findtext(f"{NS}protocol") == "ipv4"
    data = cimi.get("/cimi/addresses/192.168.0.1", headers=json_headers).get_json()
    assert data["allocation"] == "dynamic" and data["mask"] == "unknown"
    assert_error(
        cimi.get("/cimi/addresses/10.9.9.9", headers=json_headers), 404, "json"
    )


def test_address_templates(
    cimi: FlaskClient, xml: dict[str, str], json_headers: dict[str, str]
) -> None:
    data = cimi.get(
        "/cimi/address_templates/addr_template2", headers=json_headers
    ).get_json()
    assert data["hostname"] == "foo.bar"
    assert data["network"] == {"href": f"{BASE}/networks/subnet1"}
    body = """<AddressTemplateCreate><name>t</name><ip>10.0.0.9</ip>
      <hostname>h.example</hostname><protocol>IPv4</protocol></AddressTemplateCreate>"""
    response = post_xml(cimi, "/cimi/address_templates", body, xml)
    assert response.status_code == 201
    assert parse_xml(response).findtext(f"{NS}hostname") == "h.example"
    path = response.headers["Location"].removeprefix("http://localhost")
    assert cimi.delete(path, headers=xml).status_code == 200
    assert_error(cimi.delete(path, headers=xml), 404)
    missing = {"addressTemplate": {"href": f"{BASE}/address_templates/nosuch"}}
    assert_error(post_json(cimi, "/cimi/addresses", missing, json_headers), 404, "json")
    assert count(cimi, "/cimi/addresses", json_headers) == 4


def test_network_ports_seeded_and_created(
    cimi: FlaskClient, xml: dict[str, str], json_headers: dict[str, str]
) -> None:
    ports = cimi.get("/cimi/network_ports", headers=json_headers).get_json()
    assert ports["count"] == 4 and ports["operations"][0]["rel"] == "add"
    assert ports["networkPorts"][0]["network"] == {"href": f"{BASE}/networks/subnet1"}
    on_subnet = cimi.get("/cimi/networks/subnet1/network_ports", headers=xml)
    assert parse_xml(on_subnet).findtext(f"{NS}count") == "2"
    body = f"""<NetworkPortCreate><name>p-ref</name>
      <networkPortTemplate href="{BASE}/network_port_templates/template2"/>
      </NetworkPortCreate>"""
    response = post_xml(cimi, "/cimi/network_ports", body, xml)
    assert response.status_code == 201, response.get_data(as_text=True)
    root = parse_xml(response)
    assert root.findtext(f"{NS}classOfService") == "SILVER"
    assert root.find(f"{NS}network").get("href") == f"{BASE}/networks/subnet3"
    body_json = {
        "name": "p-value",
        "networkPortTemplate": {
            "network": {"href": f"{BASE}/networks/subnet2"},
            "networkPortConfig": {"portType": "TRUNK", "classOfService": "BRONZE"},
        },
    }
    response = post_json(cimi, "/cimi/network_ports", body_json, json_headers)
    assert response.status_code == 201
    port = response.get_json()
    assert (port["portType"], port["state"]) == ("TRUNK", "STARTED")
    path = port["id"].removeprefix("http://localhost")
    stop = f"<Action><action>{ACTION}stop</action></Action>"
    assert post_xml(cimi, f"{path}/stop", stop, xml).status_code == 202
    assert_error(post_xml(cimi, f"{path}/stop", stop, xml), 409)
    start = {"action": ACTION + "start"}
    assert_error(post_json(cimi, f"{path}/stop", start, json_headers), 400, "json")
    assert post_json(cimi, f"{path}/start", start, json_headers).status_code == 202
    assert cimi.get(path, headers=json_headers).get_json()["state"] == "STARTED"
    assert cimi.delete(path, headers=xml).status_code == 200
    body_json["networkPortTemplate"]["network"] = {"href": f"{BASE}/networks/nosuch"}
    response = post_json(cimi, "/cimi/network_ports", body_json, json_headers)
    assert_error(response, 404, "json")
    assert count(cimi, "/cimi/network_ports", json_headers) == 5


def test_network_port_templates_and_configurations(
    cimi: FlaskClient, xml: dict[str, str], json_headers: dict[str, str]
) -> None:
    body = {"name": "c", "portType": "ACCESS", "classOfService": "BRONZE"}
    response = post_json(cimi, "/cimi/network_port_configurations", body, json_headers)
    assert response.status_code == 201
    config = response.headers["Location"]
    body = f"""<NetworkPortTemplateCreate><name>t</name>
      <network href="{BASE}/networks/subnet4"/>
      <networkPortConfig href="{config}"/></NetworkPortTemplateCreate>"""
    response = post_xml(cimi, "/cimi/network_port_templates", body, xml)
    assert response.status_code == 201
    assert parse_xml(response).find(f"{NS}networkPortConfig").get("href") == config
    body = f"""<NetworkPortTemplateCreate><network href="{BASE}/networks/subnet4"/>
      <networkPortConfig href="{BASE}/network_port_configurations/nosuch"/>
      </NetworkPortTemplateCreate>"""
    assert_error(post_xml(cimi, "/cimi/network_port_templates", body, xml), 404)
    shown = cimi.get("/cimi/network_port_templates/template1", headers=xml)
    assert parse_xml(shown).find(f"{NS}network").get("href") == (
        f"{BASE}/networks/subnet1"
    )


def test_machine_network_interfaces(
    cimi: FlaskClient, xml: dict[str, str], json_headers: dict[str, str]
) -> None:
    machine = cimi.get("/cimi/machines/inst1", headers=json_headers).get_json()
    assert machine["networkInterfaces"] == {
        "href": f"{BASE}/machines/inst1/network_interfaces"
    }
    listing = parse_xml(
        cimi.get("/cimi/machines/inst1/network_interfaces", headers=xml)
    )
    assert listing.findtext(f"{NS}count") == "1"
    nic = listing.find(f"{NS}MachineNetworkInterface")
    assert nic.find(f"{NS}network").get("href") == f"{BASE}/networks/subnet1"
    body = {"network": {"href": f"{BASE}/networks/subnet3"}}
    response = post_json(
        cimi, "/cimi/machines/inst1/network_interfaces", body, json_headers
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    added = response.get_json()
    assert added["network"] == {"href": f"{BASE}/networks/subnet3"}
    path = added["id"].removeprefix("http://localhost")
    assert cimi.get(path, headers=xml).status_code == 200
    expanded = cimi.get(
        "/cimi/machines/inst1?$expand=networkInterfaces", headers=json_headers
    ).get_json()
    assert expanded["networkInterfaces"]["count"] == 2
    assert_error(
        cimi.get("/cimi/machines/inst0/network_interfaces/nic1", headers=xml), 404
    )
    assert cimi.delete(path, headers=xml).status_code == 200
    assert_error(cimi.get(path, headers=xml), 404)
    body = {"network": {"href": f"{BASE}/networks/nosuch"}}
    response = post_json(
        cimi, "/cimi/machines/inst1/network_interfaces", body, json_headers
    )
    assert_error(response, 404, "json")
    response = post_json(
        cimi, "/cimi/machines/nosuch/network_interfaces", body, json_headers
    )
    assert_error(response, 404, "json")
