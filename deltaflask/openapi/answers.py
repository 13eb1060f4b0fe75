"""The answers a view gives, found in its source.

A frontend answers through a few *primitives* (render a document, answer
empty, redirect, a collection's "created"); :func:`answers` finds each call
of one in the view, and in the helpers of the frontend the view calls, with
the status it passes (a constant, a helper's argument or its default) and
the JSON body it builds (typed by :class:`.types.Typer`).
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from deltaflask.openapi.types import Components
from deltaflask.openapi.types import Schema
from deltaflask.openapi.types import Typer
from deltaflask.openapi.types import function_node
from deltaflask.openapi.types import scope_of
from deltaflask.openapi.types import source_tree

MAX_DEPTH = 4
STATUS_KEYWORDS = ("status", "code")


@dataclass(frozen=True)
class Primitive:
    """How one answering call answers."""

    #: the status when the call does not give one
    status: int
    #: the position of the status among the call's arguments
    status_at: int | None = None
    #: the JSON body it sends (``None``: none)
    body: Callable[[ast.Call, Typer], Schema | None] | None = None
    #: the media type of a body that is not JSON (an HTML page)
    media: str = ""


#: the primitive a resolved callable is, if any
Recognizer = Callable[[Any], Primitive | None]


@dataclass
class Answers:
    """Status -> the JSON Schema of the body (``None``: no JSON body), and
    the media type of the bodies that are not JSON."""

    bodies: dict[int, Schema | None] = field(default_factory=dict)
    media: dict[int, str] = field(default_factory=dict)


def answers(
    view: Callable[..., Any],
    recognize: Recognizer,
    components: Components,
    package: str,
) -> Answers:
    """Each status ``view`` answers with and its body; helpers are followed
    when they are functions of ``package``."""
    found = Answers()
    _scan(view, {}, found, recognize, components, package, MAX_DEPTH)
    return found


def _scan(
    function: Callable[..., Any],
    bound: dict[str, Any],
    found: Answers,
    recognize: Recognizer,
    components: Components,
    package: str,
    depth: int,
) -> None:
    node = function_node(function) or _lambda(function)
    if node is None or depth == 0:
        return
    scope = scope_of(function)
    defaults = _defaults(node) if isinstance(node, ast.FunctionDef) else {}
    typer = Typer.of(function, node, components)
    for call in ast.walk(node):
        if not isinstance(call, ast.Call):
            continue
        target = _resolve(call.func, scope)
        primitive = recognize(target) if target is not None else None
        if primitive is not None:
            status = _status(call, primitive, {**defaults, **bound})
            body = primitive.body(call, typer) if primitive.body else None
            _merge(found.bodies, status, body)
            if primitive.media:
                found.media[status] = primitive.media
        elif (
            callable(target)
            and (getattr(target, "__module__", None) or "").startswith(package)
            and getattr(target, "__self__", None) is None
            and function_node(target) is not None
        ):
            given = _arguments(target, call, {**defaults, **bound})
            _scan(target, given, found, recognize, components, package, depth - 1)


def _lambda(function: Callable[..., Any]) -> ast.Lambda | None:
    """The lambda ``function`` is, read from the statement that makes it."""
    tree = source_tree(function)
    found = [n for n in ast.walk(tree) if isinstance(n, ast.Lambda)] if tree else []
    return found[0] if len(found) == 1 else None


def _resolve(func: ast.expr, scope: dict[str, Any]) -> Any:
    if isinstance(func, ast.Name):
        return scope.get(func.id)
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        owner = scope.get(func.value.id)
        return getattr(owner, func.attr, None) if owner is not None else None
    return None


def _defaults(node: ast.FunctionDef) -> dict[str, Any]:
    """Parameter -> its constant default."""
    args = node.args.args
    values = node.args.defaults
    pairs = zip(args[len(args) - len(values) :], values, strict=True)
    found = {a.arg: v.value for a, v in pairs if isinstance(v, ast.Constant)}
    for a, v in zip(node.args.kwonlyargs, node.args.kw_defaults, strict=True):
        if isinstance(v, ast.Constant):
            found[a.arg] = v.value
    return found


def _arguments(
    target: Callable[..., Any], call: ast.Call, known: dict[str, Any]
) -> dict[str, Any]:
    """The constant arguments ``call`` hands ``target``, by parameter name."""
    node = function_node(target)
    if node is None:
        return {}
    names = [a.arg for a in node.args.args]
    given = {}
    for index, arg in enumerate(call.args):
        value = _value(arg, known)
        if index < len(names) and value is not None:
            given[names[index]] = value
    for keyword in call.keywords:
        value = _value(keyword.value, known)
        if keyword.arg and value is not None:
            given[keyword.arg] = value
    return given


def _value(node: ast.expr, known: dict[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return known.get(node.id)
    return None


def _status(call: ast.Call, primitive: Primitive, known: dict[str, Any]) -> int:
    given: ast.expr | None = None
    if primitive.status_at is not None and len(call.args) > primitive.status_at:
        given = call.args[primitive.status_at]
    for keyword in call.keywords:
        if keyword.arg in STATUS_KEYWORDS:
            given = keyword.value
    value = _value(given, known) if given is not None else None
    return value if isinstance(value, int) else primitive.status


def _merge(found: dict[int, Schema | None], status: int, body: Schema | None) -> None:
    """Note an answer; several bodies for one status become ``anyOf``."""
    known = found.get(status)
    if body is None or known == body:
        found.setdefault(status, body)
    elif known is None:
        found[status] = body
    elif list(known) == ["anyOf"]:
        if body not in known["anyOf"]:
            known["anyOf"].append(body)
    else:
        found[status] = {"anyOf": [known, body]}
