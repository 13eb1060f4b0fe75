"""Firewalls with rules and load balancers on /api (seeded in the mock)."""

from __future__ import annotations

import pytest

from tests.support.helpers import assert_error
from tests.support.helpers import parse_xml


def test_seeded_firewall_in_every_format(client, xml, json_headers, auth):
    root = parse_xml(client.get("/api/firewalls/default", headers=xml))
    assert root.tag == "firewall" and root.findtext("name") == "default"
    assert root.findtext("description") == "default group"
    rule = root.find("rules/rule")
    assert (
        rule.findtext("allow_protocol") == "tcp" and rule.findtext("port_from") == "22"
    )
    source = rule.find("sources/source")
    assert source.attrib == {
        "type": "address",
        "family": "ipv4",
        "address": "0.0.0.0",
        "prefix": "0",
    }
    data = client.get("/api/firewalls", headers=json_headers).get_json()
    assert [f["id"] for f in data["firewalls"]] == ["default"]
    assert set(data["firewalls"][0]["rules"][0]) == {
        "id",
        "allow_protocol",
        "port_from",
        "port_to",
        "sources",
        "direction",
    }
    html = {**auth, "Accept": "text/html"}
    for path in ("/api/firewalls", "/api/firewalls/default", "/api/firewalls/new"):
        assert client.get(path, headers=html).status_code == 200


def test_firewall_life_cycle(client, xml, json_headers):
    created = client.post(
        "/api/firewalls", data={"name": "web", "description": "web tier"}, headers=xml
    )
    assert created.status_code == 201
    assert created.headers["Location"].endswith("/api/firewalls/web")
    response = client.post(
        "/api/firewalls/web/rules",
        data={
            "protocol": "tcp",
            "port_from": "80",
            "port_to": "443",
            "ip_address1": "10.0.0.0/8",
            "ip_address2": "192.168.7.7",
            "group1": "default",
            "group1owner": "mockuser",
        },
        headers=json_headers,
    )
    assert response.status_code == 201
    rule = response.get_json()["firewall"]["rules"][0]
    assert rule["sources"] == [
        {"type": "address", "family": "ipv4", "address": "10.0.0.0", "prefix": "8"},
        {"type": "address", "family": "ipv4", "address": "192.168.7.7", "prefix": "32"},
        {"type": "group", "name": "default", "owner": "mockuser"},
    ]
    assert_error(client.delete("/api/firewalls/default", headers=xml), 409)
    assert (
        client.delete(f"/api/firewalls/web/{rule['id']}", headers=xml).status_code
        == 204
    )
    assert_error(client.delete(f"/api/firewalls/web/{rule['id']}", headers=xml), 404)
    assert client.delete("/api/firewalls/web", headers=xml).status_code == 204
    assert_error(client.get("/api/firewalls/web", headers=xml), 404)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"protocol": "tcp", "port_from": "22", "port_to": "22"}, "No sources"),
        (
            {
                "protocol": "gre",
                "port_from": "1",
                "port_to": "2",
                "ip_address": "1.2.3.4",
            },
            "protocol",
        ),
        (
            {
                "protocol": "tcp",
                "port_from": "x",
                "port_to": "2",
                "ip_address": "1.2.3.4",
            },
            "port_from",
        ),
        (
            {
                "protocol": "tcp",
                "port_from": "9",
                "port_to": "2",
                "ip_address": "1.2.3.4",
            },
            "greater",
        ),
        (
            {
                "protocol": "tcp",
                "port_from": "1",
                "port_to": "70000",
                "ip_address": "1.2.3.4",
            },
            "65535",
        ),
        (
            {
                "protocol": "tcp",
                "port_from": "1",
                "port_to": "2",
                "ip_address": "1.2.3.400/8",
            },
            "source address",
        ),
        (
            {"protocol": "tcp", "port_from": "1", "port_to": "2", "group1": "nosuch"},
            "nosuch",
        ),
    ],
)
def test_bad_rules_are_400_and_change_nothing(client, json_headers, data, words):
    response = client.post(
        "/api/firewalls/default/rules", data=data, headers=json_headers
    )
    assert words in assert_error(response, 400, "json")
    rules = client.get("/api/firewalls/default", headers=json_headers).get_json()
    assert len(rules["firewall"]["rules"]) == 1


