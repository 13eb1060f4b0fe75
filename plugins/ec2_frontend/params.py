"""Reading EC2 Query parameters: lists (``Name.N``), filters and scalars."""

from __future__ import annotations

import re
from collections.abc import Mapping

from deltaflask.plugins.ec2_frontend.errors import EC2Error
from deltaflask.plugins.ec2_frontend.errors import invalid_value
from deltaflask.plugins.ec2_frontend.errors import missing_parameter
from deltaflask.plugins.ec2_frontend.errors import shown

Params = Mapping[str, str]
SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@+-]{0,127}$")
#: an integer as EC2 writes it: ASCII digits, at most 18 (so any value fits int64)
INTEGER = re.compile(r"^-?[0-9]{1,18}$")
#: the ``N`` of ``Name.N``: a list position, 1 to 9 digits
INDEX = re.compile(r"^[0-9]{1,9}$")


def get_str(params: Params, name: str) -> str | None:
    """A scalar parameter, or ``None`` when absent or empty."""
    value = params.get(name)
    return value if value else None


def require(params: Params, name: str) -> str:
    """A required scalar parameter (``MissingParameter`` otherwise)."""
    value = get_str(params, name)
    if value is None:
        raise missing_parameter(name)
    return value


def require_id(params: Params, name: str, code: str, kind: str) -> str:
    """A required id parameter, rejected with ``code`` when malformed."""
    return check_ids([require(params, name)], code, kind)[0]


def get_int(
    params: Params, name: str, low: int | None = None, high: int | None = None
) -> int | None:
    """An integer parameter within ``low``..``high``, or ``None`` when absent."""
    raw = get_str(params, name)
    return None if raw is None else parse_int(name, raw, low, high)


def parse_int(name: str, raw: str, low: int | None, high: int | None) -> int:
    """``raw`` as an integer within ``low``..``high`` (the one integer reader of
    the frontend: ASCII digits only, at most 18 of them)."""
    if not INTEGER.match(raw):
        raise invalid_value(name, raw, "an integer is expected")
    value = int(raw)
    if (low is not None and value < low) or (high is not None and value > high):
        limits = f"at least {low}" if high is None else f"between {low} and {high}"
        raise invalid_value(name, raw, f"must be {limits}")
    return value


def get_bool(params: Params, name: str) -> bool:
    """A boolean parameter (``true``/``false``; absent is false)."""
    raw = (get_str(params, name) or "false").lower()
    if raw not in ("true", "false"):
        raise invalid_value(name, raw, "true or false is expected")
    return raw == "true"


def get_list(params: Params, prefix: str) -> list[str]:
    """Values of ``prefix.1`` .. ``prefix.N`` in index order."""
    pattern = re.compile(rf"^{re.escape(prefix)}\.([^.]+)$")
    found = []
    for key, value in params.items():
        match = pattern.match(key)
        if match and value:
            found.append((_index(key, match.group(1)), value))
    return [value for _, value in sorted(found)]


def get_structs(params: Params, prefix: str) -> list[dict[str, str]]:
    """``prefix.N.Member...`` entries as one flat dict per N, in index order."""
    pattern = re.compile(rf"^{re.escape(prefix)}\.([^.]+)\.(.+)$")
    found: dict[int, dict[str, str]] = {}
    for key, value in params.items():
        match = pattern.match(key)
        if match:
            found.setdefault(_index(key, match.group(1)), {})[match.group(2)] = value
    return [found[index] for index in sorted(found)]


def _index(key: str, raw: str) -> int:
    """The list position ``N`` of parameter ``key`` (``InvalidParameterValue``
    unless it is a plain number)."""
    if not INDEX.match(raw):
        raise EC2Error(
            "InvalidParameterValue",
            f"The parameter {key[:64]} must be numbered: Name.N with N a number",
        )
    return int(raw)


def get_filters(params: Params) -> dict[str, list[str]]:
    """``Filter.N.Name`` / ``Filter.N.Value.M`` as name -> values."""
    filters: dict[str, list[str]] = {}
    for entry in get_structs(params, "Filter"):
        name = entry.get("Name")
        if not name:
            raise missing_parameter("Filter.N.Name")
        values = get_list(entry, "Value")
        if not values:
            raise EC2Error("InvalidParameterValue", f"The filter '{name}' has no value")
        filters.setdefault(name, []).extend(values)
    return filters


def check_ids(ids: list[str], code: str, kind: str) -> list[str]:
    """Reject ids that cannot name anything with ``code`` (a ``.Malformed`` code)."""
    for value in ids:
        if not SAFE_ID.match(value) or ".." in value:
            raise EC2Error(
                code, f'Invalid id: "{shown(value)}" is not a valid {kind} id'
            )
    return ids
