"""Collection queries: ``$filter``, ``$orderby``, ``$first``/``$last``,
``$select``, ``$expand``.

``$filter`` accepts attribute comparisons (``=``, ``!=``, ``<``, ``<=``, ``>``,
``>=``) against quoted strings, numbers or booleans, combined with ``and``,
``or`` and parentheses (``and`` binds tighter); ``property['key']`` names an
entry of the ``properties`` map. Several ``$filter`` parameters are ANDed.
``$orderby=attr[:asc|:desc],...`` sorts before paging. ``count`` is the number
of entries matching ``$filter``, not the size of the ``$first``/``$last`` page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import request

from deltaflask.errors import ValidationFailure
from deltaflask.plugins.cimi.numbers import parse_position
from deltaflask.plugins.cimi.render import Collection
from deltaflask.plugins.cimi.selection import select

Entry = dict[str, Any]
Predicate = Callable[[Entry], bool]

TOKEN = re.compile(
    r"\s*(?:(?P<lparen>\()|(?P<rparen>\))|(?P<op>!=|<=|>=|=|<|>)"
    r"|property\[(?:'(?P<pquoted>[^']*)'|\"(?P<pdquoted>[^\"]*)\")\]"
    r"|'(?P<squoted>[^']*)'|\"(?P<dquoted>[^\"]*)\"|(?P<word>[A-Za-z0-9_.:/\-]+))"
)
ORDER_ITEM = re.compile(r"^(?P<name>[A-Za-z][A-Za-z0-9]*)(?::(?P<way>asc|desc))?$")
MAX_FILTER = 1024
MAX_FILTERS = 16
#: how deeply ``$filter`` parentheses may nest
MAX_NESTING = 16
MAX_ORDER_KEYS = 16


def apply(
    collection: Collection, expand: Callable[[Entry, set[str]], Entry] | None = None
) -> Collection:
    """Apply the request's query parameters to ``collection`` (in place)."""
    entries = collection.entries
    filters = request.args.getlist("$filter")
    if len(filters) > MAX_FILTERS:
        raise ValidationFailure(f"At most {MAX_FILTERS} $filter parameters")
    for text in filters:
        if text:
            predicate = parse_filter(text)
            entries = [entry for entry in entries if predicate(entry)]
    ordering = request.args.get("$orderby")
    if ordering:
        entries = order(entries, ordering)
    collection.count = len(entries)  # every match, whatever page is shown
    entries = _page(entries)
    names = expand_names()
    if expand is not None and names:
        entries = [expand(entry, names) for entry in entries]
    selection = request.args.get("$select")
    if selection:
        entries = [select(entry, selection) for entry in entries]
    collection.entries = entries
    return collection


def expand_names() -> set[str]:
    """The attribute names of ``$expand`` (``*`` stands for all)."""
    value = request.args.get("$expand") or ""
    return {name.strip() for name in value.split(",") if name.strip()}


def wants(names: set[str], attribute: str) -> bool:
    """Whether ``$expand`` asks for ``attribute``."""
    return "*" in names or attribute in names


def _page(entries: list[Entry]) -> list[Entry]:
    first = _position("$first", 1)
    last = _position("$last", len(entries))
    return entries[first - 1 : last] if first <= last else []


