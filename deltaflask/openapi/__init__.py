"""OpenAPI 3.1 documents generated from the application itself.

Paths, operations and path parameters come from the Flask URL map (every rule
under a frontend's prefix, with its methods), so a new route is described
without anyone writing it down. A frontend supplies a :data:`Describer` that
gives each operation's request body and answers, and the schemas they refer
to, generated from its own code: its marshmallow schemas, its model
dataclasses, the JSON builders and the views' reading of their parameters
(:mod:`.types`, :mod:`.requests`, :mod:`.answers`). The error document and
its response are shared by every operation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version
from typing import Any

from flask import Blueprint
from flask import Flask
from flask import Response
from flask import current_app

from deltaflask.openapi.types import Schema
from deltaflask.web import ERROR_JSON_SCHEMA

OPENAPI_VERSION = "3.1.0"
JSON_MEDIA = "application/json"
#: where each frontend publishes its document, under its prefix
PATH = "/openapi.json"
HTML_MEDIA = "text/html"
#: methods Flask adds to every rule by itself
IMPLICIT_METHODS = frozenset({"HEAD", "OPTIONS"})
#: ``<converter:name>`` or ``<name>`` in a Werkzeug rule
RULE_VARIABLE = re.compile(r"<(?:(?P<converter>[^:<>]+):)?(?P<name>[^:<>]+)>")
#: JSON Schemas of Werkzeug's converters (any other is a string)
CONVERTER_SCHEMAS = {"int": {"type": "integer"}, "float": {"type": "number"}}
#: headers OpenAPI describes elsewhere (media types, security), never as parameters
UNDESCRIBED_HEADERS = frozenset({"accept", "content-type", "authorization"})
ERROR_RESPONSE = {
    "description": "An error document (4xx/5xx)",
    "content": {JSON_MEDIA: {"schema": {"$ref": "#/components/schemas/Error"}}},
}
#: the answer of ``<prefix>/openapi.json`` itself
DOCUMENT_SCHEMA: Schema = {
    "type": "object",
    "properties": {"openapi": {"const": OPENAPI_VERSION}},
    "required": ["openapi", "info", "paths"],
}
DESCRIPTIONS = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "No content",
    301: "Moved permanently",
    302: "Found",
    303: "See other",
}

__all__ = ["JSON_MEDIA", "Operation", "Route", "Schema", "document", "routes"]


@dataclass(frozen=True)
class Route:
    """One method of one URL rule."""

    rule: str
    method: str
    endpoint: str

    @property
    def path(self) -> str:
        """The OpenAPI path: ``/api/instances/{instance_id}``."""
        return RULE_VARIABLE.sub(lambda m: "{" + m["name"] + "}", self.rule)

    @property
    def variables(self) -> list[tuple[str, str]]:
        """(name, converter) of each path variable, in order."""
        return [
            (m["name"], m["converter"] or "") for m in RULE_VARIABLE.finditer(self.rule)
        ]


@dataclass(frozen=True)
class Operation:
    """What a frontend says of one route.

    ``request``: media type -> the schema of the body in it (a component's
    name for JSON, or a schema). ``answers``: status -> the schema of its
    JSON body (a component's name or a schema; ``None``: no JSON body), with
    ``media`` the type of a body that is not JSON (e.g. an HTML page).
    """

    request: Mapping[str, Schema | str] = field(default_factory=dict)
    answers: Mapping[int, Schema | str | None] = field(default_factory=dict)
    media: Mapping[int, str] = field(default_factory=dict)
    #: multipart part name -> its content type (uploaded files)
    encoding: Mapping[str, str] = field(default_factory=dict)
    #: optional header and query parameters: (``in``, name)
    parameters: Sequence[tuple[str, str]] = ()


Describer = Callable[[Route], Operation]


def publish(
    bp: Blueprint, prefix: str, endpoint: str, build: Callable[[Flask], str]
) -> None:
    """Serve the document ``build`` makes at ``<prefix>/openapi.json`` on the
    app itself, outside the blueprint's driver choice, credentials and format
    negotiation: any client gets the JSON, anonymously. It is built on the
    first request, once per application."""
    key = f"deltaflask.openapi.{endpoint}"

    def served() -> Response:
        extensions = current_app.extensions
        if key not in extensions:
            extensions[key] = build(current_app)
        return Response(extensions[key], content_type=JSON_MEDIA)

    bp.record_once(
        lambda state: state.app.add_url_rule(prefix + PATH, endpoint, served)
    )


def routes(app: Flask, prefix: str) -> list[Route]:
    """Every rule of ``app`` at or under ``prefix``, one per explicit method."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.rule == prefix or rule.rule.startswith(prefix + "/"):
            for method in sorted((rule.methods or set()) - IMPLICIT_METHODS):
                found.append(Route(rule.rule, method, rule.endpoint))
    return found


def document(
    app: Flask,
    prefix: str,
    *,
    title: str,
    describe: Describer,
    schemas: Mapping[str, Schema],
) -> dict[str, Any]:
    """The OpenAPI document of the routes under ``prefix``."""
    paths: dict[str, dict[str, Any]] = {}
    for route in routes(app, prefix):
        item = paths.setdefault(route.path, {})
        item[route.method.lower()] = _operation(route, describe(route))
    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": title, "version": _version()},
        "paths": paths,
        "components": {
            "schemas": {"Error": ERROR_JSON_SCHEMA, **schemas},
            "responses": {"Error": ERROR_RESPONSE},
        },
    }


def _operation(route: Route, described: Operation) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for status, schema in sorted(described.answers.items()):
        answer: dict[str, Any] = {"description": DESCRIPTIONS.get(status, "Success")}
        if schema is not None:
            answer["content"] = {JSON_MEDIA: {"schema": _schema(schema)}}
        elif status in described.media:
            answer["content"] = {described.media[status]: {}}
        responses[str(status)] = answer
    responses["default"] = {"$ref": "#/components/responses/Error"}
    operation: dict[str, Any] = {
        "operationId": f"{route.endpoint}.{route.method.lower()}",
        "responses": responses,
    }
    parameters = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": CONVERTER_SCHEMAS.get(converter, {"type": "string"}),
        }
        for name, converter in route.variables
    ]
    parameters += [
        {"name": name, "in": place, "schema": {"type": "string"}}
        for place, name in described.parameters
        if place != "header" or name.lower() not in UNDESCRIBED_HEADERS
    ]
    if parameters:
        operation["parameters"] = parameters
    if described.request:
        content: dict[str, Any] = {}
        for media, schema in described.request.items():
            content[media] = {"schema": _schema(schema)}
            if media == "multipart/form-data" and described.encoding:
                content[media]["encoding"] = {
                    name: {"contentType": kind}
                    for name, kind in described.encoding.items()
                }
        operation["requestBody"] = {"content": content}
    return operation


def _schema(schema: Schema | str) -> Schema:
    return (
        {"$ref": f"#/components/schemas/{schema}"}
        if isinstance(schema, str)
        else schema
    )


def _version() -> str:
    try:
        return version("deltaflask")
    except PackageNotFoundError:  # run from a source tree
        return "0"
