"""JSON Schemas from Python: type hints, dataclasses and the expressions a
JSON builder returns (read from its source)."""

from __future__ import annotations

import ast
import dataclasses
import enum
import functools
import inspect
import textwrap
import types
import typing
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any

Schema = dict[str, Any]
#: a function node whose returned expressions make a JSON document
FunctionNode = ast.FunctionDef | ast.Lambda


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


@functools.lru_cache(maxsize=4096)
def source_tree(function: Callable[..., Any]) -> ast.Module | None:
    """The parsed source of ``function`` (None without one: a builtin, a
    partial); kept, as a document reads each function many times (the trees
    are only read)."""
    try:
        return ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError, SyntaxError):
        return None


def function_node(function: Callable[..., Any]) -> ast.FunctionDef | None:
    """The ``def`` of ``function`` (None for a lambda or without source)."""
    tree = source_tree(function)
    node = tree.body[0] if tree and tree.body else None
    return node if isinstance(node, ast.FunctionDef) else None


def scope_of(function: Callable[..., Any]) -> dict[str, Any]:
    """The names ``function`` sees: its module's globals and its closure."""
    function = inspect.unwrap(function)
    names = function.__code__.co_freevars
    cells = function.__closure__ or ()
    closure = {n: c.cell_contents for n, c in zip(names, cells, strict=True)}
    return {**function.__globals__, **closure}


def model_of(function: Callable[..., Any]) -> type | None:
    """The dataclass a builder's first parameter is annotated with."""
    try:
        hints = typing.get_type_hints(function)
        first = next(iter(inspect.signature(function).parameters), None)
    except (NameError, TypeError, ValueError):
        return None
    model = hints.get(first) if first else None
    return (
        model if isinstance(model, type) and dataclasses.is_dataclass(model) else None
    )


@dataclass
class Components:
    """The named schemas of a document: one per JSON builder met, named after
    its model (or the name it was registered under)."""

    schemas: dict[str, Schema] = field(default_factory=dict)
    names: dict[Callable[..., Any], str] = field(default_factory=dict)
    #: functions whose answer is their first argument with empty members
    #: dropped (so none of them is required)
    transparent: frozenset[Callable[..., Any]] = frozenset()

    def builder(self, function: Callable[..., Any], name: str = "") -> Schema:
        """A ``$ref`` to the schema of builder ``function`` (built on first use)."""
        if function not in self.names:
            model = model_of(function)
            chosen = name or (model.__name__ if model else function.__name__)
            while chosen in self.schemas:
                chosen += "_"
            self.names[function] = chosen
            self.schemas[chosen] = {}  # a builder that refers to itself
            self.schemas[chosen] = builder_schema(function, self)
        return {"$ref": f"#/components/schemas/{self.names[function]}"}

    def resolve(self, schema: Schema) -> Schema:
        """``schema``, or the component it refers to."""
        ref = schema.get("$ref", "")
        return self.schemas.get(ref.rsplit("/", 1)[-1], {}) if ref else schema


def builder_schema(builder: Callable[..., Any], components: Components) -> Schema:
    """The JSON object a builder function returns, read from its source.

    The builder takes a model (its first parameter, annotated with a
    dataclass) and returns a dict built from literals and ``data[key] = ...``
    assignments. Each string key becomes a property typed from what it is
    given (see :class:`Typer`). The keys of the first dict literal are required.
    """
    node = function_node(builder)
    if node is None:
        return {"type": "object"}
    typer = Typer.of(builder, node, components)
    first = _first_dict(node)
    schema = typer.schema(first) if first is not None else {"type": "object"}
    properties = schema.setdefault("properties", {})
    for item in ast.walk(node):
        if isinstance(item, ast.Assign) and isinstance(item.targets[0], ast.Subscript):
            key = item.targets[0].slice
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                properties.setdefault(key.value, typer.schema(item.value))
    schema.setdefault("required", [])
    return schema


def returned_schema(function: Callable[..., Any], components: Components) -> Schema:
    """The JSON object ``function`` returns: a ``def`` read by
    :func:`builder_schema`, a lambda by what its body is."""
    if function_node(function) is not None:
        return builder_schema(function, components)
    tree = source_tree(function)
    lambdas = [n for n in ast.walk(tree) if isinstance(n, ast.Lambda)] if tree else []
    if len(lambdas) != 1:
        return {"type": "object"}
    typer = Typer(components, scope_of(function), {})
    return typer.schema(lambdas[0].body)


def _first_dict(function: ast.FunctionDef) -> ast.expr | None:
    """The dict the builder returns: ``return {...}``, or the one first given
    to the name it returns (``data = {...}`` ... ``return data``)."""
    returned = next((s.value for s in function.body if isinstance(s, ast.Return)), None)
    if not isinstance(returned, ast.Name):
        return returned
    for statement in function.body:
        if isinstance(statement, ast.Assign | ast.AnnAssign):
            targets = (
                statement.targets
                if isinstance(statement, ast.Assign)
                else [statement.target]
            )
            named = any(
                isinstance(t, ast.Name) and t.id == returned.id for t in targets
            )
            if named and statement.value is not None:
                return statement.value
    return None


