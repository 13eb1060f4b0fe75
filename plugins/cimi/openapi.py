"""``/cimi/openapi.json``: CIMI's JSON described in OpenAPI 3.1.

Every route under ``/cimi`` is described (see :mod:`deltaflask.openapi`).
Request bodies are the marshmallow schemas of :mod:`.parsing`, converted by
apispec; which one a route reads is found in its view's source (the
``parsing.<Schema>`` it names, ``load_action``, ``load_edit``, or a family's
``self.schema``). Answers are found where the view answers
(:func:`deltaflask.openapi.answers.answers`): ``respond`` of an
``Entity("<Type>", ...)`` or a ``Collection("<Type>", url, "<key>", ...)``,
``created("<Type>", ...)``, ``empty``; a family's own views by its type and
key. Each type gets its schema (a CIMI resource, :data:`.render.RESOURCE_JSON_SCHEMA`,
of ``resourceURI`` ``.../<Type>``) and so does its collection
(:data:`.render.COLLECTION_JSON_SCHEMA`, its members under its key).
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint
from flask import Flask
from flask import json
from flask import redirect
from marshmallow import Schema as MarshmallowSchema

from deltaflask.openapi import DOCUMENT_SCHEMA
from deltaflask.openapi import JSON_MEDIA
from deltaflask.openapi import OPENAPI_VERSION
from deltaflask.openapi import Operation
from deltaflask.openapi import Route
from deltaflask.openapi import document
from deltaflask.openapi import publish
from deltaflask.openapi.answers import Primitive
from deltaflask.openapi.answers import answers
from deltaflask.openapi.types import Components
from deltaflask.openapi.types import Schema
from deltaflask.openapi.types import Typer
from deltaflask.openapi.types import returned_schema
from deltaflask.openapi.types import source_tree
from deltaflask.plugins.cimi import families
from deltaflask.plugins.cimi import parsing
from deltaflask.plugins.cimi import render
from deltaflask.plugins.cimi.render import COLLECTION_JSON_SCHEMA
from deltaflask.plugins.cimi.render import RESOURCE_JSON_SCHEMA
from deltaflask.plugins.cimi.render import resource_uri
from deltaflask.plugins.cimi.stored import absolute

PREFIX = "/cimi"
ENDPOINT = "cimi_openapi"
PACKAGE = "deltaflask.plugins.cimi"
#: a family's own views -> their answers (status -> "type" or "collection")
FAMILY_VIEWS: dict[str, dict[int, str | None]] = {
    "listing": {200: "collection"},
    "show": {200: "type"},
    "edit": {200: "type"},
    "create": {201: "type"},
    "delete": {200: None},
}
#: parsing's loaders that imply their schema
LOADERS = {"load_action": "Action", "load_edit": "Edit"}


def register(bp: Blueprint) -> None:
    """Publish ``/cimi/openapi.json`` (see :func:`deltaflask.openapi.publish`)."""
    publish(bp, PREFIX, ENDPOINT, _document)


def _document(app: Flask) -> str:
    types = TypeSchemas(
        transparent=frozenset({render.compact, absolute}),
        schemas={
            **request_schemas(),
            "Resource": RESOURCE_JSON_SCHEMA,
            "Collection": COLLECTION_JSON_SCHEMA,
        },
    )

    def describe(route: Route) -> Operation:
        if route.endpoint == ENDPOINT:
            return Operation(answers={200: DOCUMENT_SCHEMA})
        view = app.view_functions[route.endpoint]
        body = read_schema(view) if route.method in ("POST", "PUT") else None
        return Operation(
            request={JSON_MEDIA: body} if body else {},
            answers=_answers(route, view, types),
        )

    built = document(
        app,
        PREFIX,
        title="CIMI (JSON)",
        describe=describe,
        schemas=types.schemas,  # filled in as the routes are described
    )
    return json.dumps(built)


class TypeSchemas(Components):
    """The schema of each CIMI type met, and of its collection."""

    def of(self, type_name: str, attributes: Schema | None = None) -> Schema:
        """A ``$ref`` to the schema of an entity of ``type_name``, with the
        ``attributes`` its serializer writes."""
        name = self._name(type_name)
        schema = self.schemas.setdefault(name, _typed("Resource", type_name))
        known = schema["properties"]
        for attribute, value in (attributes or {}).get("properties", {}).items():
            known.setdefault(attribute, value)
        return {"$ref": f"#/components/schemas/{name}"}

    def _name(self, type_name: str) -> str:
        """``type_name``, or ``<type_name>Resource`` where a request body's
        schema has that name (``MachineVolume``)."""
        taken = self.schemas.get(type_name, {}).get("allOf") is None
        return (
            type_name + "Resource" if type_name in self.schemas and taken else type_name
        )

    def collection(self, type_name: str, key: str | None) -> Schema:
        """A ``$ref`` to the schema of the collection of ``type_name`` under ``key``."""
        name = self._name(type_name + "Collection")
        schema = self.schemas.setdefault(
            name, _typed("Collection", type_name + "Collection")
        )
        if key:
            members = {"type": "array", "items": _MEMBER}
            schema["properties"][key] = members
        return {"$ref": f"#/components/schemas/{name}"}


_MEMBER: Schema = {
    "type": "object",
    "properties": {"id": {"type": "string"}},
    "required": ["id"],
}


def _typed(base: str, type_name: str) -> Schema:
    return {
        "allOf": [{"$ref": f"#/components/schemas/{base}"}],
        "properties": {"resourceURI": {"const": resource_uri(type_name)}},
    }


def _answers(route: Route, view: Any, types: TypeSchemas) -> dict[int, Any]:
    owner = getattr(view, "__self__", None)
    kinds = FAMILY_VIEWS.get(getattr(view, "__name__", ""))
    if owner is not None and hasattr(owner, "type_name") and kinds:
        return {
            status: None
            if kind is None
            else types.of(owner.type_name, _serialized(owner, types))
            if kind == "type"
            else types.collection(owner.type_name, owner.key)
            for status, kind in kinds.items()
        }

    def recognize(target: Any) -> Primitive | None:
        if target is render.respond:
            return Primitive(
                200, 1, lambda call, typer: _document_of(call, typer, types)
            )
        if target is render.empty:
            return Primitive(200, 0)
        if target is redirect:
            return Primitive(302, 1)
        if target is families.created:
            return Primitive(201, body=lambda call, typer: _entity(call, types, typer))
        return None

    found = answers(view, recognize, types, PACKAGE).bodies
    if not found and route.method == "GET":  # a view answering through a helper object
        return {200: "Resource"}
    return found


def _serialized(family: Any, types: TypeSchemas) -> Schema:
    """The attributes a family's serializer writes (its ``render`` of a driver
    object, or a stored family's ``data``)."""
    serializer = getattr(family, "render", None) or getattr(family, "data", None)
    return returned_schema(serializer, types) if callable(serializer) else {}


