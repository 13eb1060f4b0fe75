"""Hostile input to /cimi: huge numbers, deep nesting, control characters and
non-characters, $filter/$orderby abuse. Each answers a CIMI error (400) in the
requested format, never a 500; nothing is created; error messages name no
Python exception; documents stay well-formed whatever was stored."""

from __future__ import annotations

import json
import re
from typing import Any

import defusedxml.ElementTree as SafeET
import pytest
from flask import Flask
from flask.testing import FlaskClient

from deltaflask.plugins.cimi.render import Entity
from deltaflask.plugins.cimi.render import to_json
from deltaflask.plugins.cimi.render import to_xml
from tests.support.cimi import BASE
from tests.support.cimi import NS
from tests.support.cimi import count
from tests.support.cimi import create
from tests.support.cimi import post_json
from tests.support.cimi import post_xml
from tests.support.helpers import assert_error
from tests.support.helpers import parse_xml

HUGE = "9" * 5000
EXCEPTION_NAME = re.compile(r"[A-Z][a-z]+(?:Error|Exception)\b")
IMAGE = {"href": f"{BASE}/machine_images/img1"}


def _machine(config: dict[str, Any]) -> dict[str, Any]:
    return {"machineTemplate": {"machineConfig": config, "machineImage": IMAGE}}


def _refused(response: Any, fmt: str) -> str:
    message = assert_error(response, 400, fmt)
    assert not EXCEPTION_NAME.search(message), message
    assert HUGE not in message
    return message


@pytest.mark.parametrize("name", ["$first", "$last"])
@pytest.mark.parametrize("raw", [HUGE, "\u00b2", "\u0661", "0", "-1", "1e3", " 2"])
def test_paging_positions_are_bounded_numbers(
    cimi: FlaskClient, json_headers: dict[str, str], name: str, raw: str
) -> None:
    response = cimi.get(
        "/cimi/machines", query_string={name: raw}, headers=json_headers
    )
    _refused(response, "json")


def test_select_slices_are_bounded_numbers(
    cimi: FlaskClient, json_headers: dict[str, str]
) -> None:
    for path in ("/cimi/machines", "/cimi/machines/inst0"):
        for item in (f"operations[{HUGE}]", f"operations[1-{HUGE}]", "operations[0]"):
            response = cimi.get(
                path, query_string={"$select": item}, headers=json_headers
            )
            _refused(response, "json")
    fine = cimi.get(
        "/cimi/machines/inst0?$select=operations[1-2]", headers=json_headers
    )
    assert len(fine.get_json()["operations"]) == 2


NUMBERS = [
    int(HUGE[:4000]),
    HUGE[:4000],
    "Infinity",
    1e400,
    2.5,
    True,
    0,
    -4,
    "12abc",
]


@pytest.mark.parametrize("value", NUMBERS, ids=lambda v: str(v)[:12])
def test_machine_config_numbers_are_bounded(
    cimi: FlaskClient, json_headers: dict[str, str], value: Any
) -> None:
    before = count(cimi, "/cimi/machines", json_headers)
    for config in ({"cpu": 1, "memory": value}, {"cpu": value, "memory": 1024}):
        body = json.dumps(_machine(config)).replace('"Infinity"', "Infinity")
        response = cimi.post(
            "/cimi/machines",
            data=body,
            headers=json_headers,
            content_type="application/json",
        )
        _refused(response, "json")
    assert count(cimi, "/cimi/machines", json_headers) == before


@pytest.mark.parametrize("value", NUMBERS, ids=lambda v: str(v)[:12])
def test_volume_capacity_and_mtu_are_bounded(
    cimi: FlaskClient, json_headers: dict[str, str], value: Any
) -> None:
    for path, body in (
        ("/cimi/volumes", {"volumeTemplate": {"volumeConfig": {"capacity": value}}}),
        ("/cimi/volume_configurations", {"name": "c", "capacity": value}),
        ("/cimi/network_configurations", {"name": "n", "mtu": value}),
    ):
        before = count(cimi, path, json_headers)
        text = json.dumps(body).replace('"Infinity"', "Infinity")
        response = cimi.post(
            path, data=text, headers=json_headers, content_type="application/json"
        )
        _refused(response, "json")
        assert count(cimi, path, json_headers) == before


