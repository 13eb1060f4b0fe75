"""OpenAPI 3.1 documents generated from the application itself.

Paths, operations and path parameters come from the Flask URL map (every rule
under a frontend's prefix, with its methods), so a new route is described
without anyone writing it down. A frontend supplies a :data:`Describer` that
names each operation's request and response schemas, and the schemas
(from its marshmallow schemas, its model dataclasses, its JSON builders).
The error document and its response are shared by every operation.
"""

from __future__ import annotations

import ast
import dataclasses
import enum
import inspect
import re
import textwrap
import types
import typing
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version
from typing import Any

from flask import Flask

from deltaflask.web import ERROR_JSON_SCHEMA

OPENAPI_VERSION = "3.1.0"
JSON_MEDIA = "application/json"
#: methods Flask adds to every rule by itself
IMPLICIT_METHODS = frozenset({"HEAD", "OPTIONS"})
#: ``<converter:name>`` or ``<name>`` in a Werkzeug rule
RULE_VARIABLE = re.compile(r"<(?:(?P<converter>[^:<>]+):)?(?P<name>[^:<>]+)>")
#: JSON Schemas of Werkzeug's converters (any other is a string)
CONVERTER_SCHEMAS = {"int": {"type": "integer"}, "float": {"type": "number"}}
ERROR_RESPONSE = {
    "description": "An error document (4xx/5xx)",
    "content": {JSON_MEDIA: {"schema": {"$ref": "#/components/schemas/Error"}}},
}
Schema = dict[str, Any]


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
    """What a frontend says of one route: its schemas (names under
    ``#/components/schemas``), or ``None`` where there is no JSON body."""

    request: str | None = None
    response: str | None = None


Describer = Callable[[Route], Operation]


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
    success: dict[str, Any] = {"description": "Success"}
    if described.response:
        success["content"] = {JSON_MEDIA: {"schema": _ref(described.response)}}
    operation: dict[str, Any] = {
        "operationId": f"{route.endpoint}.{route.method.lower()}",
        "responses": {
            "2XX": success,
            "default": {"$ref": "#/components/responses/Error"},
        },
    }
    if route.variables:
        operation["parameters"] = [
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": CONVERTER_SCHEMAS.get(converter, {"type": "string"}),
            }
            for name, converter in route.variables
        ]
    if described.request:
        operation["requestBody"] = {
            "content": {JSON_MEDIA: {"schema": _ref(described.request)}}
        }
    return operation


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _version() -> str:
    try:
        return version("deltaflask")
    except PackageNotFoundError:  # run from a source tree
        return "0"


