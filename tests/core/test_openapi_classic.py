"""/api/openapi.json against the live classic API over the mock cloud: every
JSON answer of every GET route validates, every operation documents its
answers, and a create through each documented request body (as a form and
as a JSON object) is accepted, refused without a required field, and
answers as documented."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.support.openapi import Document
from tests.support.openapi import answer_schema
from tests.support.openapi import check
from tests.support.openapi import error_schema
from tests.support.openapi import fetch
from tests.support.openapi import json_answers
from tests.support.openapi import request_schema

FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
JSON = "application/json"
VARIABLE = re.compile(r"\{[^}]+\}")


@pytest.fixture
def api_doc(cimi: FlaskClient) -> Document:
    return fetch(cimi, "/api/openapi.json")


def first_id(body: Any) -> str:
    """The id of the first member of the first list of members in ``body``;
    for a mapping of members by id (the drivers), its first key."""
    stack = [body]
    while stack:
        value = stack.pop(0)
        members = isinstance(value, list) and value and isinstance(value[0], dict)
        if members and "id" in value[0]:
            return str(value[0]["id"])
        if isinstance(value, dict):
            stack.extend(value.values())
        if isinstance(value, list):
            stack.extend(value)
    assert isinstance(body, dict) and body, body
    return next(iter(body))


def concrete(client: FlaskClient, path: str, headers: dict[str, str]) -> str:
    """``path`` with each variable the id of a member listed at the path before it."""
    while match := VARIABLE.search(path):
        parent = path[: match.start()].rstrip("/")
        listing = client.get(parent, headers=headers)
        assert listing.status_code == 200, (parent, listing.data)
        path = (
            path[: match.start()] + first_id(listing.get_json()) + path[match.end() :]
        )
    return path


def test_every_get_answer_validates(
    cimi: FlaskClient, api_doc: Document, json_headers: dict[str, str]
) -> None:
    """Each GET route answering JSON, with real ids, validates against the
    schema of the status it answers with."""
    checked = []
    for path, statuses in json_answers(api_doc).items():
        url = concrete(cimi, path, json_headers)
        response = cimi.get(url, headers=json_headers)
        assert response.status_code in statuses, (url, response.status_code)
        assert response.mimetype == JSON, url
        check(
            answer_schema(api_doc, path, "get", response.status_code),
            response.get_json(),
        )
        checked.append(path)
    for collection in (
        "buckets", "drivers", "firewalls", "hardware_profiles", "images", "instances",
        "keys", "load_balancers", "metrics", "network_interfaces", "networks",
        "realms", "storage_snapshots", "storage_volumes", "subnets", "addresses",
    ):  # fmt: skip
        member = [p for p in checked if p.startswith(f"/api/{collection}/{{")]
        assert f"/api/{collection}" in checked and member, collection
    assert "/api/buckets/{bucket_id}/{blob_id}" in checked
    assert "/api/instance_states" in checked


def test_every_operation_documents_its_answers(api_doc: Document) -> None:
    for path, item in api_doc["paths"].items():
        for method, operation in item.items():
            answers = operation["responses"]
            assert "default" in answers, (path, method)
            success = [s for s in answers if s != "default"]
            if operation["operationId"].startswith("api.blobs_bad_name"):
                assert not success  # only ever refuses
                continue
            assert success, (path, method)
            for status in success:
                for media, content in answers[status].get("content", {}).items():
                    assert media != JSON or content["schema"], (path, method, status)
            if operation["operationId"].endswith("_create.post") and path not in (
                "/api/addresses",  # allocates an address: reads nothing
            ):
                content = operation["requestBody"]["content"]
                assert {FORM, MULTIPART, JSON} <= set(content), path


#: POST path -> a body that succeeds on the mock cloud
CREATES: dict[str, dict[str, str]] = {
    "/api/keys": {"name": "described-key"},
    "/api/storage_volumes": {"capacity": "2", "realm_id": "us", "name": "described"},
    "/api/storage_snapshots": {"volume_id": "vol1", "name": "described"},
    "/api/images": {"instance_id": "inst0", "name": "described"},
    "/api/instances": {
        "image_id": "img1",
        "hwp_id": "m1-small",
        "realm_id": "us",
        "name": "described",
        "instance_count": "1",
    },
    "/api/firewalls": {"name": "described", "description": "made from the document"},
    "/api/firewalls/{firewall_id}/rules": {
        "protocol": "tcp",
        "port_from": "8080",
        "port_to": "8081",
        "ip_address1": "10.0.0.0/8",
    },
    "/api/buckets": {"name": "described"},
    "/api/buckets/{bucket_id}": {"blob_id": "described", "blob_data": "hello"},
    "/api/load_balancers": {
        "name": "described",
        "realm_id": "us",
        "listener_protocol": "HTTP",
        "listener_balancer_port": "80",
        "listener_instance_port": "8080",
    },
    "/api/networks": {"name": "described", "address_block": "10.9.0.0/16"},
    "/api/subnets": {"network_id": "net1", "address_block": "192.168.7.0/24"},
    "/api/network_interfaces": {"instance": "inst0", "network": "subnet1"},
    "/api/addresses/{address_id}/associate": {"instance_id": "inst0"},
    "/api/load_balancers/{balancer_id}/{action}": {"instance_id": "inst2"},
    "/api/storage_volumes/{volume_id}/attach": {"instance_id": "inst0", "device": ""},
}
#: path variables of the bodies above
IDS = {
    "firewall_id": "default",
    "bucket_id": "bucket1",
    "address_id": "192.168.0.1",
    "balancer_id": "lb1",
    "action": "register",
    "volume_id": "vol2",
}


def documented_fields(schema: Document) -> set[str]:
    return set(schema.get("properties", {}))


@pytest.mark.parametrize("media", [FORM, JSON])
@pytest.mark.parametrize("path", sorted(CREATES))
def test_a_create_through_the_documented_body_succeeds(
    cimi: FlaskClient,
    api_doc: Document,
    json_headers: dict[str, str],
    path: str,
    media: str,
) -> None:
    body = CREATES[path]
    schema = request_schema(api_doc, path, "post", media)
    check(schema, body)
    patterns = schema.get("patternProperties", {})
    for name in body:  # each field sent is one the view reads
        assert name in documented_fields(schema) or any(
            re.search(p, name) for p in patterns
        ), (path, name)
    url = VARIABLE.sub(lambda m: IDS[m.group()[1:-1]], path)
    response = post(cimi, url, body, media, json_headers)
    statuses = [
        int(s) for s in api_doc["paths"][path]["post"]["responses"] if s != "default"
    ]
    assert response.status_code in statuses, (response.status_code, response.data)
    if response.data:
        answer = answer_schema(api_doc, path, "post", response.status_code)
        check(answer, response.get_json())
        created = next(iter(response.get_json().values()))
        if "name" in body and isinstance(created, dict) and "name" in created:
            assert created["name"] == body["name"]  # the view read the field


@pytest.mark.parametrize("path", sorted(CREATES))
def test_a_body_without_a_documented_required_field_is_refused(
    cimi: FlaskClient, api_doc: Document, json_headers: dict[str, str], path: str
) -> None:
    """The required fields are the ones the view requires: leaving any out
    is a 400 (an error document as documented), and nothing is created."""
    schema = request_schema(api_doc, path, "post", FORM)
    url = VARIABLE.sub(lambda m: IDS[m.group()[1:-1]], path)
    for name in schema.get("required", []):
        body = {k: v for k, v in CREATES[path].items() if k != name}
        response = post(cimi, url, body, FORM, json_headers)
        assert response.status_code == 400, (path, name, response.data)
        check(error_schema(api_doc, path, "post"), response.get_json())
        assert name in response.get_json()["message"]


def test_a_blob_uploads_as_the_documented_multipart_file(
    cimi: FlaskClient, api_doc: Document, json_headers: dict[str, str]
) -> None:
    content = api_doc["paths"]["/api/buckets/{bucket_id}"]["post"]["requestBody"][
        "content"
    ]
    assert content[MULTIPART]["encoding"]["blob_data"]["contentType"]
    response = cimi.post(
        "/api/buckets/bucket1",
        data={"blob_id": "uploaded", "blob_data": (io.BytesIO(b"bytes"), "a.bin")},
        headers=json_headers,
        content_type=MULTIPART,
    )
    assert response.status_code == 201, response.data
    check(
        answer_schema(api_doc, "/api/buckets/{bucket_id}", "post", 201),
        response.get_json(),
    )
    assert response.get_json()["blob"]["content_length"] == 5


def test_numbers_are_described_with_their_bounds(api_doc: Document) -> None:
    """A field the view reads as a bounded whole number says so; a value the
    view refuses breaks the schema."""
    schema = request_schema(api_doc, "/api/instances/{instance_id}/run", "post")
    port = schema["properties"]["port"]
    assert (port["minimum"], port["maximum"]) == (1, 65535)
    check(schema, {"cmd": "uptime", "port": 22})
    check(schema, {"cmd": "uptime", "port": "22"})
    for bad in ({"cmd": "uptime", "port": 70000}, {"cmd": "uptime", "port": "x"}, {}):
        with pytest.raises(AssertionError):
            check(schema, bad)


def post(
    client: FlaskClient,
    url: str,
    body: dict[str, str],
    media: str,
    headers: dict[str, str],
) -> Any:
    if media == JSON:
        return client.post(url, json=body, headers=headers)
    return client.post(url, data=body, headers=headers, content_type=media)


def named_parameters(
    document: Document, path: str, method: str
) -> set[tuple[str, str]]:
    parameters = document["paths"][path][method].get("parameters", [])
    return {(p["in"], p["name"]) for p in parameters if p["in"] != "path"}


def test_filters_and_headers_the_views_read_are_parameters(
    cimi: FlaskClient, api_doc: Document, json_headers: dict[str, str]
) -> None:
    assert {("query", "state"), ("query", "realm_id")} <= named_parameters(
        api_doc, "/api/instances", "get"
    )
    assert ("query", "architecture") in named_parameters(
        api_doc, "/api/hardware_profiles", "get"
    )
    assert {
        ("header", "X-Deltacloud-SegmentedBlob"),
        ("header", "X-Deltacloud-SegmentOrder"),
    } <= named_parameters(api_doc, "/api/buckets/{bucket_id}/{blob_id}", "put")
    for query, count in (("state=RUNNING", 4), ("state=RUNNING&realm_id=nowhere", 0)):
        response = cimi.get(f"/api/instances?{query}", headers=json_headers)
        assert response.status_code == 200
        assert len(response.get_json()["instances"]) == count, query
    check(answer_schema(api_doc, "/api/instances", "get", 200), response.get_json())
