"""The request parameters a view reads, found in its source.

A view reads its parameters from the mapping a *source* function returns
(``params = request_params()``); this module follows that mapping through the
view and the functions of the view's own module it is handed to, and
collects what is read from it:

- ``require(params, "a", "b")``: required fields;
- ``params["a"]`` and ``params.get("a")``: fields; with an f-string key, the
  names it can form (``f"hwp_{p}" for p in CONSTANT``) or a name pattern;
- ``for key, value in params.items()`` filtered by ``key.startswith("x")`` or
  ``REGEX.match(key)``: a name pattern;
- ``request.files.get("a")``: an uploaded file;
- ``request.stream``: the raw body;
- ``request.headers.get(name)`` and ``request.args.get(name)``: a header or a
  query parameter (``name`` a constant, or one handed to a helper).

A field handed to ``whole_number`` or ``positive_number`` is a number (with
the bounds given), one compared ``in ("true", ...)`` is a flag; others are
text. The description is the code's own reading, so it cannot drift from it.
"""

from __future__ import annotations

import ast
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from deltaflask.openapi.types import Schema
from deltaflask.openapi.types import function_node
from deltaflask.openapi.types import scope_of

TEXT: Schema = {"type": "string"}
#: how deep to follow the parameters into helper functions
MAX_DEPTH = 4


@dataclass(frozen=True)
class Readers:
    """The names of the functions of a frontend that read parameters."""

    #: functions returning the request's parameters as a mapping
    sources: frozenset[str]
    #: ``require(params, *names)``: refuses a request without those names
    require: str
    #: ``filters(("a", "b"))``: the query parameters a list filters on
    filters: str
    #: ``check(value, name, minimum, maximum)`` -> the JSON Schema of a valid value
    checks: dict[str, Callable[[list[Any]], Schema]]


@dataclass
class Reading:
    """What a view reads of its request."""

    fields: dict[str, Schema] = field(default_factory=dict)
    patterns: dict[str, Schema] = field(default_factory=dict)
    required: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    raw: bool = False
    #: ``in`` ("header", "query") -> the names read there
    parameters: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, schema: Schema) -> None:
        """Note field ``name``; a typed reading wins over plain text."""
        if self.fields.get(name, TEXT) == TEXT:
            self.fields[name] = schema

    @property
    def empty(self) -> bool:
        """Whether nothing of the body is read."""
        return not (self.fields or self.patterns or self.required or self.files)

    def schema(self) -> Schema:
        """The JSON Schema of the body's fields."""
        schema: Schema = {"type": "object", "properties": dict(self.fields)}
        for name in [*self.files, *self.required]:
            schema["properties"].setdefault(name, TEXT)
        if self.patterns:
            schema["patternProperties"] = dict(self.patterns)
        if self.required:
            schema["required"] = list(dict.fromkeys(self.required))
        return schema


def reading(view: Callable[..., Any], readers: Readers) -> Reading:
    """What ``view`` reads of its request."""
    found = Reading()
    _scan(view, set(), {}, found, readers, MAX_DEPTH, set())
    return found


def _scan(
    function: Callable[..., Any],
    params: set[str],
    constants: dict[str, Any],
    found: Reading,
    readers: Readers,
    depth: int,
    seen: set[Any],
) -> None:
    node = function_node(function)
    visit = (function, frozenset(params), frozenset(constants.items()))
    if node is None or depth == 0 or visit in seen:
        return
    seen.add(visit)
    scope = scope_of(function)
    names = set(params) | _sourced(node, params, readers)
    parents = {
        child: parent
        for parent in ast.walk(node)
        for child in ast.iter_child_nodes(parent)
    }
    keys = _item_keys(node, names)
    for item in ast.walk(node):
        if _is_request(item, "stream"):
            found.raw = True
        if not isinstance(item, ast.Call | ast.Subscript):
            continue
        key = _read_key(item, names)
        if key is not None:
            loops = {
                v.value.id: _loop_value(v.value.id, item, parents, scope)
                for v in ast.walk(key)
                if isinstance(v, ast.FormattedValue) and isinstance(v.value, ast.Name)
            }
            _note(found, key, _typed(item, parents, readers), loops)
        if not isinstance(item, ast.Call):
            continue
        callee = _name_of(item.func)
        if callee == readers.require and _handed(item, names):
            found.required += [
                a.value for a in item.args[1:] if isinstance(a, ast.Constant)
            ]
        upload = _file_read(item)
        if upload:
            found.files.append(upload)
        _parameter_read(item, constants, found)
        if (
            callee == readers.filters
            and item.args
            and isinstance(item.args[0], ast.Tuple)
        ):
            for name in item.args[0].elts:
                if isinstance(name, ast.Constant) and isinstance(name.value, str):
                    _add_parameter(found, "query", name.value)
        if (
            isinstance(item.func, ast.Attribute)
            and isinstance(item.func.value, ast.Name)
            and item.func.value.id in keys
        ):
            _pattern_filter(found, item, scope)
        if (
            isinstance(item.func, ast.Attribute)
            and item.func.attr in ("match", "fullmatch")
            and any(isinstance(a, ast.Name) and a.id in keys for a in item.args)
        ):
            _pattern_filter(found, item, scope)
        target = scope.get(callee) if isinstance(item.func, ast.Name) else None
        if (
            callable(target)
            and getattr(target, "__module__", None) == function.__module__
        ):
            _scan(
                target,
                _bound(target, item, names),
                _constants(target, item, constants),
                found,
                readers,
                depth - 1,
                seen,
            )


