"""``/api/openapi.json``: the classic API's JSON described in OpenAPI 3.1.

Every route under ``/api`` is described (see :mod:`deltaflask.openapi`); a
plain collection's list, member and create answers get the schema of its
JSON builder (:func:`deltaflask.openapi.builder_schema` over its
``to_json``).
"""

from __future__ import annotations

from flask import Blueprint
from flask import Flask
from flask import Response
from flask import current_app
from flask import json

from deltaflask.openapi import JSON_MEDIA
from deltaflask.openapi import Operation
from deltaflask.openapi import Route
from deltaflask.openapi import Schema
from deltaflask.openapi import builder_schema
from deltaflask.openapi import document
from deltaflask.plugins.deltacloud.views.collection import Collection

PREFIX = "/api"
PATH = "/openapi.json"
ENDPOINT = "api_openapi"
EXTENSION = "deltaflask.openapi.api"


def register(bp: Blueprint) -> None:
    """Add ``/api/openapi.json`` to the app itself, outside the blueprint's
    driver choice, credentials and format negotiation: any client gets the
    JSON document, anonymously."""
    bp.record_once(
        lambda state: state.app.add_url_rule(PREFIX + PATH, ENDPOINT, openapi)
    )


def openapi() -> Response:
    """The document, built once per application."""
    extensions = current_app.extensions
    if EXTENSION not in extensions:
        extensions[EXTENSION] = _document(current_app)
    return Response(extensions[EXTENSION], content_type=JSON_MEDIA)


def _document(app: Flask) -> str:
    collections = _collections(app)
    schemas: dict[str, Schema] = {}
    for c in collections:
        member = _schema_name(c.member)
        schemas[member] = builder_schema(c.to_json)
        schemas[member + "Document"] = _wrapped(c.member, {"$ref": _ref(member)})
        schemas[_schema_name(c.name) + "List"] = _wrapped(
            c.name, {"type": "array", "items": {"$ref": _ref(member)}}
        )
    by_endpoint = {}
    for c in collections:
        by_endpoint[f"api.{c.endpoint('index')}"] = _schema_name(c.name) + "List"
        by_endpoint[f"api.{c.endpoint('show')}"] = _schema_name(c.member) + "Document"
        by_endpoint[f"api.{c.endpoint('create')}"] = _schema_name(c.member) + "Document"

    def describe(route: Route) -> Operation:
        if route.method == "DELETE":
            return Operation()
        return Operation(response=by_endpoint.get(route.endpoint))

    built = document(
        app,
        PREFIX,
        title="Deltacloud classic API (JSON)",
        describe=describe,
        schemas=schemas,
    )
    return json.dumps(built)


def _collections(app: Flask) -> list[Collection]:
    """The plain collections with routes in ``app`` (each routes its members
    to its own ``show``)."""
    found = {
        id(owner): owner
        for view in app.view_functions.values()
        if isinstance(owner := getattr(view, "__self__", None), Collection)
    }
    return list(found.values())


def _wrapped(key: str, schema: Schema) -> Schema:
    return {"type": "object", "properties": {key: schema}, "required": [key]}


def _schema_name(snake: str) -> str:
    return "".join(part.capitalize() for part in snake.split("_"))


def _ref(name: str) -> str:
    return f"#/components/schemas/{name}"