def test_numbers_in_range_still_create(
    cimi: FlaskClient, json_headers: dict[str, str]
) -> None:
    config = {"cpu": "2", "memory": 8192 * 1024.0}
    create(cimi, "/cimi/machines", _machine(config), json_headers)
    create(cimi, "/cimi/volume_configurations", {"capacity": "1024"}, json_headers)


DEEP_BODIES = {
    "json arrays": ("[" * 100_000, "application/json"),
    "json properties": (
        '{"name": "x", "properties": ' + '{"a": ' * 3000 + '"v"' + "}" * 3001,
        "application/json",
    ),
    "json just too deep": ("[" * 33 + "]" * 33, "application/json"),
    "xml elements": ("<a>" * 1500 + "</a>" * 1500, "application/xml"),
    "xml just too deep": ("<a>" * 33 + "</a>" * 33, "application/xml"),
}


@pytest.mark.parametrize("body", sorted(DEEP_BODIES))
@pytest.mark.parametrize("path", ["/cimi/machines", "/cimi/volume_configurations"])
def test_deeply_nested_bodies_are_refused(
    cimi: FlaskClient, xml: dict[str, str], body: str, path: str
) -> None:
    data, media = DEEP_BODIES[body]
    before = count(cimi, path, xml)
    response = cimi.post(path, data=data, headers=xml, content_type=media)
    assert "nested deeper" in _refused(response, "xml")
    edit = cimi.put(f"{path}/inst0", data=data, headers=xml, content_type=media)
    assert edit.status_code in (400, 404, 405), edit.get_data(as_text=True)
    assert count(cimi, path, xml) == before


XML_DECLARATIONS = {
    "internal entity": '<!DOCTYPE x [<!ENTITY e "e">]><x><name>&e;</name></x>',
    "external entity": '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
    "external dtd": '<!DOCTYPE x SYSTEM "http://example.org/x.dtd"><x><name>n</name></x>',
    "bare dtd": "<!DOCTYPE x><x><name>n</name></x>",
}


@pytest.mark.parametrize("body", sorted(XML_DECLARATIONS))
def test_xml_with_a_dtd_is_refused_before_anything_is_stored(
    cimi: FlaskClient, xml: dict[str, str], body: str
) -> None:
    path = "/cimi/volume_configurations"
    before = count(cimi, path, xml)
    response = post_xml(cimi, path, XML_DECLARATIONS[body], xml)
    assert "entities or a DTD is refused" in _refused(response, "xml")
    assert count(cimi, path, xml) == before


def test_xml_namespaces_and_properties_read_as_json_would(
    cimi: FlaskClient, xml: dict[str, str], json_headers: dict[str, str]
) -> None:
    body = (
        '<o:VolumeConfigurationCreate xmlns="http://schemas.dmtf.org/cimi/1" '
        'xmlns:o="urn:o"><o:name> spaced </o:name><capacity>1024</capacity>'
        '<property key="a"> 1 </property><!-- a comment --><property key="b">2'
        "</property><description><![CDATA[<d>]]></description>"
        "</o:VolumeConfigurationCreate>"
    )
    location = create(cimi, "/cimi/volume_configurations", body, xml)
    shown = cimi.get(location, headers=json_headers).get_json()
    assert shown["name"] == "spaced"
    assert shown["description"] == "<d>"
    assert shown["capacity"] == 1024
    assert shown["properties"] == {"a": "1", "b": "2"}


def test_strings_with_brackets_do_not_count_as_nesting(
    cimi: FlaskClient, json_headers: dict[str, str]
) -> None:
    name = '[{"\\"' * 100
    location = create(
        cimi, "/cimi/volume_configurations", {"name": name, "capacity": 1}, json_headers
    )
    shown = cimi.get(location.removeprefix("http://localhost"), headers=json_headers)
    assert shown.get_json()["name"] == name