def _sourced(node: ast.FunctionDef, params: set[str], readers: Readers) -> set[str]:
    """Names given the parameters: ``params = request_params()``, or a call
    handed them (``params = adjust(params)``)."""
    names = set(params)
    for item in ast.walk(node):
        if (
            isinstance(item, ast.Assign)
            and len(item.targets) == 1
            and isinstance(item.targets[0], ast.Name)
            and isinstance(item.value, ast.Call)
        ):
            call = item.value
            if _name_of(call.func) in readers.sources or _handed(call, names):
                names.add(item.targets[0].id)
    return names


def _handed(call: ast.Call, names: set[str]) -> bool:
    return any(isinstance(a, ast.Name) and a.id in names for a in call.args)


def _bound(target: Callable[..., Any], call: ast.Call, names: set[str]) -> set[str]:
    """The parameters of ``target`` that ``call`` hands the mapping to."""
    node = function_node(target)
    if node is None:
        return set()
    declared = [a.arg for a in node.args.args]
    return {
        declared[i]
        for i, arg in enumerate(call.args)
        if i < len(declared) and isinstance(arg, ast.Name) and arg.id in names
    }


def _constants(
    target: Callable[..., Any], call: ast.Call, known: dict[str, Any]
) -> dict[str, Any]:
    """The constant arguments ``call`` hands ``target``, by parameter name."""
    node = function_node(target)
    if node is None:
        return {}
    declared = [a.arg for a in node.args.args]
    given = {}
    for index, arg in enumerate(call.args[: len(declared)]):
        if isinstance(arg, ast.Constant):
            given[declared[index]] = arg.value
        elif isinstance(arg, ast.Name) and arg.id in known:
            given[declared[index]] = known[arg.id]
    return given


def _parameter_read(call: ast.Call, constants: dict[str, Any], found: Reading) -> None:
    """``request.headers.get(name)`` or ``request.args.get(name)``."""
    func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr == "get" and call.args):
        return
    place = next(
        (
            p
            for a, p in (("headers", "header"), ("args", "query"))
            if _is_request(func.value, a)
        ),
        None,
    )
    name = call.args[0]
    value = (
        name.value
        if isinstance(name, ast.Constant)
        else constants.get(name.id)
        if isinstance(name, ast.Name)
        else None
    )
    if place and isinstance(value, str):
        _add_parameter(found, place, value)


def _add_parameter(found: Reading, place: str, name: str) -> None:
    names = found.parameters.setdefault(place, [])
    if name not in names:
        names.append(name)


def _name_of(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _is_request(node: ast.AST, attr: str) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == attr
        and isinstance(node.value, ast.Name)
        and node.value.id == "request"
    )


def _read_key(node: ast.Call | ast.Subscript, names: set[str]) -> ast.expr | None:
    """The key of ``params[key]`` or ``params.get(key, ...)``."""
    if isinstance(node, ast.Subscript):
        if isinstance(node.value, ast.Name) and node.value.id in names:
            return node.slice
        return None
    func = node.func
    if (
        isinstance(func, ast.Attribute)
        and func.attr == "get"
        and isinstance(func.value, ast.Name)
        and func.value.id in names
        and node.args
    ):
        return node.args[0]
    return None


def _file_read(node: ast.Call) -> str | None:
    """``"a"`` of ``request.files.get("a")``."""
    func = node.func
    if (
        isinstance(func, ast.Attribute)
        and func.attr == "get"
        and _is_request(func.value, "files")
        and node.args
        and isinstance(node.args[0], ast.Constant)
    ):
        return str(node.args[0].value)
    return None