def test_duplicate_rule_and_firewall_are_409(client, xml):
    rule = {
        "protocol": "tcp",
        "port_from": "22",
        "port_to": "22",
        "ip_address1": "0.0.0.0/0",
    }
    assert_error(
        client.post("/api/firewalls/default/rules", data=rule, headers=xml), 409
    )
    twin = {"name": "default", "description": "again"}
    assert_error(client.post("/api/firewalls", data=twin, headers=xml), 409)
    assert_error(client.post("/api/firewalls", data={"name": "x"}, headers=xml), 400)


def test_seeded_load_balancer(client, xml, json_headers, auth):
    root = parse_xml(client.get("/api/load_balancers/lb1", headers=xml))
    assert root.find("realm").get("id") == "us"
    listener = root.find("listeners/listener")
    assert listener.get("protocol") == "HTTP"
    assert listener.findtext("load_balancer_port") == "80"
    assert root.find("instances/instance").get("id") == "inst0"
    assert [link.get("rel") for link in root.find("actions")] == ["destroy", "register"]
    data = client.get("/api/load_balancers/lb1", headers=json_headers).get_json()
    assert set(data["load_balancer"]) == {
        "id",
        "href",
        "realms",
        "listeners",
        "instances",
        "public_addresses",
        "created_at",
    }
    html = {**auth, "Accept": "text/html"}
    for path in (
        "/api/load_balancers",
        "/api/load_balancers/lb1",
        "/api/load_balancers/new",
    ):
        assert client.get(path, headers=html).status_code == 200


def test_load_balancer_life_cycle(client, xml, json_headers):
    params = {
        "name": "front",
        "realm_id": "eu",
        "listener_protocol": "tcp",
        "listener_balancer_port": "443",
        "listener_instance_port": "8443",
    }
    created = client.post("/api/load_balancers", data=params, headers=json_headers)
    assert created.status_code == 201
    assert created.headers["Location"].endswith("/api/load_balancers/front")
    assert created.get_json()["load_balancer"]["listeners"][0]["protocol"] == "TCP"
    registered = client.post(
        "/api/load_balancers/front/register", data={"instance_id": "inst1"}, headers=xml
    )
    assert registered.status_code == 200
    assert parse_xml(registered).find("instances/instance").get("id") == "inst1"
    again = client.post(
        "/api/load_balancers/front/register", data={"instance_id": "inst1"}, headers=xml
    )
    assert_error(again, 409)
    gone = client.post(
        "/api/load_balancers/front/unregister",
        data={"instance_id": "inst1"},
        headers=xml,
    )
    assert (
        gone.status_code == 200 and parse_xml(gone).find("instances/instance") is None
    )
    assert client.delete("/api/load_balancers/front", headers=xml).status_code == 204
    assert_error(client.get("/api/load_balancers/front", headers=xml), 404)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"realm_id": "mars"}, "Realm"),
        ({"listener_protocol": "UDP"}, "listener_protocol"),
        ({"listener_balancer_port": "0"}, "listener_balancer_port"),
        ({"listener_instance_port": "http"}, "listener_instance_port"),
        ({"name": "../lb"}, "name"),
    ],
)
def test_bad_load_balancers_are_400(client, xml, mock_storage, change, words):
    params = {
        "name": "bad",
        "realm_id": "us",
        "listener_protocol": "HTTP",
        "listener_balancer_port": "80",
        "listener_instance_port": "8080",
        **change,
    }
    assert words in assert_error(
        client.post("/api/load_balancers", data=params, headers=xml), 400
    )
    assert sorted(p.name for p in (mock_storage / "load_balancers").iterdir()) == [
        "lb1.json"
    ]


def test_register_missing_instance_is_400(client, json_headers):
    response = client.post(
        "/api/load_balancers/lb1/register",
        data={"instance_id": "nosuch"},
        headers=json_headers,
    )
    assert "nosuch" in assert_error(response, 400, "json")
    response = client.post(
        "/api/load_balancers/lb1/unregister",
        data={"instance_id": "inst2"},
        headers=json_headers,
    )
    assert_error(response, 409, "json")


def test_destroyed_instance_leaves_load_balancer(client, xml):
    client.post("/api/instances/inst0/stop", headers=xml)
    assert client.delete("/api/instances/inst0", headers=xml).status_code == 204
    root = parse_xml(client.get("/api/load_balancers/lb1", headers=xml))
    assert root.find("instances/instance") is None


def test_entry_point_lists_firewalls_and_load_balancers(client):
    rels = {link.get("rel") for link in parse_xml(client.get("/api")).findall("link")}
    assert {"firewalls", "load_balancers"} <= rels