MALFORMED_JSON = [
    b'{"name": "x",',
    b'{"name": NaN}',
    b'{"capacity": ' + HUGE.encode() + b"}",
]


@pytest.mark.parametrize("body", MALFORMED_JSON, ids=["cut", "nan", "digits"])
def test_malformed_json_names_no_exception(
    cimi: FlaskClient, json_headers: dict[str, str], body: bytes
) -> None:
    response = cimi.post(
        "/cimi/volume_configurations",
        data=body,
        headers=json_headers,
        content_type="application/json",
    )
    assert _refused(response, "json") == "Bad request (malformed JSON)"


BAD_TEXT = ["a\x00b", "\x1b[31m", "tab\x7f", "c1\x85", "\ufffe", "\uffff", "\ud800"]


@pytest.mark.parametrize("text", BAD_TEXT, ids=[repr(t) for t in BAD_TEXT])
@pytest.mark.parametrize("where", ["name", "description", "property", "key"])
def test_control_and_non_characters_are_refused(
    cimi: FlaskClient, json_headers: dict[str, str], text: str, where: str
) -> None:
    path = "/cimi/volume_configurations"
    before = count(cimi, path, json_headers)
    body: dict[str, Any] = {"name": "ok", "capacity": 1}
    if where == "property":
        body["properties"] = {"k": text}
    elif where == "key":
        body["properties"] = {text: "v"}
    else:
        body[where] = text
    response = cimi.post(
        path,
        data=json.dumps(body),
        headers=json_headers,
        content_type="application/json",
    )
    message = _refused(response, "json")
    assert text not in message
    assert count(cimi, path, json_headers) == before
    edit = cimi.put(
        "/cimi/machines/inst0",
        data=json.dumps({"name": text}),
        headers=json_headers,
        content_type="application/json",
    )
    _refused(edit, "json")


@pytest.mark.parametrize("text", ["del\x7fx", "nel\x85x"])
def test_control_characters_refused_in_xml_too(
    cimi: FlaskClient, xml: dict[str, str], text: str
) -> None:
    body = f"<VolumeConfigurationCreate><name>{text}</name><capacity>1</capacity></VolumeConfigurationCreate>"
    _refused(post_xml(cimi, "/cimi/volume_configurations", body, xml), "xml")
    for entity in ("&#xFFFF;", "&#1;"):
        body = f"<VolumeConfigurationCreate><name>{entity}</name></VolumeConfigurationCreate>"
        _refused(post_xml(cimi, "/cimi/volume_configurations", body, xml), "xml")


def test_renderers_never_emit_invalid_documents(cimi_app: Flask) -> None:
    stored = {
        "id": f"{BASE}/machines/x",
        "name": "a\x00b\ud800c\uffff",
        "properties": {"k\x01": "v\x02"},
        "machineImage": {"href": "h\x03"},
    }
    with cimi_app.test_request_context("/cimi/machines/x"):
        document = to_xml(Entity("Machine", stored))
        text = json.dumps(to_json(Entity("Machine", stored)))
    root = SafeET.fromstring(document)
    assert root.findtext(f"{NS}name") == "a\ufffdb\ufffdc\ufffd"
    assert root.find(f"{NS}property").get("key") == "k\ufffd"
    data = json.loads(text)
    assert data["name"] == "a\ufffdb\ufffdc\ufffd"
    text.encode("utf-8")  # no lone surrogate left, even escaped
    assert "\\ud800" not in text


