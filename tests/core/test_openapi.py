"""The published API descriptions: /api/openapi.json and /cimi/openapi.json.

Each is valid OpenAPI 3.1, describes every route of its frontend (new ones
too), and the live JSON answers and error documents of the mock cloud
validate against the schemas it gives.
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from deltaflask.openapi import IMPLICIT_METHODS
from deltaflask.openapi import RULE_VARIABLE
from tests.support.cimi import BASE
from tests.support.cimi import post_json
from tests.support.openapi import Document
from tests.support.openapi import answer_schema
from tests.support.openapi import check
from tests.support.openapi import error_schema
from tests.support.openapi import fetch
from tests.support.openapi import request_schema


@pytest.fixture
def api_doc(cimi: FlaskClient) -> Document:
    return fetch(cimi, "/api/openapi.json")


@pytest.fixture
def cimi_doc(cimi: FlaskClient) -> Document:
    return fetch(cimi, "/cimi/openapi.json")


def rules(app: Flask, prefix: str) -> set[tuple[str, str]]:
    """(OpenAPI path, method) of every rule under ``prefix``."""
    return {
        (RULE_VARIABLE.sub(lambda m: "{" + m["name"] + "}", rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule == prefix or rule.rule.startswith(prefix + "/")
        for method in (rule.methods or set()) - IMPLICIT_METHODS
    }


def described(document: Document) -> set[tuple[str, str]]:
    return {
        (path, method) for path, item in document["paths"].items() for method in item
    }


def test_documents_are_valid_openapi_3_1(api_doc: Document, cimi_doc: Document) -> None:
    for document in (api_doc, cimi_doc):
        assert document["openapi"] == "3.1.0"
        validate(document)


@pytest.mark.parametrize("accept", ["*/*", "text/html", "application/xml"])
def test_documents_are_json_for_any_accept(cimi: FlaskClient, accept: str) -> None:
    for url in ("/api/openapi.json", "/cimi/openapi.json"):
        response = cimi.get(url, headers={"Accept": accept})
        assert response.status_code == 200
        assert response.get_json()["openapi"] == "3.1.0"


def test_every_route_is_described(
    cimi_app: Flask, api_doc: Document, cimi_doc: Document
) -> None:
    for prefix, document in (("/api", api_doc), ("/cimi", cimi_doc)):
        expected = rules(cimi_app, prefix)
        assert len(expected) > 20
        assert described(document) == expected


def test_a_new_route_is_described_with_its_parameters(cimi_app: Flask) -> None:
    cimi_app.add_url_rule(
        "/cimi/extra/<int:number>", "extra", lambda number: "", methods=["PUT"]
    )
    document = fetch(cimi_app.test_client(), "/cimi/openapi.json")
    operation = document["paths"]["/cimi/extra/{number}"]["put"]
    (parameter,) = operation["parameters"]
    assert parameter == {
        "name": "number",
        "in": "path",
        "required": True,
        "schema": {"type": "integer"},
    }


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("/api/instances", "/api/instances"),
        ("/api/instances/inst0", "/api/instances/{instance_id}"),
        ("/api/images", "/api/images"),
        ("/api/images/img1", "/api/images/{image_id}"),
        ("/api/realms", "/api/realms"),
        ("/api/storage_volumes", "/api/storage_volumes"),
        ("/api/storage_snapshots", "/api/storage_snapshots"),
        ("/api/keys", "/api/keys"),
        ("/api/buckets", "/api/buckets"),
    ],
)
def test_classic_answers_validate(
    cimi: FlaskClient,
    api_doc: Document,
    json_headers: dict[str, str],
    url: str,
    path: str,
) -> None:
    response = cimi.get(url + "?format=json", headers=json_headers)
    assert response.status_code == 200
    schema = answer_schema(api_doc, path, "get", 200)
    body = response.get_json()
    check(schema, body)
    member = next(iter(body.values()))
    listed = member[0] if isinstance(member, list) else member
    assert {"id", "href"} <= set(listed)


def test_classic_schema_comes_from_the_builder(api_doc: Document) -> None:
    """The instance's properties are the keys its JSON builder writes, typed
    from the model where the builder copies a field."""
    instance = api_doc["components"]["schemas"]["Instance"]
    assert {"id", "href", "state", "actions", "public_addresses"} <= set(
        instance["properties"]
    )
    assert instance["properties"]["state"]["enum"][:2] == ["START", "PENDING"]
    assert "id" in instance["required"]
    schemas = api_doc["components"]["schemas"]
    for name, schema in schemas.items():
        if name.endswith("List"):  # each collection's members
            listed = next(iter(schema["properties"].values()))
            member = listed["items"]["$ref"].rsplit("/", 1)[-1]
            assert {"id", "href"} <= set(schemas[member]["required"]), member


def test_a_wrong_instance_fails_the_schema(api_doc: Document) -> None:
    schema = answer_schema(api_doc, "/api/instances", "get", 200)
    errors = list(
        Draft202012Validator(schema).iter_errors(
            {"instances": [{"id": 7, "state": "X"}]}
        )
    )
    assert errors


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("/cimi/cloudEntryPoint", "/cimi/cloudEntryPoint"),
        ("/cimi/machines", "/cimi/machines"),
        ("/cimi/machines/inst0", "/cimi/machines/{machine_id}"),
        ("/cimi/machine_images", "/cimi/machine_images"),
        ("/cimi/volumes", "/cimi/volumes"),
    ],
)
def test_cimi_answers_validate(
    cimi: FlaskClient,
    cimi_doc: Document,
    json_headers: dict[str, str],
    url: str,
    path: str,
) -> None:
    response = cimi.get(url, headers=json_headers)
    assert response.status_code == 200
    check(answer_schema(cimi_doc, path, "get", 200), response.get_json())


def test_cimi_request_body_is_the_marshmallow_schema(
    cimi: FlaskClient, cimi_doc: Document, json_headers: dict[str, str]
) -> None:
    schema = request_schema(cimi_doc, "/cimi/machines", "post")
    assert schema["$ref"] == "#/components/schemas/MachineCreate"
    properties = cimi_doc["components"]["schemas"]["MachineCreate"]["properties"]
    assert {"name", "machineTemplate", "realm"} <= set(properties)
    body = {
        "name": "described",
        "machineTemplate": {
            "machineConfig": {"href": f"{BASE}/machine_configurations/m1-small"},
            "machineImage": {"href": f"{BASE}/machine_images/img1"},
        },
    }
    check(schema, body)
    response = post_json(cimi, "/cimi/machines", body, json_headers)
    assert response.status_code == 201
    check(answer_schema(cimi_doc, "/cimi/machines", "post", 201), response.get_json())
    refused = {"machineTemplate": 5}
    assert list(Draft202012Validator(schema).iter_errors(refused))
    assert post_json(cimi, "/cimi/machines", refused, json_headers).status_code == 400
    action = cimi_doc["paths"]["/cimi/machines/{machine_id}/{action}"]["post"]
    assert action["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Action"
    }


def test_error_bodies_validate(
    cimi: FlaskClient,
    api_doc: Document,
    cimi_doc: Document,
    json_headers: dict[str, str],
) -> None:
    response = cimi.get("/api/instances/nosuch?format=json", headers=json_headers)
    assert response.status_code == 404
    check(
        error_schema(api_doc, "/api/instances/{instance_id}", "get"),
        response.get_json(),
    )
    response = cimi.get("/cimi/machines/nosuch", headers=json_headers)
    assert response.status_code == 404
    check(
        error_schema(cimi_doc, "/cimi/machines/{machine_id}", "get"),
        response.get_json(),
    )
    response = post_json(cimi, "/cimi/machines", {"name": 5}, json_headers)
    assert response.status_code == 400
    check(error_schema(cimi_doc, "/cimi/machines", "post"), response.get_json())
