"""/cimi/openapi.json against the live CIMI frontend over the mock cloud:
every JSON answer of every GET route validates against its type's schema,
and each type's schema names its resourceURI."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.support.cimi import BASE
from tests.support.openapi import Document
from tests.support.openapi import answer_schema
from tests.support.openapi import check
from tests.support.openapi import fetch
from tests.support.openapi import json_answers
from tests.support.openapi import problems
from tests.support.openapi import request_schema
from tests.support.openapi import resolvable

VARIABLE = re.compile(r"\{[^}]+\}")
#: path variables that are not the id of a listed member
NAMED = {"sub": "machines"}


@pytest.fixture
def cimi_doc(cimi: FlaskClient) -> Document:
    return fetch(cimi, "/cimi/openapi.json")


def first_member(body: Any) -> str | None:
    """The last segment of the first member's id in a collection's JSON."""
    for value in body.values():
        members = isinstance(value, list) and value and isinstance(value[0], dict)
        if members and "id" in value[0]:
            return str(value[0]["id"]).rstrip("/").rsplit("/", 1)[-1]
    return None


def concrete(client: FlaskClient, path: str, headers: dict[str, str]) -> str | None:
    """``path`` with each variable a listed member's id (None when the
    collection before it is empty on the mock cloud)."""
    while match := VARIABLE.search(path):
        name = match.group()[1:-1]
        value = NAMED.get(name)
        if value is None:
            parent = path[: match.start()].rstrip("/")
            listing = client.get(parent, headers=headers)
            assert listing.status_code == 200, (parent, listing.data)
            value = first_member(listing.get_json())
            if value is None:
                return None
        path = path[: match.start()] + value + path[match.end() :]
    return path


def create(
    client: FlaskClient,
    document: Document,
    path: str,
    body: dict[str, Any],
    headers: dict[str, str],
) -> dict[str, Any]:
    """POST ``body`` (valid by the documented request schema) to ``path``;
    the answer is one the document gives, valid by its schema."""
    check(request_schema(document, path, "post"), body)
    url = concrete(client, path, headers)
    assert url is not None
    response = client.post(url, json=body, headers=headers)
    statuses = document["paths"][path]["post"]["responses"]
    assert str(response.status_code) in statuses, (path, response.data)
    answer = response.get_json()
    check(answer_schema(document, path, "post", response.status_code), answer)
    return answer


def seed(client: FlaskClient, document: Document, headers: dict[str, str]) -> None:
    """A member in each collection the mock cloud starts without, each made
    through its documented request body."""
    config = create(
        client, document, "/cimi/volume_configurations", {"capacity": 1024}, headers
    )
    create(
        client,
        document,
        "/cimi/volume_templates",
        {"volumeConfig": {"href": config["id"]}},
        headers,
    )
    create(
        client,
        document,
        "/cimi/machine_templates",
        {
            "name": "described",
            "machineConfig": {"href": f"{BASE}/machine_configurations/m1-small"},
            "machineImage": {"href": f"{BASE}/machine_images/img1"},
        },
        headers,
    )
    create(
        client,
        document,
        "/cimi/machines/{machine_id}/volumes",
        {"initialLocation": "/dev/sdx", "volume": {"href": f"{BASE}/volumes/vol2"}},
        headers,
    )
    create(
        client,
        document,
        "/cimi/machines/{machine_id}/network_interfaces",
        {"network": {"href": f"{BASE}/networks/subnet1"}},
        headers,
    )


def test_every_get_answer_validates(
    cimi: FlaskClient, cimi_doc: Document, json_headers: dict[str, str]
) -> None:
    seed(cimi, cimi_doc, json_headers)
    checked, empty = [], []
    for path, statuses in json_answers(cimi_doc).items():
        url = concrete(cimi, path, json_headers)
        if url is None:
            empty.append(path)
            continue
        response = cimi.get(url, headers=json_headers)
        assert response.status_code in statuses, (url, response.status_code)
        body = response.get_json()
        errors = problems(
            answer_schema(cimi_doc, path, "get", response.status_code), body
        )
        assert not errors, (url, errors)
        checked.append(path)
    assert not empty, empty
    for collection in ("machines", "volumes", "machine_images", "credentials",
                       "machine_configurations", "machine_templates", "networks",
                       "systems", "resource_metadata"):  # fmt: skip
        assert f"/cimi/{collection}" in checked, collection
        assert any(p.startswith(f"/cimi/{collection}/{{") for p in checked), collection


@pytest.mark.parametrize(
    ("path", "type_name"),
    [
        ("/cimi/cloudEntryPoint", "CloudEntryPoint"),
        ("/cimi/machines", "MachineCollection"),
        ("/cimi/machines/{machine_id}", "Machine"),
        ("/cimi/volumes", "VolumeCollection"),
        ("/cimi/volumes/{entity_id}", "Volume"),
        ("/cimi/machine_images/{entity_id}", "MachineImage"),
        ("/cimi/machine_configurations/{config_id}", "MachineConfiguration"),
        ("/cimi/machine_templates/{entity_id}", "MachineTemplate"),
        ("/cimi/credentials/{entity_id}", "Credential"),
        ("/cimi/networks/{entity_id}", "Network"),
    ],
)
def test_each_type_has_its_schema(
    cimi_doc: Document, path: str, type_name: str
) -> None:
    schema = answer_schema(cimi_doc, path, "get", 200)
    assert schema["$ref"] == f"#/components/schemas/{type_name}"
    typed = cimi_doc["components"]["schemas"][type_name]
    uri = typed["properties"]["resourceURI"]["const"]
    assert uri == f"http://schemas.dmtf.org/cimi/1/{type_name}"


def test_another_types_answer_fails_the_schema(
    cimi: FlaskClient, cimi_doc: Document, json_headers: dict[str, str]
) -> None:
    volume = cimi.get("/cimi/volumes", headers=json_headers).get_json()
    assert problems(answer_schema(cimi_doc, "/cimi/machines", "get", 200), volume)


def test_a_types_attributes_come_from_its_serializer(cimi_doc: Document) -> None:
    """The attributes each serializer writes are the type's properties,
    typed where the serializer says (a volume's capacity is a whole number)."""
    schemas = cimi_doc["components"]["schemas"]
    expected = {
        "Volume": {"id", "name", "state", "capacity", "bootable", "operations"},
        "Machine": {"id", "name", "state", "cpu", "memory", "disks", "volumes"},
        "CloudEntryPoint": {"id", "driver", "provider", "baseURI"},
        "Network": {"id", "state", "networkType", "mtu"},
        "MachineVolumeResource": {"id", "initialLocation", "volume"},
    }
    for type_name, attributes in expected.items():
        assert attributes <= set(schemas[type_name]["properties"]), type_name
    volume = resolvable(cimi_doc, {"$ref": "#/components/schemas/Volume"})
    uri = "http://schemas.dmtf.org/cimi/1/Volume"
    assert not problems(volume, {"resourceURI": uri, "id": "v", "capacity": 1024})
    assert problems(volume, {"resourceURI": uri, "id": "v", "capacity": "big"})
    # the request body of an attachment is not its answer
    assert "allOf" not in schemas["MachineVolume"]