def test_filter_nesting_and_size_are_bounded(
    cimi: FlaskClient, json_headers: dict[str, str]
) -> None:
    def names(expression: str) -> Any:
        return cimi.get(
            "/cimi/machines", query_string={"$filter": expression}, headers=json_headers
        )

    nested = names("(" * 16 + "cpu=1" + ")" * 16)
    assert nested.status_code == 200, nested.get_data(as_text=True)
    _refused(names("(" * 17 + "cpu=1" + ")" * 17), "json")
    _refused(names("(" * 500 + "cpu=1" + ")" * 500), "json")
    _refused(names("name='" + "x" * 2000 + "'"), "json")
    huge_number = names("cpu<" + "9" * 1000)
    assert huge_number.status_code == 200
    many = cimi.get(
        "/cimi/machines?" + "&".join(["$filter=cpu=1"] * 17), headers=json_headers
    )
    _refused(many, "json")


def test_orderby_unknown_attributes_and_too_many_keys(
    cimi: FlaskClient, json_headers: dict[str, str]
) -> None:
    plain = cimi.get("/cimi/machines", headers=json_headers).get_json()
    unknown = cimi.get("/cimi/machines?$orderby=noSuchThing:desc", headers=json_headers)
    assert unknown.status_code == 200
    order = [machine["id"] for machine in plain["machines"]]
    assert [m["id"] for m in unknown.get_json()["machines"]] == order  # order kept
    many = ",".join(["name"] * 17)
    _refused(
        cimi.get(
            "/cimi/machines", query_string={"$orderby": many}, headers=json_headers
        ),
        "json",
    )


def test_odd_ids_are_not_found(cimi: FlaskClient, json_headers: dict[str, str]) -> None:
    for collection in ("machines", "volumes", "machine_templates", "systems"):
        for ident in ("%C3%A9", "%00", "%ED%A0%80", "a%0Ab", "%EF%BF%BF", "x" * 5000):
            response = cimi.get(f"/cimi/{collection}/{ident}", headers=json_headers)
            assert response.status_code == 404, (collection, ident)
            assert_error(response, 404, "json")


# -- issue 12: compatibility with the original's clients ---------------------------
TEMPLATE_CREATES = {
    "machine_templates": (
        "MachineTemplate",
        {
            "machineConfig": {"href": f"{BASE}/machine_configurations/m1-small"},
            "machineImage": IMAGE,
        },
    ),
    "volume_templates": (
        "VolumeTemplate",
        {"volumeConfig": {"href": f"{BASE}/volume_configurations/1"}},
    ),
    "volume_configurations": ("VolumeConfiguration", {"capacity": 1024}),
    "network_configurations": ("NetworkConfiguration", {"networkType": "PRIVATE"}),
    "address_templates": ("AddressTemplate", {"ip": "10.0.0.9"}),
    "credentials": (
        "Credential",
        {"credentialTemplate": {"username": "u", "password": "p"}},
    ),
}


@pytest.mark.parametrize("collection", sorted(TEMPLATE_CREATES))
def test_creates_accept_the_plain_resource_uri(
    cimi: FlaskClient,
    json_headers: dict[str, str],
    xml: dict[str, str],
    collection: str,
) -> None:
    type_name, body = TEMPLATE_CREATES[collection]
    path = f"/cimi/{collection}"
    if collection == "volume_templates":
        create(cimi, "/cimi/volume_configurations", {"capacity": 1}, json_headers)
    for uri in (type_name, type_name + "Create"):
        resource_uri = f"http://schemas.dmtf.org/cimi/1/{uri}"
        location = create(
            cimi, path, {"resourceURI": resource_uri, "name": uri, **body}, json_headers
        )
        assert location.startswith(f"{BASE}/{collection}/")
    wrong = {"resourceURI": "http://schemas.dmtf.org/cimi/1/Machine", **body}
    _refused(post_json(cimi, path, wrong, json_headers), "json")
    xml_body = (
        f'<{type_name} xmlns="http://schemas.dmtf.org/cimi/1" '
        f'resourceURI="http://schemas.dmtf.org/cimi/1/{type_name}"><name>x</name>'
        + "".join(
            f'<{key} href="{value["href"]}"/>'
            for key, value in body.items()
            if isinstance(value, dict) and "href" in value
        )
        + f"</{type_name}>"
    )
    if all(isinstance(v, dict) and "href" in v for v in body.values()):
        response = post_xml(cimi, path, xml_body, xml)
        assert response.status_code == 201, response.get_data(as_text=True)


