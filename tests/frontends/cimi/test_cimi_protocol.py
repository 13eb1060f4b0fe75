"""CIMI protocol: redirects, negotiation, headers, errors, body parsing, queries."""

from __future__ import annotations

from flask.testing import FlaskClient

from deltaflask.plugins.cimi.entry import SPEC_ORDER
from tests.support.cimi import BASE
from tests.support.cimi import NS
from tests.support.cimi import machine_names
from tests.support.cimi import post_xml
from tests.support.helpers import assert_error
from tests.support.helpers import parse_xml


def test_root_redirects_without_auth(cimi: FlaskClient) -> None:
    for path in ("/cimi", "/cimi/"):
        response = cimi.get(path)
        assert response.status_code == 301
        assert response.headers["Location"] == f"{BASE}/cloudEntryPoint"


def test_entry_point_xml_by_default_and_json_for_wildcards(cimi: FlaskClient) -> None:
    response = cimi.get("/cimi/cloudEntryPoint")
    assert response.status_code == 200
    assert response.content_type == "application/xml"
    assert response.headers["CIMI-Specification-Version"] == "1.0.1"
    root = parse_xml(response)
    assert root.tag == f"{NS}CloudEntryPoint"
    assert root.findtext(f"{NS}baseURI") == f"{BASE}/"
    assert root.find(f"{NS}machines").get("href") == f"{BASE}/machines"
    for accept in ("*/*", "text/html", "application/json"):
        data = cimi.get("/cimi/cloudEntryPoint", headers={"Accept": accept}).get_json()
        assert data["resourceURI"] == "http://schemas.dmtf.org/cimi/1/CloudEntryPoint"
        assert data["volumes"] == {"href": f"{BASE}/volumes"}
    assert cimi.get(
        "/cimi/cloudEntryPoint", headers={"Accept": "text/xml"}
    ).content_type == ("application/xml")
    assert cimi.get(
        "/cimi/cloudEntryPoint?format=json", headers={"Accept": "application/xml"}
    ).is_json
    refused = cimi.get("/cimi/cloudEntryPoint", headers={"Accept": "application/pdf"})
    assert assert_error(refused, 406) == "Not Acceptable"
    assert refused.content_type == "application/xml"


def test_entry_point_lists_collections_in_spec_order(cimi: FlaskClient) -> None:
    keys = list(cimi.get("/cimi/cloudEntryPoint?format=json").get_json())
    links = keys[keys.index("resourceMetadata") + 1 : keys.index("resourceURI")]
    assert links == list(SPEC_ORDER)  # the mock serves every family
    for earlier, later in (  # DSP0263's CloudEntryPoint order, spot-checked
        ("systems", "machines"),
        ("machineTemplates", "machineConfigs"),
        ("credentials", "volumes"),
        ("volumeImages", "networks"),
        ("networkPortConfigs", "addresses"),
        ("addressTemplates", "forwardingGroups"),
    ):
        assert keys.index(earlier) < keys.index(later)


def test_entry_point_expand_machines(cimi: FlaskClient, auth: dict[str, str]) -> None:
    data = cimi.get(
        "/cimi/cloudEntryPoint?format=json&$expand=machines", headers=auth
    ).get_json()
    assert data["machines"]["count"] == 4 == len(data["machines"]["machines"])


def test_401_has_challenge_in_both_formats(cimi: FlaskClient) -> None:
    response = cimi.get("/cimi/machines")
    assert_error(response, 401)
    assert response.headers["WWW-Authenticate"].startswith(
        'Basic realm="mock-deltacloud@'
    )
    assert_error(cimi.get("/cimi/machines?format=json"), 401, "json")
    bad = {"Authorization": "Basic bW9ja3VzZXI6d3Jvbmc="}
    assert_error(cimi.get("/cimi/machines", headers=bad), 401)


def test_404s(
    cimi: FlaskClient, xml: dict[str, str], json_headers: dict[str, str]
) -> None:
    assert_error(cimi.get("/cimi/machines/nosuch", headers=xml), 404)
    for path in (
        "/cimi/machine_images/nosuch",
        "/cimi/machine_configurations/opaque",
        "/cimi/credentials/nosuch",
        "/cimi/machine_templates/999",
        "/cimi/resource_metadata/nosuch",
        "/cimi/nosuchcollection",
        "/cimi/volumes/nosuch",
        "/cimi/machines/..%2f..%2fetc/disks",
    ):
        assert_error(cimi.get(path, headers=json_headers), 404, "json")


def test_malformed_bodies_are_400(cimi: FlaskClient, xml: dict[str, str]) -> None:
    assert_error(post_xml(cimi, "/cimi/machines", "<MachineCreate><name>", xml), 400)
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]>'
        "<Action><action>&b;</action></Action>"
    )
    assert_error(post_xml(cimi, "/cimi/machines/inst0/stop", bomb, xml), 400)
    response = cimi.post(
        "/cimi/machines", data="{bad", headers=xml, content_type="application/json"
    )
    assert_error(response, 400)
    response = cimi.post(
        "/cimi/machines", data="[1]", headers=xml, content_type="application/json"
    )
    assert_error(response, 400)
    response = cimi.post(
        "/cimi/machines", data="x", headers=xml, content_type="text/plain"
    )
    assert_error(response, 415)


def test_missing_attributes_named(cimi: FlaskClient, xml: dict[str, str]) -> None:
    body = (
        '<MachineTemplateCreate xmlns="http://schemas.dmtf.org/cimi/1"><name>bad</name>'
        f'<machineConfig href="{BASE}/machine_configurations/m1-small"/></MachineTemplateCreate>'
    )
    message = assert_error(post_xml(cimi, "/cimi/machine_templates", body, xml), 400)
    assert message == "Required attributes not set: machineImage"
    response = cimi.post("/cimi/machines", json={}, headers=xml)
    assert "machineTemplate" in assert_error(response, 400)


