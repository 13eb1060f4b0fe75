"""Helpers shared by the action modules: filters, pagination, lookups."""

from __future__ import annotations

import base64
import binascii
import fnmatch
import re
from collections.abc import Callable
from collections.abc import Mapping
from typing import Any
from typing import Protocol
from typing import TypeVar

from deltaflask.plugins.ec2_frontend.errors import EC2Error
from deltaflask.plugins.ec2_frontend.params import Params
from deltaflask.plugins.ec2_frontend.params import get_filters
from deltaflask.plugins.ec2_frontend.params import get_int
from deltaflask.plugins.ec2_frontend.params import get_str

Item = dict[str, Any]
FilterTable = Mapping[str, Callable[[Item], list[Any]]]
T = TypeVar("T")


class Identified(Protocol):
    """A resource with an id."""

    @property
    def id(self) -> str: ...


R = TypeVar("R", bound=Identified)


def path(*keys: str) -> Callable[[Item], list[Any]]:
    """A filter reading ``item[k1][k2]...`` (missing values match nothing)."""

    def read(item: Item) -> list[Any]:
        value: Any = item
        for key in keys:
            if not isinstance(value, Mapping):
                return []
            value = value.get(key)
        return [] if value is None else [value]

    return read


def apply_filters(items: list[Item], params: Params, table: FilterTable) -> list[Item]:
    """Keep items matching every ``Filter.N`` (values may use ``*`` and ``?``)."""
    for name, patterns in get_filters(params).items():
        reader = table.get(name)
        if reader is None:
            raise EC2Error("InvalidParameterValue", f"The filter '{name}' is invalid")
        items = [
            item
            for item in items
            if any(
                fnmatch.fnmatchcase(_text(value), pattern)
                for value in reader(item)
                for pattern in patterns
            )
        ]
    return items


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def natural(value: str) -> tuple[Any, ...]:
    """Sort key ordering ``inst2`` before ``inst10``."""
    return tuple(
        (0, int(part), "") if index % 2 else (1, 0, part)
        for index, part in enumerate(re.split(r"([0-9]{1,18})", value))
    )


def paginate(
    items: list[Item], key: str, params: Params, max_results: int | None
) -> tuple[list[Item], str | None]:
    """A page of ``items`` (sorted by ``key``) after ``NextToken``; the next token."""
    items = sorted(items, key=lambda item: natural(str(item[key])))
    token = get_str(params, "NextToken")
    if token is not None:
        start = _decode_token(token)
        items = [item for item in items if natural(str(item[key])) >= start]
    if max_results is None or len(items) <= max_results:
        return items, None
    following = str(items[max_results][key])
    return items[:max_results], base64.urlsafe_b64encode(following.encode()).decode()


def max_results(params: Params, low: int = 5, high: int = 1000) -> int | None:
    """The ``MaxResults`` parameter within the action's limits."""
    return get_int(params, "MaxResults", low, high)


def _decode_token(token: str) -> tuple[Any, ...]:
    try:
        raw = base64.b64decode(token.encode(), altchars=b"-_", validate=True)
        return natural(raw.decode())
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise EC2Error("InvalidNextToken", "The token is not valid") from None


def not_found(code: str, kind: str, value: str) -> EC2Error:
    """The error for one id that names nothing."""
    return EC2Error(code, f"The {kind} ID '{value}' does not exist")


def existing(found: T | None, code: str, kind: str, value: str) -> T:
    """``found``, or the error ``code`` when the lookup of ``value`` gave nothing."""
    if found is None:
        raise not_found(code, kind, value)
    return found


def check_found(wanted: list[str], found: list[str], code: str, kind: str) -> None:
    """Raise ``code`` naming the ids of ``wanted`` that were not found."""
    absent = [value for value in wanted if value not in set(found)]
    if absent:
        raise not_found(code, kind, ", ".join(absent))


def chosen(resources: list[R], wanted: list[str], code: str, kind: str) -> list[R]:
    """The ``resources`` whose ids are ``wanted`` (all when none are), raising
    ``code`` for wanted ids that name none of them."""
    check_found(wanted, [resource.id for resource in resources], code, kind)
    return [resource for resource in resources if not wanted or resource.id in wanted]


def state_name(state: str | None, names: Mapping[str, str], default: str) -> str:
    """An EC2 state name for a driver state (upper-case Deltacloud names)."""
    return names.get((state or "").upper(), default)
