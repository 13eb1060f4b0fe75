"""Input the classic API must refuse or accept: JSON bodies, nameless multipart
parts, huge numbers, unprintable text, driver and provider names, attach
devices; answered with 4xx error documents, never a 500."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from deltaflask import create_app
from deltaflask.drivers import Credentials
from deltaflask.drivers import VolumeCreate
from deltaflask.errors import ValidationFailure
from deltaflask.plugins.mock.driver import MockDriver
from deltaflask.state import state
from tests.support.helpers import assert_error
from tests.support.helpers import parse_xml
from tests.support.html import BROWSER
from tests.support.html import token_from
from tests.support.plugins import Ghost

#: a seeded id for each route variable, so a POST reaches its view
SAMPLE_IDS = {
    "driver_id": "mock",
    "instance_id": "inst0",
    "volume_id": "vol1",
    "bucket_id": "bucket1",
    "blob_id": "blob1",
    "rest": "a/b",
    "address_id": "192.168.0.1",
    "firewall_id": "default",
    "balancer_id": "lb1",
}
NAMELESS_PART = (
    b"--XX\r\nContent-Disposition: form-data\r\n\r\nhello\r\n"
    b'--XX\r\nContent-Disposition: form-data; name="name"\r\n\r\nkept\r\n--XX--\r\n'
)
EXCEPTION_NAMES = re.compile(r"\b[A-Z]\w*(Error|Exception)\b")


def post_routes(app: Flask) -> list[str]:
    """Every POST route of ``/api`` (from the URL map), with sample ids."""
    paths = []
    for rule in app.url_map.iter_rules():
        if "POST" not in (rule.methods or ()) or not rule.rule.startswith("/api"):
            continue
        path = re.sub(r"<any\(([^,)]+)[^>]*>", r"\1", rule.rule)
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: SAMPLE_IDS[m.group(1)], path)
        paths.append(path)
    return paths


#: the POST routes of /api (routes do not depend on the mock's storage)
POST_ROUTES = post_routes(create_app({"TESTING": True, "MOCK_STORAGE": "unused"}))


def test_every_post_route_is_covered() -> None:
    assert len(POST_ROUTES) >= 17


@pytest.mark.parametrize("path", POST_ROUTES)
def test_a_multipart_part_without_a_name_is_ignored(
    client: FlaskClient, xml: dict[str, str], path: str
) -> None:
    headers = {**xml, "Content-Type": "multipart/form-data; boundary=XX"}
    answer = client.post(path, data=NAMELESS_PART, headers=headers)
    assert answer.status_code < 500, answer.get_data(as_text=True)
    assert "Traceback" not in answer.get_data(as_text=True)


def test_a_nameless_part_is_not_a_parameter(
    client: FlaskClient, xml: dict[str, str]
) -> None:
    headers = {**xml, "Content-Type": "multipart/form-data; boundary=XX"}
    refused = client.post("/api/instances", data=NAMELESS_PART, headers=headers)
    assert "'image_id' not found in [name]" in assert_error(refused, 400)


# JSON bodies ---------------------------------------------------------------------
def test_a_json_object_body_counts_as_form_fields(
    client: FlaskClient, json_headers: dict[str, str]
) -> None:
    made = client.post(
        "/api/instances",
        json={"image_id": "img1", "hwp_id": "m1-small", "name": "from-json"},
        headers=json_headers,
    )
    assert made.status_code == 201, made.get_data(as_text=True)
    assert made.get_json()["instance"]["name"] == "from-json"
    key = client.post("/api/keys", json={"name": "jsonkey"}, headers=json_headers)
    assert key.status_code == 201
    volume = client.post(
        "/api/storage_volumes", json={"capacity": 2}, headers=json_headers
    )
    assert volume.get_json()["storage_volume"]["capacity"] == 2


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "not well-formed JSON"),
        (b"[1, 2]", "must be an object"),
        (b'"image_id"', "must be an object"),
        (b'{"image_id": ["img1"]}', "must be a string, a number or true/false"),
        (b'{"image_id": {"id": "img1"}}', "must be a string, a number or true/false"),
        (b'{"image_id": 1' + b"0" * 5000 + b"}", "not well-formed JSON"),
        (b"[" * 100000, "not well-formed JSON"),
    ],
    ids=["malformed", "array", "string", "list-value", "object-value", "huge", "deep"],
)
def test_a_bad_json_body_is_a_400_document(
    client: FlaskClient, json_headers: dict[str, str], body: bytes, message: str
) -> None:
    before = client.get("/api/instances", headers=json_headers).get_json()
    answer = client.post(
        "/api/instances",
        data=body,
        headers={**json_headers, "Content-Type": "application/json"},
    )
    text = assert_error(answer, 400, "json")
    assert message in text
    assert not EXCEPTION_NAMES.search(text)
    assert client.get("/api/instances", headers=json_headers).get_json() == before


def test_a_json_body_over_the_form_cap_is_a_413_even_on_upload_routes(
    app: Flask, client: FlaskClient, json_headers: dict[str, str]
) -> None:
    cap = app.config["MAX_FORM_BYTES"]
    body = json.dumps({"blob_id": "big", "blob_data": "x" * cap}).encode()
    answer = client.post(
        "/api/buckets/bucket1",
        data=body,
        headers={**json_headers, "Content-Type": "application/json"},
    )
    assert_error(answer, 413, "json")
    assert (
        client.get("/api/buckets/bucket1/big", headers=json_headers).status_code == 404
    )


# formats and drivers ---------------------------------------------------------------
@pytest.mark.parametrize(
    "choose",
    [
        {"headers": {"X-Deltacloud-Driver": "nope"}},
        {"path": "/api;driver=nope/realms"},
        {"path": "/api/realms?api[driver]=nope"},
    ],
    ids=["header", "matrix", "parameter"],
)
def test_an_unknown_driver_lists_the_drivers(
    client: FlaskClient, xml: dict[str, str], choose: dict
) -> None:
    path = choose.get("path", "/api/realms")
    answer = client.get(path, headers={**xml, **choose.get("headers", {})})
    message = assert_error(answer, 404)
    assert "Driver 'nope' is not available" in message
    installed = sorted(state(client.application).registry.drivers)
    assert {"ec2", "mock"} <= set(installed)
    assert f"the drivers of this server: {', '.join(installed)};" in message


def test_a_broken_driver_names_no_python_exception(mock_storage: Path) -> None:
    app = create_app(
        {"TESTING": True, "MOCK_STORAGE": str(mock_storage), "EXTRA_PLUGINS": [Ghost()]}
    )
    answer = app.test_client().get(
        "/api/realms", headers={"X-Deltacloud-Driver": "ghost"}
    )
    message = assert_error(answer, 404)
    assert "Driver 'ghost' is not available" in message
    installed = sorted(state(app).registry.drivers)
    assert "ghost" in installed
    assert f"the drivers of this server: {', '.join(installed)};" in message
    assert not EXCEPTION_NAMES.search(message)


# whole numbers ---------------------------------------------------------------------
HUGE = "9" * 5000


@pytest.mark.parametrize(
    ("path", "params", "name"),
    [
        ("/api/storage_volumes", {"capacity": HUGE}, "capacity"),
        ("/api/instances", {"image_id": "img1", "hwp_memory": HUGE}, "hwp_memory"),
        ("/api/instances", {"image_id": "img1", "hwp_cpu": HUGE}, "hwp_cpu"),
        ("/api/instances", {"image_id": "img1", "instance_count": HUGE}, "count"),
        ("/api/instances/inst0/run", {"cmd": "uptime", "port": HUGE}, "port"),
        (
            "/api/buckets/bucket1",
            {"blob_id": "b", "blob_data": "x", "meta_params": HUGE},
            "meta_params",
        ),
        ("/api/firewalls/default/rules", {"port_from": HUGE, "port_to": "2"}, "port"),
    ],
    ids=lambda value: value if isinstance(value, str) and len(value) < 40 else "",
)
def test_a_number_of_thousands_of_digits_is_a_400(
    client: FlaskClient, xml: dict[str, str], path: str, params: dict, name: str
) -> None:
    answer = client.post(path, data=params, headers=xml)
    assert name in assert_error(answer, 400)


def test_the_mock_refuses_a_huge_capacity_from_any_frontend(mock_storage: Path) -> None:
    driver = MockDriver(
        Credentials("mockuser", "mockpassword"), None, {"MOCK_STORAGE": mock_storage}
    )
    with pytest.raises(ValidationFailure, match="capacity"):
        driver.create_storage_volume(VolumeCreate(capacity=HUGE))


def test_a_huge_segment_order_is_a_400(client: FlaskClient, xml: dict) -> None:
    started = client.put(
        "/api/buckets/bucket1/big",
        headers={**xml, "X-Deltacloud-BlobType": "segmented"},
    )
    upload = started.headers["X-Deltacloud-SegmentedBlob"]
    answer = client.put(
        "/api/buckets/bucket1/big",
        data=b"x",
        headers={
            **xml,
            "X-Deltacloud-SegmentedBlob": upload,
            "X-Deltacloud-SegmentOrder": HUGE,
        },
    )
    assert "SegmentOrder" in assert_error(answer, 400)
    finished = client.put(
        "/api/buckets/bucket1/big",
        data=f"1={HUGE[:40]}, {HUGE}=x".encode(),
        headers={**xml, "X-Deltacloud-SegmentedBlob": upload},
    )
    assert_error(finished, 400)


# text no document can carry --------------------------------------------------------
@pytest.mark.parametrize(
    "name", ["a\x00b", "tab\x0bbed", "del\x7f", "c1\x85", "\ufffe", "\uffff"]
)
def test_unprintable_text_is_refused_on_input(
    client: FlaskClient, json_headers: dict[str, str], name: str
) -> None:
    before = client.get("/api/keys", headers=json_headers).get_json()
    for send in ({"data": {"name": name}}, {"json": {"name": name}}):
        answer = client.post("/api/keys", headers=json_headers, **send)
        message = assert_error(answer, 400, "json")
        assert "Parameter 'name'" in message and name not in message
    assert client.get("/api/keys", headers=json_headers).get_json() == before


def test_a_lone_surrogate_in_json_is_refused(
    client: FlaskClient, json_headers: dict[str, str]
) -> None:
    answer = client.post(
        "/api/keys",
        data=b'{"name": "x\\ud800"}',
        headers={**json_headers, "Content-Type": "application/json"},
    )
    assert "Parameter 'name'" in assert_error(answer, 400, "json")
    bad_name = client.post(
        "/api/keys",
        data=b'{"\\u0000": "x"}',
        headers={**json_headers, "Content-Type": "application/json"},
    )
    assert "A parameter name" in assert_error(bad_name, 400, "json")


@pytest.mark.parametrize(
    "path", ["/api/instances/in%00st", "/api/realms?id=%01", "/api/realms;id=%02"]
)
def test_control_characters_in_paths_and_queries_are_refused(
    client: FlaskClient, xml: dict[str, str], path: str
) -> None:
    message = assert_error(client.get(path, headers=xml), 400)
    assert "control character" in message


def test_stored_text_never_breaks_a_document(
    client: FlaskClient, mock_storage: Path, auth: dict[str, str]
) -> None:
    """What a back end already holds is rendered as valid XML, JSON and HTML."""
    client.get("/api/instances", headers=auth)  # seeds the mock cloud
    stored = mock_storage / "instances" / "inst0.json"
    data = json.loads(stored.read_text())
    stored.write_text(
        json.dumps(data).replace('"name": "', '"name": "\\u0000\\ud800\\uffff', 1)
    )
    listing = client.get("/api/instances", headers={**auth, "Accept": "text/xml"})
    assert listing.status_code == 200
    names = [e.findtext("name") for e in parse_xml(listing).iter("instance")]
    assert any("\ufffd" in (name or "") for name in names)
    as_json = client.get("/api/instances?format=json", headers=auth)
    assert "\\ud800" not in as_json.get_data(as_text=True)
    json.loads(as_json.get_data(as_text=True))
    html = client.get("/api/instances?format=html", headers=auth)
    assert html.status_code == 200 and "\x00" not in html.get_data(as_text=True)


# attach with an empty device (the Ruby client's default) ---------------------------
def test_attach_with_an_empty_device_lets_the_driver_choose(
    client: FlaskClient, json_headers: dict[str, str]
) -> None:
    chosen = []
    for _ in range(2):
        volume_id = client.post(
            "/api/storage_volumes", data={"capacity": "1"}, headers=json_headers
        ).get_json()["storage_volume"]["id"]
        attached = client.post(
            f"/api/storage_volumes/{volume_id}/attach?instance_id=inst1&device",
            headers=json_headers,
        )
        assert attached.status_code == 202, attached.get_data(as_text=True)
        chosen.append(attached.get_json()["storage_volume"]["device"])
    assert chosen == ["/dev/sdb", "/dev/sdc"]
    xml = {**json_headers, "Accept": "application/xml"}
    instance = parse_xml(client.get("/api/instances/inst1", headers=xml))
    devices = {volume.get("device") for volume in instance.iter("storage_volume")}
    assert devices >= set(chosen)


def test_attach_without_a_device_parameter_is_still_a_400(
    client: FlaskClient, xml: dict[str, str]
) -> None:
    answer = client.post(
        "/api/storage_volumes/vol1/attach?instance_id=inst1", headers=xml
    )
    assert "'device' not found" in assert_error(answer, 400)


def test_the_attach_form_may_leave_the_device_empty(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    browser = {**auth, **BROWSER}
    volume_id = (
        client.post("/api/storage_volumes", data={"capacity": "1"}, headers=auth)
        .headers["Location"]
        .rsplit("/", 1)[1]
    )
    form = f"/api/storage_volumes/{volume_id}/attach_instance"
    token = token_from(client, form, browser)
    answer = client.post(
        f"/api/storage_volumes/{volume_id}/attach",
        data={"instance_id": "inst0", "device": "", "_csrf_token": token},
        headers=browser,
    )
    assert answer.status_code == 303
    shown = client.get(f"/api/storage_volumes/{volume_id}?format=json", headers=auth)
    assert shown.get_json()["storage_volume"]["device"] == "/dev/sdb"