def _typed(node: ast.AST, parents: dict[ast.AST, ast.AST], readers: Readers) -> Schema:
    """The schema of a value read at ``node``, from what it is handed to."""
    parent = parents.get(node)
    while isinstance(parent, ast.BoolOp):  # ``params.get("n") or "1"``
        node, parent = parent, parents.get(parent)
    if isinstance(parent, ast.Call) and parent.args and parent.args[0] is node:
        check = readers.checks.get(_name_of(parent.func))
        if check is not None:
            return check([_constant(a) for a in parent.args[1:]])
    if (
        isinstance(parent, ast.Compare)
        and isinstance(parent.ops[0], ast.In)
        and isinstance(parent.comparators[0], ast.Tuple)
    ):
        words = [_constant(e) for e in parent.comparators[0].elts]
        return {
            "type": ["boolean", "string"],
            "description": f"true when one of {', '.join(map(str, words))} (or true)",
        }
    return dict(TEXT)


def _constant(node: ast.expr) -> Any:
    return node.value if isinstance(node, ast.Constant) else None


def _note(found: Reading, key: ast.expr, schema: Schema, loops: dict[str, Any]) -> None:
    if isinstance(key, ast.Constant) and isinstance(key.value, str):
        found.add(key.value, schema)
    elif isinstance(key, ast.JoinedStr):
        parts = [_part(v, loops) for v in key.values]
        if all(isinstance(p, list) for p in parts):
            for names in itertools.product(*parts):
                found.add("".join(names), schema)
        else:
            regex = "".join(
                "(" + "|".join(map(re.escape, p)) + ")" if isinstance(p, list) else p
                for p in parts
            )
            found.patterns.setdefault(f"^{regex}$", schema)


def _part(value: ast.expr, loops: dict[str, Any]) -> list[str] | str:
    """A piece of an f-string key: its possible texts, or a regex."""
    if isinstance(value, ast.Constant):
        return [str(value.value)]
    if isinstance(value, ast.FormattedValue) and isinstance(value.value, ast.Name):
        known = loops.get(value.value.id)
        if isinstance(known, list):
            return known
        if known == "digits":
            return "[0-9]+"
    return ".+"


def _loop_value(
    name: str, node: ast.AST, parents: dict[ast.AST, ast.AST], scope: dict[str, Any]
) -> list[str] | str | None:
    """What the loop variable ``name`` around ``node`` takes: constant strings,
    ``"digits"`` for a ``range``, ``None`` when unknown."""
    parent = parents.get(node)
    while parent is not None:
        loops = (
            [parent]
            if isinstance(parent, ast.For)
            else parent.generators
            if isinstance(
                parent, ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp
            )
            else []
        )
        for loop in loops:
            if isinstance(loop.target, ast.Name) and loop.target.id == name:
                return _iterated(loop.iter, scope)
        parent = parents.get(parent)
    return None


def _iterated(source: ast.expr, scope: dict[str, Any]) -> list[str] | str | None:
    if isinstance(source, ast.Call) and _name_of(source.func) == "range":
        return "digits"
    value = scope.get(source.id) if isinstance(source, ast.Name) else None
    if isinstance(value, tuple | list | frozenset | set) and all(
        isinstance(v, str) for v in value
    ):
        return sorted(value)
    return None


def _item_keys(node: ast.FunctionDef, names: set[str]) -> set[str]:
    """Names bound to the keys of ``for key, value in params.items()``."""
    keys = set()
    for item in ast.walk(node):
        if not isinstance(item, ast.For | ast.comprehension):
            continue
        iterates = any(
            isinstance(c, ast.Call)
            and isinstance(c.func, ast.Attribute)
            and c.func.attr == "items"
            and isinstance(c.func.value, ast.Name)
            and c.func.value.id in names
            for c in ast.walk(item.iter)
        )
        target = item.target
        if (
            iterates
            and isinstance(target, ast.Tuple)
            and isinstance(target.elts[0], ast.Name)
        ):
            keys.add(target.elts[0].id)
    return keys


def _pattern_filter(found: Reading, call: ast.Call, scope: dict[str, Any]) -> None:
    """``key.startswith(...)`` or ``REGEX.match(key)``: the names it lets in."""
    func = call.func
    assert isinstance(func, ast.Attribute)
    if func.attr == "startswith" and call.args:
        prefixes = call.args[0]
        texts = (
            [_constant(e) for e in prefixes.elts]
            if isinstance(prefixes, ast.Tuple)
            else [_constant(prefixes)]
        )
        for text in texts:
            if isinstance(text, str):
                found.patterns.setdefault("^" + re.escape(text), dict(TEXT))
    elif isinstance(func.value, ast.Name):
        regex = scope.get(func.value.id)
        if isinstance(regex, re.Pattern):
            found.patterns.setdefault(regex.pattern, dict(TEXT))