def _position(name: str, default: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    return parse_position(name, raw)


def order(entries: list[Entry], ordering: str) -> list[Entry]:
    """``entries`` sorted by ``attr[:asc|:desc],...`` (numbers by value; entries
    lacking an attribute last)."""
    items = ordering.split(",")
    if len(items) > MAX_ORDER_KEYS:
        raise ValidationFailure(f"$orderby names at most {MAX_ORDER_KEYS} attributes")
    keys = []
    for item in items:
        match = ORDER_ITEM.match(item.strip())
        if match is None:
            raise ValidationFailure(f"Invalid $orderby item '{item.strip()[:40]}'")
        keys.append((match["name"], match["way"] == "desc"))
    for name, descending in reversed(keys):  # stable sorts, least significant first
        present = [e for e in entries if _attribute(e, name) is not None]
        missing = [e for e in entries if _attribute(e, name) is None]
        present.sort(key=lambda e: _sort_key(_attribute(e, name)), reverse=descending)
        entries = present + missing
    return entries


def _sort_key(value: str | None) -> tuple[int, float, str]:
    try:
        return (0, float(value or ""), "")
    except ValueError:
        return (1, 0.0, value or "")


# -- $filter -----------------------------------------------------------------------
def parse_filter(text: str) -> Predicate:
    """Compile a ``$filter`` expression into a predicate (400 if malformed)."""
    if len(text) > MAX_FILTER:
        raise ValidationFailure("$filter is too long")
    tokens = _tokens(text)
    parser = _Parser(tokens)
    predicate = parser.disjunction()
    if parser.position != len(tokens):
        raise ValidationFailure("Invalid $filter: unexpected text after the expression")
    return predicate


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise ValidationFailure(f"Invalid $filter near position {position}")
        kind = match.lastgroup or ""
        value = match.group(kind)
        if kind in ("squoted", "dquoted"):
            kind = "string"
        elif kind in ("pquoted", "pdquoted"):
            kind, value = "word", f"property[{value}]"
        tokens.append((kind, value))
        position = match.end()
        while position < len(text) and text[position].isspace():
            position += 1
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.position = 0
        self.nesting = 0

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _next(self) -> tuple[str, str]:
        token = self._peek()
        if token is None:
            raise ValidationFailure("Invalid $filter: the expression is incomplete")
        self.position += 1
        return token

    def _keyword(self, word: str) -> bool:
        token = self._peek()
        if token and token[0] == "word" and token[1].lower() == word:
            self.position += 1
            return True
        return False

    def disjunction(self) -> Predicate:
        parts = [self.conjunction()]
        while self._keyword("or"):
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else lambda e: any(p(e) for p in parts)

    def conjunction(self) -> Predicate:
        parts = [self.term()]
        while self._keyword("and"):
            parts.append(self.term())
        return parts[0] if len(parts) == 1 else lambda e: all(p(e) for p in parts)

    def term(self) -> Predicate:
        kind, value = self._next()
        if kind == "lparen":
            self.nesting += 1
            if self.nesting > MAX_NESTING:
                raise ValidationFailure(
                    f"Invalid $filter: parentheses nest deeper than {MAX_NESTING}"
                )
            inner = self.disjunction()
            if self._next()[0] != "rparen":
                raise ValidationFailure("Invalid $filter: missing ')'")
            self.nesting -= 1
            return inner
        if kind != "word":
            raise ValidationFailure("Invalid $filter: an attribute name is expected")
        op_kind, op = self._next()
        if op_kind != "op":
            raise ValidationFailure(
                f"Invalid $filter: an operator is expected after '{value[:40]}'"
            )
        literal_kind, literal = self._next()
        if literal_kind not in ("string", "word"):
            raise ValidationFailure("Invalid $filter: a value is expected")
        return _comparison(value, op, literal)


def _comparison(attribute: str, op: str, literal: str) -> Predicate:
    def predicate(entry: Entry) -> bool:
        actual = _attribute(entry, attribute)
        if actual is None:
            return op == "!="
        left: Any = actual
        right: Any = literal
        try:
            left, right = float(actual), float(literal)
        except ValueError:
            if isinstance(actual, bool) or literal.lower() in ("true", "false"):
                left, right = str(actual).lower(), literal.lower()
        return {
            "=": left == right,
            "!=": left != right,
            "<": left < right,
            "<=": left <= right,
            ">": left > right,
            ">=": left >= right,
        }[op]

    return predicate


def _attribute(entry: Entry, name: str) -> str | None:
    if name.startswith("property[") and name.endswith("]"):
        value = (entry.get("properties") or {}).get(name[len("property[") : -1])
        return None if value is None else str(value)
    value = entry.get(name)
    if isinstance(value, dict):
        value = value.get("href")
    if value is None or isinstance(value, list | Collection):
        return None
    return str(value)
