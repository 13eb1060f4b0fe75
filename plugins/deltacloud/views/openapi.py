"""``/api/openapi.json``: the classic API's JSON described in OpenAPI 3.1.

Every route under ``/api`` is described (see :mod:`deltaflask.openapi`) from
the code that serves it:

- request bodies from the parameters each view reads
  (:func:`deltaflask.openapi.requests.reading`), offered as a form
  (urlencoded or multipart) and, for ``POST``, as a JSON object;
- answers from the calls that answer in each view and its helpers
  (:func:`deltaflask.openapi.answers.answers`): ``respond`` with the JSON its
  builder makes, a collection's ``created``/``changed``/``gone``, ``empty``,
  ``redirect``; a collection member's schema is its ``to_json`` builder
  typed from the model dataclass (:class:`deltaflask.openapi.types.Components`).
"""

from __future__ import annotations

import ast
from typing import Any

from flask import Blueprint
from flask import Flask
from flask import Response
from flask import json
from flask import redirect

from deltaflask.openapi import DOCUMENT_SCHEMA
from deltaflask.openapi import HTML_MEDIA
from deltaflask.openapi import Operation
from deltaflask.openapi import Route
from deltaflask.openapi import Schema
from deltaflask.openapi import document
from deltaflask.openapi import publish
from deltaflask.openapi.answers import Answers
from deltaflask.openapi.answers import Primitive
from deltaflask.openapi.answers import answers
from deltaflask.openapi.requests import Readers
from deltaflask.openapi.requests import Reading
from deltaflask.openapi.requests import reading
from deltaflask.openapi.types import Components
from deltaflask.openapi.types import Typer
from deltaflask.plugins.deltacloud import params
from deltaflask.plugins.deltacloud import render
from deltaflask.plugins.deltacloud.views import forms
from deltaflask.plugins.deltacloud.views.collection import Collection

PREFIX = "/api"
ENDPOINT = "api_openapi"
PACKAGE = "deltaflask.plugins.deltacloud"
FORM_MEDIA = params.FORM_BODIES
#: the body of a streamed upload: any bytes, stored as sent
RAW_BODY = {"*/*": {"type": "string", "contentMediaType": "application/octet-stream"}}


def _whole(args: list[Any]) -> Schema:
    """``whole_number(value, name, minimum, maximum)``: digits, in bounds."""
    schema: Schema = {
        "type": ["integer", "string"],
        "pattern": rf"^\s*[0-9]{{1,{params.MAX_DIGITS}}}\s*$",
    }
    for key, bound in zip(("minimum", "maximum"), args[1:3], strict=False):
        if bound is not None:
            schema[key] = bound
    return schema


def _positive(args: list[Any]) -> Schema:
    """``positive_number(value, name)``: ``2`` or ``1.5``."""
    digits = params.MAX_DIGITS
    return {
        "type": ["number", "string"],
        "minimum": 0,
        "pattern": rf"^\s*[0-9]{{1,{digits}}}(\.[0-9]{{1,{digits}}})?\s*$",
    }


READERS = Readers(
    sources=frozenset({"request_params", "submitted_values"}),
    require=params.require.__name__,
    filters=params.filters.__name__,
    checks={
        params.whole_number.__name__: _whole,
        params.positive_number.__name__: _positive,
    },
)


def register(bp: Blueprint) -> None:
    """Publish ``/api/openapi.json`` (see :func:`deltaflask.openapi.publish`)."""
    publish(bp, PREFIX, ENDPOINT, _document)


def _document(app: Flask) -> str:
    components = Components()
    for c in _collections(app):
        member = _schema_name(c.member)
        components.builder(c.to_json, member)
        components.schemas[member + "Document"] = _wrapped(c.member, _ref(member))
        components.schemas[_schema_name(c.name) + "List"] = _wrapped(
            c.name, {"type": "array", "items": _ref(member)}
        )

    def describe(route: Route) -> Operation:
        if route.endpoint == ENDPOINT:
            return Operation(answers={200: DOCUMENT_SCHEMA})
        view = app.view_functions[route.endpoint]
        read = reading(view, READERS)
        found = _answers(view, components)
        return Operation(
            request=_request(read, route.method),
            answers=found.bodies,
            media=found.media,
            encoding=_encoding(read, route.method),
            parameters=_parameters(view, read),
        )

    built = document(
        app,
        PREFIX,
        title="Deltacloud classic API (JSON)",
        describe=describe,
        schemas=components.schemas,
    )
    return json.dumps(built)


def _request(read: Reading, method: str) -> dict[str, Schema | str]:
    """The media types and schema of the body a view reads."""
    if method not in ("POST", "PUT", "DELETE"):
        return {}
    if read.raw:
        return dict(RAW_BODY)
    if read.empty:
        return {}
    schema = read.schema()
    media = dict.fromkeys(FORM_MEDIA, schema)
    if method == "POST":  # a JSON object's members count as form fields
        media[params.JSON_BODY] = schema
    return media


def _parameters(view: Any, read: Reading) -> list[tuple[str, str]]:
    """The headers and query parameters ``view`` reads by name; a list's filters."""
    owner = getattr(view, "__self__", None)
    if isinstance(owner, Collection):
        if view.__func__ is Collection.index:
            return [("query", name) for name in owner.filters]
        return []
    return [(place, name) for place, names in read.parameters.items() for name in names]


def _encoding(read: Reading, method: str) -> dict[str, str]:
    if method not in ("POST", "PUT", "DELETE"):
        return {}
    return dict.fromkeys(read.files, "application/octet-stream")


def _answers(view: Any, components: Components) -> Answers:
    owner = getattr(view, "__self__", None)
    if isinstance(owner, Collection):  # the plain list and member views
        if view.__func__ is Collection.index:
            return Answers({200: _ref(_schema_name(owner.name) + "List")})
        return Answers({200: _ref(_schema_name(owner.member) + "Document")})
    return answers(view, _recognize, components, PACKAGE)


def _recognize(target: Any) -> Primitive | None:
    """The answering calls of the classic frontend."""
    if target is render.respond:
        return Primitive(200, body=_built)
    if target is forms.page:  # a form for a browser
        return Primitive(200, status_at=1, media=HTML_MEDIA)
    if target is render.empty:
        return Primitive(204, status_at=0)
    if target is redirect:
        return Primitive(302, status_at=1)
    if target is Response:
        return Primitive(200, status_at=1)
    owner = getattr(target, "__self__", None)
    if not isinstance(owner, Collection):
        return None
    document = _ref(_schema_name(owner.member) + "Document")
    kinds = {
        Collection.created: Primitive(201, 1, lambda call, typer: document),
        Collection.changed: Primitive(200, 1, lambda call, typer: document),
        Collection.render: Primitive(200, 1, lambda call, typer: document),
        Collection.gone: Primitive(204),
    }
    return kinds.get(getattr(target, "__func__", None))


def _built(call: ast.Call, typer: Typer) -> Schema | None:
    """The JSON of ``respond(template, builder)``: what its builder returns."""
    return typer.schema(call.args[1]) if len(call.args) > 1 else None


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


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}
