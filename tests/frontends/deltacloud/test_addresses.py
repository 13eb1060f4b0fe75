"""Elastic addresses on /api: allocate, associate, disassociate, release."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from deltaflask import create_app
from tests.support.helpers import assert_error
from tests.support.helpers import parse_xml
from tests.support.transcripts import Exchange
from tests.support.transcripts import IdMap
from tests.support.transcripts import check_deviation
from tests.support.transcripts import compare
from tests.support.transcripts import load_transcripts
from tests.support.transcripts import replay

WIRE_SEQS = [102, 103, 104, 105, 151, *range(258, 262), *range(263, 270), 271, 272, 273]
#: seq -> status: an address (not) in use is a 403 error document (spec 9.4), not a
#: 500; a missing instance_id is a 400 error document, not plain text
WIRE_DEVIATIONS: dict[int, int] = {263: 403, 264: 403, 265: 400, 267: 403}

EXCHANGES = [e for e in load_transcripts("deltacloud") if e.seq in WIRE_SEQS]


@pytest.fixture(scope="module")
def wire_client(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    storage = tmp_path_factory.mktemp("mock")
    app: Flask = create_app({"TESTING": True, "MOCK_STORAGE": str(storage)})
    return app.test_client()


def test_wire_exchanges_found() -> None:
    assert len(EXCHANGES) == len(WIRE_SEQS)


@pytest.mark.parametrize("exchange", EXCHANGES, ids=lambda e: e.id)
def test_wire(exchange: Exchange, wire_client: FlaskClient) -> None:
    response = replay(wire_client, exchange, IdMap())
    if exchange.seq in WIRE_DEVIATIONS:
        diffs = check_deviation(exchange, response, WIRE_DEVIATIONS[exchange.seq])
    else:
        diffs = compare(exchange, response)
    assert not diffs, f"{exchange.seq} {exchange.title}: {diffs}"


def _public(client, headers, instance_id):
    data = client.get(f"/api/instances/{instance_id}", headers=headers).get_json()
    return data["instance"]["public_addresses"]


def test_associate_changes_public_address_and_back(client, json_headers, xml):
    created = client.post("/api/addresses", headers=json_headers)
    assert created.status_code == 201
    ip = created.get_json()["address"]["id"]
    assert ip == "192.168.0.5"
    assert created.headers["Location"].endswith(f"/api/addresses/{ip}")
    response = client.post(
        f"/api/addresses/{ip}/associate", data={"instance_id": "inst2"}, headers=xml
    )
    assert response.status_code == 202 and response.data == b""
    assert _public(client, json_headers, "inst2") == [{"address": ip, "type": "ipv4"}]
    shown = client.get(f"/api/addresses/{ip}", headers=json_headers).get_json()
    assert shown["address"] == {
        "id": ip,
        "href": f"http://localhost/api/addresses/{ip}",
        "associated": True,
        "instance_id": "inst2",
    }
    root = parse_xml(client.get(f"/api/addresses/{ip}", headers=xml))
    assert root.find("instance").get("id") == "inst2"
    assert [link.get("rel") for link in root.iter("link")] == [
        "destroy",
        "disassociate",
    ]
    assert (
        client.post(f"/api/addresses/{ip}/disassociate", headers=xml).status_code == 202
    )
    assert _public(client, json_headers, "inst2") == [
        {"address": "img1.inst2.public.com", "type": "hostname"}
    ]
    assert client.delete(f"/api/addresses/{ip}", headers=xml).status_code == 204
    assert_error(client.get(f"/api/addresses/{ip}", headers=xml), 404)


def test_address_in_use_is_refused(client, xml, json_headers):
    client.post(
        "/api/addresses/192.168.0.1/associate",
        data={"instance_id": "inst0"},
        headers=xml,
    )
    again = client.post(
        "/api/addresses/192.168.0.1/associate",
        data={"instance_id": "inst1"},
        headers=xml,
    )
    assert "already associated" in assert_error(again, 403)
    assert_error(
        client.delete("/api/addresses/192.168.0.1", headers=json_headers), 403, "json"
    )
    second = client.post(
        "/api/addresses/192.168.0.2/associate",
        data={"instance_id": "inst0"},
        headers=xml,
    )
    assert "already has address" in assert_error(second, 409)
    assert _public(client, json_headers, "inst1")[0]["type"] == "hostname"
    listed = client.get("/api/addresses", headers=json_headers).get_json()["addresses"]
    assert [a["associated"] for a in listed] == [True, False, False, False]


def test_bad_association_requests(client, xml, json_headers):
    missing = client.post(
        "/api/addresses/192.168.0.1/associate",
        data={"instance_id": "nosuch"},
        headers=xml,
    )
    assert "nosuch" in assert_error(missing, 400)
    assert_error(client.post("/api/addresses/192.168.0.1/associate", headers=xml), 400)
    assert_error(
        client.post("/api/addresses/192.168.0.1/disassociate", headers=json_headers),
        403,
        "json",
    )
    assert_error(
        client.post(
            "/api/addresses/10.9.9.9/associate",
            data={"instance_id": "inst0"},
            headers=xml,
        ),
        404,
    )
    shown = client.get("/api/addresses/192.168.0.1", headers=json_headers).get_json()
    assert shown["address"]["associated"] is False


def test_destroyed_instance_releases_its_address(client, xml, json_headers):
    created = client.post(
        "/api/instances", data={"image_id": "img1"}, headers=json_headers
    )
    instance_id = created.get_json()["instance"]["id"]
    client.post(
        "/api/addresses/192.168.0.3/associate",
        data={"instance_id": instance_id},
        headers=xml,
    )
    client.post(f"/api/instances/{instance_id}/stop", headers=xml)
    assert (
        client.delete(f"/api/instances/{instance_id}", headers=xml).status_code == 204
    )
    shown = client.get("/api/addresses/192.168.0.3", headers=json_headers).get_json()
    assert shown["address"]["associated"] is False


def test_html_pages(client, auth):
    html = {**auth, "Accept": "text/html"}
    assert client.get("/api/addresses", headers=html).status_code == 200
    form = client.get("/api/addresses/192.168.0.1/associate", headers=html)
    assert form.status_code == 200 and b"inst0" in form.data
    response = client.post(
        "/api/addresses/192.168.0.1/associate",
        data={"instance_id": "inst0"},
        headers=html,
    )
    assert response.status_code == 303
