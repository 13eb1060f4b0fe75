"""Storage volumes and snapshots over the classic API, on the mock driver.

The first part replays the recorded volume and snapshot exchanges of the
original server (seqs 86-93, 144-145, 237-257) in order against one fresh
app; the rest checks attach/detach bookkeeping, bad input and HTML pages.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.helpers import assert_error
from tests.support.helpers import assert_replays
from tests.support.helpers import mock_wire
from tests.support.helpers import parse_xml
from tests.support.transcripts import Exchange
from tests.support.transcripts import WireSession
from tests.support.transcripts import load_transcripts

SEQS = [*range(86, 94), 144, 145, *range(237, 258)]
_PLAIN_400 = "a missing parameter is a 400 error document, not plain text"
DEVIATIONS = {
    244: (400, _PLAIN_400),
    251: (404, "destroying a missing volume is 404, not a silent 204"),
    257: (400, _PLAIN_400),
}

EXCHANGES = [e for e in load_transcripts("deltacloud") if e.seq in SEQS]


def comparable(document: Any) -> Any:
    """Capacity as a JSON number (the original mixed ``1`` and ``"1"``), the
    default name ``Volume<id>`` without its clock-based id, and no description
    (the original mock dropped it; the rewrite keeps it)."""
    if isinstance(document, dict):
        return {key: _comparable(key, value) for key, value in document.items()}
    if isinstance(document, list):
        return [comparable(item) for item in document]
    return document


def _comparable(key: str, value: Any) -> Any:
    if key == "capacity" and isinstance(value, str) and value.isdigit():
        return int(value)
    if key == "description":
        return None
    if key == "name" and isinstance(value, str) and value.startswith("Volumevolume_"):
        return "Volume<id>"
    return comparable(value)


@pytest.fixture(scope="module")
def wire(tmp_path_factory: pytest.TempPathFactory) -> WireSession:
    return mock_wire(tmp_path_factory.mktemp("mock"))


def test_transcripts_selected() -> None:
    assert len(EXCHANGES) == len(SEQS)


@pytest.mark.parametrize("exchange", EXCHANGES, ids=lambda e: e.id)
def test_wire(exchange: Exchange, wire: WireSession) -> None:
    assert_replays(wire, exchange, DEVIATIONS, focus=comparable)


def _create(client: FlaskClient, headers: dict[str, str], **form: str) -> str:
    response = client.post("/api/storage_volumes", data=form, headers=headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    return str(response.get_json()["storage_volume"]["id"])


def test_create_with_realm_name_and_description(
    client: FlaskClient, json_headers: dict[str, str]
) -> None:
    volume_id = _create(
        client,
        json_headers,
        capacity="5",
        realm_id="eu",
        name="data",
        description="scratch space",
    )
    volume = client.get(f"/api/storage_volumes/{volume_id}", headers=json_headers)
    data = volume.get_json()["storage_volume"]
    assert data["capacity"] == 5
    assert data["name"] == "data"
    assert data["description"] == "scratch space"
    assert data["realm"]["id"] == "eu"
    assert data["state"] == "AVAILABLE"


def test_ids_do_not_collide_within_a_second(
    client: FlaskClient, json_headers: dict[str, str]
) -> None:
    ids = {_create(client, json_headers) for _ in range(3)}
    assert len(ids) == 3


def test_state_filter(client: FlaskClient, xml: dict[str, str]) -> None:
    response = client.get("/api/storage_volumes?state=IN-USE", headers=xml)
    root = parse_xml(response)
    assert [v.get("id") for v in root.findall("storage_volume")] == ["vol3"]


def test_attach_detach_keeps_instance_in_sync(
    client: FlaskClient, xml: dict[str, str], json_headers: dict[str, str]
) -> None:
    attached = client.post(
        "/api/storage_volumes/vol1/attach",
        data={"instance_id": "inst0", "device": "/dev/sdf"},
        headers=xml,
    )
    assert attached.status_code == 202
    root = parse_xml(attached)
    assert root.findtext("state") == "IN-USE"
    assert root.find("mount/instance").get("id") == "inst0"
    instance = parse_xml(client.get("/api/instances/inst0", headers=xml))
    volume = instance.find("storage_volumes/storage_volume")
    assert (volume.get("id"), volume.get("device")) == ("vol1", "/dev/sdf")

    in_use = client.post(
        "/api/storage_volumes/vol1/attach",
        data={"instance_id": "inst1", "device": "/dev/sdg"},
        headers=xml,
    )
    assert "attached" in assert_error(in_use, 409)
    assert_error(client.delete("/api/storage_volumes/vol1", headers=xml), 409)

    detached = client.post("/api/storage_volumes/vol1/detach", headers=json_headers)
    assert detached.status_code == 202
    assert detached.get_json()["storage_volume"]["instance"] == {}
    instance_json = client.get("/api/instances/inst0", headers=json_headers)
    assert instance_json.get_json()["instance"]["storage_volumes"] == []
    again = client.post("/api/storage_volumes/vol1/detach", headers=json_headers)
    assert_error(again, 409, "json")


def test_destroying_instance_releases_volume(
    client: FlaskClient, xml: dict[str, str]
) -> None:
    client.post(
        "/api/storage_volumes/vol2/attach",
        data={"instance_id": "inst0", "device": "/dev/sdh"},
        headers=xml,
    )
    assert client.post("/api/instances/inst0/stop", headers=xml).status_code == 202
    assert client.delete("/api/instances/inst0", headers=xml).status_code == 204
    volume = parse_xml(client.get("/api/storage_volumes/vol2", headers=xml))
    assert volume.findtext("state") == "AVAILABLE"
    assert volume.find("mount") is None


@pytest.mark.parametrize(
    ("form", "status"),
    [
        ({"instance_id": "nosuch", "device": "/dev/sdc"}, 404),
        ({"instance_id": "inst0", "device": "/dev/sdc; rm"}, 400),
        ({"instance_id": "inst0"}, 400),
    ],
)
def test_attach_refused(
    client: FlaskClient, xml: dict[str, str], form: dict[str, str], status: int
) -> None:
    response = client.post("/api/storage_volumes/vol1/attach", data=form, headers=xml)
    assert_error(response, status)
    volume = parse_xml(client.get("/api/storage_volumes/vol1", headers=xml))
    assert volume.findtext("state") == "AVAILABLE"


@pytest.mark.parametrize(
    "form",
    [
        {"capacity": "lots"},
        {"capacity": "0"},
        {"realm_id": "mars"},
        {"snapshot_id": "x"},
    ],
)
def test_create_refuses_bad_values(
    client: FlaskClient, json_headers: dict[str, str], form: dict[str, str]
) -> None:
    response = client.post("/api/storage_volumes", data=form, headers=json_headers)
    assert_error(response, 400, "json")


def test_hostile_ids(
    client: FlaskClient, xml: dict[str, str], json_headers: dict[str, str]
) -> None:
    assert_error(client.get("/api/storage_volumes/..", headers=xml), 404)
    assert_error(client.delete("/api/storage_volumes/a..b", headers=xml), 400)
    response = client.delete("/api/storage_snapshots/%00x", headers=json_headers)
    assert_error(response, 400, "json")


def test_snapshot_lifecycle(client: FlaskClient, json_headers: dict[str, str]) -> None:
    created = client.post(
        "/api/storage_snapshots",
        data={"volume_id": "vol2", "name": "nightly"},
        headers=json_headers,
    )
    assert created.status_code == 201
    snapshot = created.get_json()["storage_snapshot"]
    assert created.headers["Location"].endswith(f"/storage_snapshots/{snapshot['id']}")
    assert snapshot["storage_volume"]["id"] == "vol2"
    assert snapshot["state"] == "COMPLETED"
    url = f"/api/storage_snapshots/{snapshot['id']}"
    assert client.delete(url, headers=json_headers).status_code == 204
    assert_error(client.get(url, headers=json_headers), 404, "json")
    assert_error(client.delete(url, headers=json_headers), 404, "json")
    missing = client.post(
        "/api/storage_snapshots", data={"volume_id": "nosuch"}, headers=json_headers
    )
    assert_error(missing, 404, "json")


def test_requires_credentials(client: FlaskClient) -> None:
    response = client.get("/api/storage_volumes", headers={"Accept": "application/xml"})
    assert_error(response, 401)


def test_html_pages(client: FlaskClient, auth: dict[str, str]) -> None:
    html = {**auth, "Accept": "text/html"}
    for path in (
        "/api/storage_volumes",
        "/api/storage_volumes/vol3",
        "/api/storage_volumes/new",
        "/api/storage_volumes/vol1/attach_instance",
        "/api/storage_snapshots",
        "/api/storage_snapshots/snap1",
        "/api/storage_snapshots/new?volume_id=vol1",
    ):
        response = client.get(path, headers=html)
        assert response.status_code == 200, path
        assert response.content_type == "text/html"
    created = client.post("/api/storage_volumes", data={"name": "web"}, headers=html)
    assert created.status_code == 303


def test_app_fixture_is_fresh(app: Flask) -> None:
    assert app.config["MOCK_STORAGE"]