def _document_of(call: ast.Call, typer: Typer, types: TypeSchemas) -> Schema:
    """The schema of ``respond(document)``: an ``Entity``'s type, a
    ``Collection``'s (perhaps built by a helper, through ``apply``)."""
    document = call.args[0] if call.args else None
    while isinstance(document, ast.Call) and _called(document) == "apply":
        document = document.args[0] if document.args else None
    if not isinstance(document, ast.Call):
        return {"$ref": "#/components/schemas/Resource"}
    if _called(document) == "Entity":
        return _entity(document, types, typer)
    built = _built_collection(document, typer)
    if built is not None:
        return types.collection(*built)
    return {"$ref": "#/components/schemas/Resource"}


def _entity(call: ast.Call, types: TypeSchemas, typer: Typer) -> Schema:
    """``Entity("<Type>", data)`` or ``created("<Type>", data)``: the type,
    with the attributes ``data`` has."""
    name = call.args[0] if call.args else None
    if isinstance(name, ast.Constant) and isinstance(name.value, str):
        data = typer.schema(call.args[1]) if len(call.args) > 1 else None
        return types.of(name.value, types.resolve(data) if data else None)
    return {"$ref": "#/components/schemas/Resource"}


def _built_collection(call: ast.Call, typer: Typer) -> tuple[str, str | None] | None:
    """(type, key) of ``Collection("<Type>", url, "<key>", ...)``, called here
    or in the helper function called."""
    if _called(call) != "Collection":
        helper = (
            typer.scope.get(_called(call)) if isinstance(call.func, ast.Name) else None
        )
        tree = source_tree(helper) if callable(helper) else None
        inner = (
            [
                node
                for node in ast.walk(tree)
                if isinstance(node, ast.Call) and _called(node) == "Collection"
            ]
            if tree
            else []
        )
        if len(inner) != 1:
            return None
        call = inner[0]
    constants = [
        a.value if isinstance(a, ast.Constant) else None for a in call.args[:3]
    ]
    if not constants or not isinstance(constants[0], str):
        return None
    key = constants[2] if len(constants) > 2 and isinstance(constants[2], str) else None
    return constants[0], key


def _called(call: ast.Call) -> str:
    func = call.func
    return (
        func.id
        if isinstance(func, ast.Name)
        else func.attr
        if isinstance(func, ast.Attribute)
        else ""
    )


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