@dataclass
class Typer:
    """Types the expressions a builder or a view puts in a JSON document.

    ``model.field`` is typed by the field's hint; a call by what it calls (a
    builder of another model becomes a ``$ref``, else its return annotation);
    a literal by its kind; dicts, lists and comprehensions by their members;
    a local name by what it was given. Anything else is unconstrained.
    """

    components: Components
    scope: Mapping[str, Any]
    locals: dict[str, ast.AST]
    model: str = ""
    fields: Mapping[str, Any] = field(default_factory=dict)
    seen: set[int] = field(default_factory=set)

    @classmethod
    def of(
        cls, function: Callable[..., Any], node: FunctionNode, components: Components
    ) -> Typer:
        """The typer of ``function`` (whose source is ``node``)."""
        model = model_of(function)
        first = node.args.args[0].arg if node.args.args else ""
        return cls(
            components,
            scope_of(function),
            local_values(node),
            first if model else "",
            typing.get_type_hints(model) if model else {},
        )

    def schema(self, node: ast.AST) -> Schema:
        """The JSON Schema of the value of expression ``node``."""
        if id(node) in self.seen:
            return {}
        self.seen.add(id(node))
        try:
            return self._schema(node)
        finally:
            self.seen.discard(id(node))

    def _schema(self, node: ast.AST) -> Schema:
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id == self.model and node.attr in self.fields:
                return type_schema(self.fields[node.attr])
            return {}
        if isinstance(node, ast.Name):
            return self._name(node.id)
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, ast.Constant) and not isinstance(node.value, bytes):
            return type_schema(type(node.value))
        if isinstance(node, ast.JoinedStr):
            return {"type": "string"}
        if isinstance(node, ast.Dict):
            return self._dict(node)
        if isinstance(node, ast.DictComp):
            return {"type": "object", "additionalProperties": self.schema(node.value)}
        if isinstance(node, ast.ListComp):
            return {"type": "array", "items": self.schema(node.elt)}
        if isinstance(node, ast.List):
            return {"type": "array", "items": _any_of(map(self.schema, node.elts))}
        if isinstance(node, ast.IfExp):
            return _any_of([self.schema(node.body), self.schema(node.orelse)])
        if isinstance(node, ast.Lambda):
            return self.schema(node.body)
        if isinstance(node, ast.FunctionDef):
            returned = _first_dict(node)
            return self.schema(returned) if returned is not None else {}
        return {}

    def _name(self, name: str) -> Schema:
        if name in self.locals:
            return self.schema(self.locals[name])
        value = self.scope.get(name)
        if callable(value) and function_node(value) is not None:
            return self._called(value)
        return {}

    def _dict(self, node: ast.Dict) -> Schema:
        properties: dict[str, Schema] = {}
        required = []
        for key, value in zip(node.keys, node.values, strict=True):
            if key is None:  # ``**spread``: its properties, unrequired
                spread = self.components.resolve(self.schema(value))
                properties.update(spread.get("properties", {}))
            elif isinstance(key, ast.Constant) and isinstance(key.value, str):
                properties[key.value] = self.schema(value)
                required.append(key.value)
        return {"type": "object", "properties": properties, "required": required}

    def _call(self, node: ast.Call) -> Schema:
        function = self._callee(node.func)
        if function in self.components.transparent and node.args:
            schema = dict(self.schema(node.args[0]))
            schema.pop("required", None)
            return schema
        if function in (dict, list, str, int, bool, float):
            return type_schema(function)
        if not callable(function):
            return {}
        return self._called(function)

    def _callee(self, func: ast.expr) -> Any:
        if isinstance(func, ast.Name):
            return self.scope.get(func.id)
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            owner = self.scope.get(func.value.id)
            return getattr(owner, func.attr, None) if owner is not None else None
        return None

    def _called(self, function: Callable[..., Any]) -> Schema:
        try:
            returned = typing.get_type_hints(function).get("return")
        except (NameError, TypeError):
            return {}
        if returned is None:
            return {}
        hinted = type_schema(returned)
        if hinted.get("type") != "object" or function_node(function) is None:
            return hinted
        if model_of(function) is not None:  # a model's builder: one schema
            return self.components.builder(function)
        return builder_schema(function, self.components)


def local_values(node: FunctionNode) -> dict[str, ast.AST]:
    """Each local name of ``node`` bound once by ``name = value`` (or a nested
    ``def``) -> what it is given."""
    found: dict[str, ast.AST] = {}
    if isinstance(node, ast.Lambda):
        return found
    for item in ast.walk(node):
        if item is node:
            continue
        if isinstance(item, ast.FunctionDef):
            found.setdefault(item.name, item)
        elif isinstance(item, ast.Assign) and len(item.targets) == 1:
            target = item.targets[0]
            if isinstance(target, ast.Name):
                found.setdefault(target.id, item.value)
        elif (
            isinstance(item, ast.AnnAssign)
            and isinstance(item.target, ast.Name)
            and item.value is not None
        ):
            found.setdefault(item.target.id, item.value)
    return found


def _any_of(schemas: Any) -> Schema:
    distinct: list[Schema] = []
    for schema in schemas:
        if schema not in distinct:
            distinct.append(schema)
    if not distinct or {} in distinct:
        return {}
    return distinct[0] if len(distinct) == 1 else {"anyOf": distinct}
