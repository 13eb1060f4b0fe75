"""``/cimi/openapi.json``: CIMI's JSON described in OpenAPI 3.1.

Every route under ``/cimi`` is described (see :mod:`deltaflask.openapi`).
Request bodies are the marshmallow schemas of :mod:`.parsing`, converted by
apispec; which one a route reads is found in its view's source (the
``parsing.<Schema>`` it names, ``load_action``, ``load_edit``, or a family's
``self.schema``). Answers are CIMI resources and collections
(:data:`.render.RESOURCE_JSON_SCHEMA`, :data:`.render.COLLECTION_JSON_SCHEMA`).
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint
from flask import Flask
from flask import Response
from flask import current_app
from flask import json
from marshmallow import Schema as MarshmallowSchema

from deltaflask.openapi import JSON_MEDIA
from deltaflask.openapi import OPENAPI_VERSION
from deltaflask.openapi import Operation
from deltaflask.openapi import Route
from deltaflask.openapi import document
from deltaflask.openapi import source_tree
from deltaflask.plugins.cimi import parsing
from deltaflask.plugins.cimi.render import COLLECTION_JSON_SCHEMA
from deltaflask.plugins.cimi.render import RESOURCE_JSON_SCHEMA

PREFIX = "/cimi"
PATH = "/openapi.json"
ENDPOINT = "cimi_openapi"
EXTENSION = "deltaflask.openapi.cimi"
#: parsing's loaders that imply their schema
LOADERS = {"load_action": "Action", "load_edit": "Edit"}


def register(bp: Blueprint) -> None:
    """Add ``/cimi/openapi.json`` to the app itself, outside the blueprint's
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
    schemas = {
        **request_schemas(),
        "Resource": RESOURCE_JSON_SCHEMA,
        "Collection": COLLECTION_JSON_SCHEMA,
    }

    def describe(route: Route) -> Operation:
        view = app.view_functions[route.endpoint]
        last = route.rule.rsplit("/", 1)[-1]
        if route.method == "GET":
            listing = route.endpoint == f"cimi.{last}"
            return Operation(response="Collection" if listing else "Resource")
        if route.method == "DELETE":
            return Operation()
        return Operation(request=read_schema(view), response="Resource")

    built = document(
        app, PREFIX, title="CIMI (JSON)", describe=describe, schemas=schemas
    )
    return json.dumps(built)


def request_schemas() -> dict[str, Any]:
    """Every marshmallow schema of :mod:`.parsing` as a JSON Schema (apispec)."""
    plugin = MarshmallowPlugin(schema_name_resolver=_name)
    spec = APISpec("CIMI", "1", OPENAPI_VERSION, plugins=[plugin])
    assert plugin.converter is not None
    plugin.converter.add_attribute_function(_reference)
    for name, value in vars(parsing).items():
        if _is_schema(value) and name == value.__name__:
            spec.components.schema(name, schema=value)
    return spec.to_dict()["components"]["schemas"]


def read_schema(view: Callable[..., Any]) -> str | None:
    """The name of the parsing schema ``view`` reads its body with, if any."""
    owner = getattr(view, "__self__", None)
    if owner is not None and _is_schema(getattr(owner, "schema", None)):
        return owner.schema.__name__
    tree = source_tree(view)
    if tree is None:
        return None
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "parsing"
        ):
            if node.attr in LOADERS:
                return LOADERS[node.attr]
            if _is_schema(getattr(parsing, node.attr, None)):
                return node.attr
    return None


def _reference(self: Any, field: Any, **kwargs: Any) -> dict[str, Any]:
    """A :class:`.parsing.Reference`: a URL, ``{"href": url}``, or where the
    field allows it an inline value of its schema."""
    if not isinstance(field, parsing.Reference):
        return {}
    by_href: list[dict[str, Any]] = [
        {"type": "string", "minLength": 1},
        {
            "type": "object",
            "properties": {"href": {"type": "string", "minLength": 1}},
            "required": ["href"],
        },
    ]
    if field.value_schema is not None:
        by_href.append({"$ref": f"#/components/schemas/{field.value_schema.__name__}"})
    return {"anyOf": by_href}


def _is_schema(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, MarshmallowSchema)


def _name(schema: Any) -> str:
    cls = schema if isinstance(schema, type) else type(schema)
    return cls.__name__
