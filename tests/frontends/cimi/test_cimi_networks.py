"""CIMI Networks, NetworkConfigurations, NetworkTemplates, ForwardingGroups and
their templates; every create variant of the seed post "CIMI Networking in
Deltacloud", sent as its curl commands send them."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.support.cimi import BASE
from tests.support.cimi import NS
from tests.support.cimi import SEED
from tests.support.cimi import count
from tests.support.cimi import create
from tests.support.cimi import post_json
from tests.support.cimi import post_seed
from tests.support.cimi import post_xml
from tests.support.helpers import assert_error
from tests.support.helpers import parse_xml

XML_TYPE = "application/CIMI-NetworkCreate+xml"
JSON_TYPE = "application/CIMI-NetworkCreate+json"
#: the seed's three NetworkCreate bodies, XML and JSON (its hosts and spacing)
BY_TEMPLATE_XML = f"""<NetworkCreate>
      <name> my_test_network </name>
      <description> A test network </description>
      <networkTemplate href="{SEED}/network_templates/template1">
      </networkTemplate>
    </NetworkCreate>"""
BY_TEMPLATE_JSON = {
    "name": "my_test_network",
    "description": "a foo network",
    "networkTemplate": {"href": f"{SEED}/network_templates/template1"},
}
CONFIG_BY_REF_XML = f"""<NetworkCreate>
      <name> my_test_network </name>
      <description> A test network </description>
      <networkTemplate>
        <networkConfig href="{SEED}/network_configurations/network_config1">
        </networkConfig>
        <routingGroup href="{SEED}/routing_groups/group1">
        </routingGroup>
      </networkTemplate>
    </NetworkCreate>"""
CONFIG_BY_REF_JSON = {
    "name": "my_test_network",
    "description": "a foo network",
    "networkTemplate": {
        "networkConfig": {"href": f"{SEED}/network_configurations/network_config1"},
        "routingGroup": {"href": f"{SEED}/routing_groups/group1"},
    },
}
CONFIG_BY_VALUE_XML = f"""<NetworkCreate>
      <name> my_test_network </name>
      <description> A test network </description>
      <networkTemplate>
        <networkConfig>
          <access> public </access>
          <bandwidthLimit> 2 </bandwidthLimit>
          <trafficPriority> 1 </trafficPriority>
          <maxTrafficDelay> 500000 </maxTrafficDelay>
          <maxTrafficLoss> 100 </maxTrafficLoss>
          <maxTrafficJitter> 100000 </maxTrafficJitter>
        </networkConfig>
        <routingGroup href="{SEED}/routing_groups/group1">
        </routingGroup>
      </networkTemplate> </NetworkCreate>"""
CONFIG_BY_VALUE_JSON = {
    "name": "my_test_network",
    "description": "a foo network",
    "networkTemplate": {
        "networkConfig": {
            "access": "public",
            "bandwidthLimit": 2,
            "trafficPriority": 1,
            "maxTrafficDelay": 500000,
            "maxTrafficLoss": 100,
            "maxTrafficJitter": 100000,
        },
        "routingGroup": {"href": f"{SEED}/routing_groups/group1"},
    },
}


def _groups(cimi: FlaskClient, headers: dict[str, str]) -> int:
    return int(
        cimi.get("/cimi/forwarding_groups?format=json", headers=headers).get_json()[
            "count"
        ]
    )


def _create(cimi: FlaskClient, auth: dict[str, str], body: Any) -> Any:
    return post_seed(cimi, "/cimi/networks", body, auth, (XML_TYPE, JSON_TYPE))


@pytest.mark.parametrize(
    ("body", "fmt", "in_group"),
    [
        (BY_TEMPLATE_XML, "xml", "net1"),
        (BY_TEMPLATE_JSON, "json", "net1"),
        (CONFIG_BY_REF_XML, "xml", None),
        (CONFIG_BY_REF_JSON, "json", None),
        (CONFIG_BY_VALUE_XML, "xml", None),
        (CONFIG_BY_VALUE_JSON, "json", None),
    ],
    ids=[
        "template-ref-xml",
        "template-ref-json",
        "config-ref-xml",
        "config-ref-json",
        "config-value-xml",
        "config-value-json",
    ],
)
def test_seed_create_variants_then_delete(
    cimi: FlaskClient, auth: dict[str, str], body: Any, fmt: str, in_group: str | None
) -> None:
    groups = _groups(cimi, auth)
    response = _create(cimi, auth, body)
    assert response.status_code == 201, response.get_data(as_text=True)
    location = response.headers["Location"]
    assert location == f"{BASE}/networks/my_test_network"
    if fmt == "xml":
        root = parse_xml(response)
        assert root.tag == f"{NS}Network"
        assert root.findtext(f"{NS}name") == "my_test_network"
        assert root.findtext(f"{NS}description") == "A test network"
        assert root.findtext(f"{NS}state") == "STARTED"
        group = root.find(f"{NS}forwardingGroup").get("href")
    else:
        data = response.get_json()
        assert data["id"] == location and data["description"] == "a foo network"
        assert data["resourceURI"] == "http://schemas.dmtf.org/cimi/1/Network"
        group = data["forwardingGroup"]["href"]
    if in_group:
        assert group == f"{BASE}/forwarding_groups/{in_group}"
        assert _groups(cimi, auth) == groups
        members = cimi.get(group.removeprefix("http://localhost"), headers=auth)
        assert f'href="{location}"' in members.get_data(as_text=True)
    else:  # a forwarding group of its own, gone with the network
        assert _groups(cimi, auth) == groups + 1
    shown = cimi.get("/cimi/networks/my_test_network?format=json", headers=auth)
    assert shown.get_json()["name"] == "my_test_network"
    delete = cimi.delete("/cimi/networks/my_test_network?format=xml", headers=auth)
    assert delete.status_code == 200 and delete.get_data() == b""
    assert _groups(cimi, auth) == groups
    assert_error(cimi.get("/cimi/networks/my_test_network", headers=auth), 404)


def test_config_by_value_is_kept_and_blocks_do_not_overlap(
    cimi: FlaskClient, json_headers: dict[str, str]
) -> None:
    body = {
        "name": "web",
        "networkTemplate": {
            "networkConfig": {
                "networkType": "PUBLIC",
                "mtu": 9000,
                "classOfService": "GOLD",
            },
            "forwardingGroup": {"href": f"{BASE}/forwarding_groups/net1"},
        },
    }
    response = post_json(cimi, "/cimi/networks", body, json_headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    data = response.get_json()
    assert (data["networkType"], data["mtu"], data["classOfService"]) == (
        "PUBLIC",
        9000,
        "GOLD",
    )
    create(cimi, "/cimi/networks", {**body, "name": "db"}, json_headers)
    blocks = {
        s["address_block"]
        for s in cimi.get("/api/subnets?format=json", headers=json_headers).get_json()[
            "subnets"
        ]
    }
    assert {"192.168.3.0/24", "192.168.4.0/24"} <= blocks


def test_networks_and_groups_in_both_formats(
    cimi: FlaskClient, xml: dict[str, str], json_headers: dict[str, str]
) -> None:
    root = parse_xml(cimi.get("/cimi/networks", headers=xml))
    assert root.findtext(f"{NS}count") == "4"
    assert root.find(f"{NS}operation").get("rel") == "add"
    network = root.find(f"{NS}Network")
    assert network.findtext(f"{NS}networkType") == "PRIVATE"
    assert network.find(f"{NS}networkPorts").get("href") == (
        f"{BASE}/networks/subnet1/network_ports"
    )
    data = cimi.get("/cimi/networks/subnet3", headers=json_headers).get_json()
    assert data["forwardingGroup"] == {"href": f"{BASE}/forwarding_groups/net2"}
    group = parse_xml(cimi.get("/cimi/forwarding_groups/net1", headers=xml))
    assert [n.get("href") for n in group.findall(f"{NS}network")] == [
        f"{BASE}/networks/subnet1",
        f"{BASE}/networks/subnet2",
    ]
    groups = cimi.get("/cimi/forwarding_groups", headers=json_headers).get_json()
    assert groups["count"] == 2 and groups["forwardingGroups"][1]["name"] == "network2"


def test_configurations_and_templates(
    cimi: FlaskClient, xml: dict[str, str], json_headers: dict[str, str]
) -> None:
    data = cimi.get("/cimi/network_configurations", headers=json_headers).get_json()
    assert [c["classOfService"] for c in data["networkConfigurations"]] == [
        "SILVER",
        "GOLD",
    ]
    body = """<NetworkConfigurationCreate><name>fast</name>
      <networkType>PRIVATE</networkType><mtu>9000</mtu>
      <classOfService>GOLD</classOfService></NetworkConfigurationCreate>"""
    response = post_xml(cimi, "/cimi/network_configurations", body, xml)
    assert response.status_code == 201
    config = response.headers["Location"]
    assert parse_xml(response).findtext(f"{NS}mtu") == "9000"
    body = {
        "name": "t",
        "networkConfig": {"href": config},
        "forwardingGroup": {"href": f"{BASE}/forwarding_groups/net2"},
    }
    response = post_json(cimi, "/cimi/network_templates", body, json_headers)
    assert response.status_code == 201
    template = response.get_json()
    assert template["networkConfig"] == {"href": config}
    created = post_json(
        cimi,
        "/cimi/networks",
        {"name": "n2", "networkTemplate": {"href": template["id"]}},
        json_headers,
    )
    assert created.status_code == 201
    assert created.get_json()["mtu"] == 9000
    assert created.get_json()["forwardingGroup"]["href"].endswith("/net2")
    for path in (template["id"], config):
        response = cimi.delete(path.removeprefix("http://localhost"), headers=xml)
        assert response.status_code == 200
    assert_error(cimi.get(config.removeprefix("http://localhost"), headers=xml), 404)


def test_forwarding_group_templates(
    cimi: FlaskClient, xml: dict[str, str], json_headers: dict[str, str]
) -> None:
    seeded = cimi.get(
        "/cimi/forwarding_group_templates/template1", headers=json_headers
    ).get_json()
    assert seeded["networks"] == [
        {"href": f"{BASE}/networks/subnet1"},
        {"href": f"{BASE}/networks/subnet3"},
    ]
    body = f"""<ForwardingGroupTemplateCreate><name>pair</name>
      <network href="{BASE}/networks/subnet2"/><network href="{BASE}/networks/subnet4"/>
      </ForwardingGroupTemplateCreate>"""
    response = post_xml(cimi, "/cimi/forwarding_group_templates", body, xml)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert len(parse_xml(response).findall(f"{NS}network")) == 2
    body = {"name": "one", "networks": [{"href": f"{BASE}/networks/subnet1"}]}
    create(cimi, "/cimi/forwarding_group_templates", body, json_headers)
    body["networks"] = [{"href": f"{BASE}/networks/nosuch"}]
    response = post_json(cimi, "/cimi/forwarding_group_templates", body, json_headers)
    assert_error(response, 404, "json")
    listing = cimi.get("/cimi/forwarding_group_templates", headers=json_headers)
    assert listing.get_json()["count"] == 3


def test_missing_references_create_nothing(
    cimi: FlaskClient, xml: dict[str, str], json_headers: dict[str, str]
) -> None:
    cases = [
        {"networkTemplate": {"href": f"{BASE}/network_templates/nosuch"}},
        {
            "networkTemplate": {
                "networkConfig": {"href": f"{BASE}/network_configurations/x"}
            }
        },
        {
            "networkTemplate": {
                "networkConfig": {"mtu": 1500},
                "forwardingGroup": {"href": f"{BASE}/forwarding_groups/nosuch"},
            }
        },
    ]
    for body in cases:
        response = post_json(
            cimi, "/cimi/networks", {"name": "x", **body}, json_headers
        )
        assert "not found" in assert_error(response, 404, "json")
    body = f"""<NetworkTemplateCreate><networkConfig href="{BASE}/network_configurations/zz"/>
      </NetworkTemplateCreate>"""
    assert_error(post_xml(cimi, "/cimi/network_templates", body, xml), 404)
    assert_error(post_xml(cimi, "/cimi/networks", "<NetworkCreate/>", xml), 400)
    assert count(cimi, "/cimi/networks?format=json", xml) == 4
    assert _groups(cimi, xml) == 2
    templates = cimi.get("/cimi/network_templates?format=json", headers=xml)
    assert templates.get_json()["count"] == 2