# -- JSON Schemas from Python types ------------------------------------------------
def type_schema(hint: Any) -> Schema:
    """The JSON Schema of a type hint (``{}``, anything, where unknown)."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if hint is type(None):
        return {"type": "null"}
    if origin in (typing.Union, types.UnionType):
        return {"anyOf": [type_schema(arg) for arg in args]}
    if origin is typing.Literal:
        return {"enum": list(args)}
    if origin in (list, set, frozenset) or (origin is tuple and args[-1:] == (...,)):
        return {"type": "array", "items": type_schema(args[0])}
    if origin is tuple or hint in (list, tuple):
        return {"type": "array"}
    if origin in (dict, Mapping) or hint is dict:
        return {"type": "object"}
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return {"enum": [member.value for member in hint]}
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return dataclass_schema(hint)
    return dict(_SCALARS.get(hint, {}))


_SCALARS: dict[Any, Schema] = {
    bool: {"type": "boolean"},
    int: {"type": "integer"},
    float: {"type": "number"},
    str: {"type": "string"},
}


def dataclass_schema(cls: type) -> Schema:
    """A dataclass as a JSON object: one property per field, typed by its hint."""
    hints = typing.get_type_hints(cls)
    return {
        "type": "object",
        "properties": {
            f.name: type_schema(hints[f.name]) for f in dataclasses.fields(cls)
        },
    }


def builder_schema(builder: Callable[..., Any]) -> Schema:
    """The JSON object a builder function returns, read from its source.

    The builder takes a model (its first parameter, annotated with a
    dataclass) and returns a dict built from literals and ``data[key] = ...``
    assignments. Each string key becomes a property typed from what it is
    given: ``model.field`` by the field's hint, a call by the called
    function's return annotation, a literal by its kind (anything else is
    unconstrained). The keys of the first dict literal are required.
    """
    tree = source_tree(builder)
    function = tree.body[0] if tree else None
    if not isinstance(function, ast.FunctionDef):
        return {"type": "object"}
    model_name = function.args.args[0].arg
    model = typing.get_type_hints(builder).get(model_name)
    fields = typing.get_type_hints(model) if dataclasses.is_dataclass(model) else {}
    typer = _ValueTyper(
        model_name, fields, {**builder.__globals__, **_closure(builder)}
    )
    first = _first_dict(function)
    entries = [] if first is None else list(zip(first.keys, first.values, strict=True))
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Subscript):
            entries.append((node.targets[0].slice, node.value))
    properties: dict[str, Schema] = {}
    for key, value in entries:
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            properties.setdefault(key.value, typer.schema(value))
    required = (
        []
        if first is None
        else [
            k.value
            for k in first.keys
            if isinstance(k, ast.Constant) and isinstance(k.value, str)
        ]
    )
    return {"type": "object", "properties": properties, "required": required}


def source_tree(function: Callable[..., Any]) -> ast.Module | None:
    """The parsed source of ``function`` (None without one: a builtin, a
    partial, a lambda inside a larger statement)."""
    try:
        return ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError, SyntaxError):
        return None


def _closure(function: Callable[..., Any]) -> dict[str, Any]:
    names = function.__code__.co_freevars
    cells = function.__closure__ or ()
    return {name: cell.cell_contents for name, cell in zip(names, cells, strict=True)}


def _first_dict(function: ast.FunctionDef) -> ast.Dict | None:
    """The dict literal the builder returns: ``return {...}``, or the one
    first given to the name it returns (``data = {...}`` ... ``return data``)."""
    returned = next((s.value for s in function.body if isinstance(s, ast.Return)), None)
    if isinstance(returned, ast.Dict):
        return returned
    if not isinstance(returned, ast.Name):
        return None
    for statement in function.body:
        targets = (
            statement.targets
            if isinstance(statement, ast.Assign)
            else [statement.target]
            if isinstance(statement, ast.AnnAssign)
            else []
        )
        value = getattr(statement, "value", None)
        named = any(isinstance(t, ast.Name) and t.id == returned.id for t in targets)
        if named and isinstance(value, ast.Dict):
            return value
    return None


@dataclass(frozen=True)
class _ValueTyper:
    """Types the expressions a builder puts under its keys."""

    model: str
    fields: Mapping[str, Any]
    scope: Mapping[str, Any]

    def schema(self, node: ast.expr) -> Schema:
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == self.model
            and node.attr in self.fields
        ):
            return type_schema(self.fields[node.attr])
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return self._returned(node.func.id)
        if isinstance(node, ast.Constant) and not isinstance(node.value, bytes):
            return type_schema(type(node.value))
        if isinstance(node, ast.JoinedStr):
            return {"type": "string"}
        if isinstance(node, ast.Dict):
            return {"type": "object"}
        if isinstance(node, ast.List | ast.ListComp):
            return {"type": "array"}
        return {}

    def _returned(self, name: str) -> Schema:
        function = self.scope.get(name)
        if function in (dict, list, str, int, bool, float):
            return type_schema(function)
        if not callable(function):
            return {}
        try:
            returned = typing.get_type_hints(function).get("return")
        except (NameError, TypeError):
            return {}
        return type_schema(returned) if returned is not None else {}