def test_resource_metadata(
    cimi: FlaskClient, xml: dict[str, str], json_headers: dict[str, str]
) -> None:
    data = cimi.get("/cimi/resource_metadata", headers=json_headers).get_json()
    assert data["count"] == 22 == len(data["resourceMetadata"])
    names = [meta["name"] for meta in data["resourceMetadata"]]
    assert names[:3] == ["CloudEntryPoint", "Machine", "MachineTemplate"]
    for name in ("System", "Network", "NetworkPort", "Address", "ForwardingGroup"):
        assert name in names
    port = cimi.get(
        "/cimi/resource_metadata/network_port_configuration", headers=json_headers
    ).get_json()
    assert port["typeUri"] == "http://schemas.dmtf.org/cimi/1/NetworkPortConfiguration"
    machine = cimi.get(
        "/cimi/resource_metadata/machine", headers=json_headers
    ).get_json()
    caps = {c["name"]: c["value"] for c in machine["capabilities"]}
    assert caps == {
        "DefaultInitialState": "STARTED",
        "InitialStates": "STARTED,STOPPED",
    }
    root = parse_xml(cimi.get("/cimi/resource_metadata/machine", headers=xml))
    assert root.find(f"{NS}capability").text == "STARTED"
    values = [v.text for v in root.iter(f"{NS}value")]
    assert values == ["us", "eu"]


def test_filter_first_last_select(
    cimi: FlaskClient, json_headers: dict[str, str]
) -> None:
    def names(query: str) -> list[str]:
        return machine_names(cimi, json_headers, query)

    assert names("$filter=name='MockUserInstance'") == ["MockUserInstance"]
    assert len(names("$filter=name!='MockUserInstance'")) == 3
    assert len(names("$filter=realm='eu' or name='AnotherInstance'")) == 2
    assert names("$filter=realm='us' and (memory>2000000 and cpu=1)") == [
        "Mock Instance With Profile Change",
        "AnotherInstance",
    ]
    assert names("$first=2&$last=3") == ["MockUserInstance", "AnotherInstance"]
    data = cimi.get(
        "/cimi/machines?$select=name,state", headers=json_headers
    ).get_json()
    assert set(data["machines"][0]) == {"name", "state"}
    for bad in (
        "$filter=name=",
        "$filter=(name='x'",
        "$first=0",
        "$select=a b",
        "$filter=name='x' xor",
    ):
        assert_error(
            cimi.get(f"/cimi/machines?{bad}", headers=json_headers), 400, "json"
        )


def test_select_and_expand_xml(cimi: FlaskClient, xml: dict[str, str]) -> None:
    root = parse_xml(cimi.get("/cimi/machines?$select=name", headers=xml))
    machine = root.find(f"{NS}Machine")
    assert [child.tag for child in machine] == [f"{NS}name"]
    root = parse_xml(cimi.get("/cimi/machines/inst0?$expand=disks", headers=xml))
    disks = root.find(f"{NS}disks")
    assert disks.findtext(f"{NS}count") == "1"
    assert disks.find(f"{NS}Disk").findtext(f"{NS}capacity") == str(850 * 1024 * 1024)


def test_count_is_every_match_while_first_last_pick_a_page(
    cimi: FlaskClient, json_headers: dict[str, str], xml: dict[str, str]
) -> None:
    def page(query: str) -> tuple[int, list[str]]:
        data = cimi.get(f"/cimi/machines?{query}", headers=json_headers).get_json()
        return data["count"], [m["name"] for m in data.get("machines", [])]

    assert page("$first=2&$last=3") == (4, ["MockUserInstance", "AnotherInstance"])
    assert page("$first=9") == (4, [])
    matches, _ = page("$filter=realm='us'")
    assert matches == 3
    assert page("$filter=realm='us'&$last=1") == (
        3,
        ["Mock Instance With Profile Change"],
    )
    root = parse_xml(cimi.get("/cimi/machines?$first=4", headers=xml))
    assert root.findtext(f"{NS}count") == "4"
    assert len(root.findall(f"{NS}Machine")) == 1


def test_select_on_a_single_resource_and_the_entry_point(
    cimi: FlaskClient, json_headers: dict[str, str], xml: dict[str, str]
) -> None:
    machine = cimi.get(
        "/cimi/machines/inst0?$select=name,state", headers=json_headers
    ).get_json()
    assert machine == {
        "name": "Mock Instance With Profile Change",
        "state": "STARTED",
        "resourceURI": "http://schemas.dmtf.org/cimi/1/Machine",
    }
    root = parse_xml(cimi.get("/cimi/machines/inst0?$select=state,id", headers=xml))
    assert [child.tag for child in root] == [f"{NS}id", f"{NS}state"]
    operations = cimi.get(
        "/cimi/machines/inst0?$select=operations[1]", headers=json_headers
    ).get_json()["operations"]
    assert len(operations) == 1
    entry = cimi.get("/cimi/cloudEntryPoint?format=json&$select=baseURI,volumes")
    assert entry.get_json() == {
        "baseURI": f"{BASE}/",
        "volumes": {"href": f"{BASE}/volumes"},
        "resourceURI": "http://schemas.dmtf.org/cimi/1/CloudEntryPoint",
    }
    expanded = cimi.get(
        "/cimi/machines/inst0?$expand=disks&$select=disks", headers=json_headers
    ).get_json()
    assert expanded["disks"]["count"] == 1
    bad = cimi.get("/cimi/machines/inst0?$select=a b", headers=json_headers)
    assert_error(bad, 400, "json")