def test_attaching_a_volume_again_answers_the_attachment(
    cimi: FlaskClient, xml: dict[str, str], json_headers: dict[str, str]
) -> None:
    body = f"""<MachineVolume><initialLocation>/dev/sdf</initialLocation>
      <volume href="{BASE}/volumes/vol1"/></MachineVolume>"""
    own = f"{BASE}/machines/inst0/volumes/vol1"
    assert create(cimi, "/cimi/machines/inst0/volume_attach", body, xml) == own
    for path in ("/cimi/machines/inst0/volume_attach", "/cimi/machines/inst0/volumes"):
        again = post_json(
            cimi,
            path,
            {"initialLocation": "/dev/sdg", "volume": {"href": f"{BASE}/volumes/vol1"}},
            json_headers,
        )
        assert again.status_code == 201, again.get_data(as_text=True)
        assert again.headers["Location"] == own
        assert again.get_json()["initialLocation"] == "/dev/sdf"
    listing = cimi.get("/cimi/machines/inst0/volumes", headers=json_headers).get_json()
    assert listing["count"] == 1
    elsewhere = post_xml(cimi, "/cimi/machines/inst1/volume_attach", body, xml)
    assert_error(elsewhere, 409)
    assert (
        parse_xml(cimi.get("/cimi/machines/inst0/volumes/vol1", headers=xml)).findtext(
            f"{NS}initialLocation"
        )
        == "/dev/sdf"
    )


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_oversized_bodies_are_refused_unread(
    cimi: FlaskClient, xml: dict[str, str], json_headers: dict[str, str], fmt: str
) -> None:
    headers = xml if fmt == "xml" else json_headers
    before = count(cimi, "/cimi/volume_configurations", headers)
    body = json.dumps({"name": "x" * (2 * 1024 * 1024), "capacity": 1})
    response = cimi.post(
        "/cimi/volume_configurations",
        data=body,
        headers=headers,
        content_type="application/json",
    )
    assert_error(response, 413, fmt)
    assert count(cimi, "/cimi/volume_configurations", headers) == before


@pytest.mark.parametrize(
    "header",
    ["X-Deltacloud-Driver", "X-Deltacloud-Provider"],
    ids=["driver", "provider"],
)
def test_error_documents_echo_no_raw_header_text(
    cimi: FlaskClient, xml: dict[str, str], header: str
) -> None:
    for value in ("\x01\x1b", "\u00e9\x7f", "x" * 5000):
        response = cimi.get("/cimi/machines/no-such", headers={**xml, header: value})
        assert_error(response, 404)  # parsed as XML: well-formed
        backend = parse_xml(response).find("backend")
        assert backend is not None
        assert all(len(shown) <= 64 * 4 for shown in backend.attrib.values())
        assert not any(c < " " for shown in backend.attrib.values() for c in shown)


@pytest.mark.parametrize(
    "quantity", [HUGE, int(HUGE[:4000]), 2.5, True, "\u00b2", "-1"]
)
def test_system_quantities_are_bounded_numbers(
    cimi: FlaskClient, json_headers: dict[str, str], quantity: Any
) -> None:
    before = count(cimi, "/cimi/system_templates", json_headers)
    template = {
        "name": "q",
        "componentDescriptors": [
            {
                "type": "http://schemas.dmtf.org/cimi/1/Machine",
                "machineTemplate": {
                    "machineConfig": {
                        "href": f"{BASE}/machine_configurations/m1-small"
                    },
                    "machineImage": IMAGE,
                },
                "quantity": quantity,
            }
        ],
    }
    response = post_json(cimi, "/cimi/system_templates", template, json_headers)
    assert "quantity" in _refused(response, "json")
    assert count(cimi, "/cimi/system_templates", json_headers) == before
