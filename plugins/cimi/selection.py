"""``$select``: the attributes a client asks to read, for a collection's entries
and for a single resource alike (DSP0263 1.0.1 lets any read be projected)."""

from __future__ import annotations

import re
from typing import Any

from deltaflask.errors import ValidationFailure
from deltaflask.plugins.cimi.numbers import parse_position

SELECT_ITEM = re.compile(
    r"^(?P<name>[A-Za-z][A-Za-z0-9]*)(?:\[(?P<first>\d+)(?:-(?P<last>\d+))?\])?$"
)


def select(entry: dict[str, Any], selection: str) -> dict[str, Any]:
    """Keep the attributes in ``selection`` (``arr[i]``/``arr[i-j]``: 1-based),
    in the resource's own (schema) order whatever order the client lists them."""
    slices: dict[str, tuple[int, int] | None] = {}
    for item in selection.split(","):
        match = SELECT_ITEM.match(item.strip())
        if match is None:
            raise ValidationFailure(f"Invalid $select item '{item.strip()[:40]}'")
        first, last = match["first"], match["last"] or match["first"]
        window = (
            (parse_position("$select", first), parse_position("$select", last))
            if first
            else None
        )
        slices[match["name"]] = window
    kept: dict[str, Any] = {}
    for name, value in entry.items():
        if name not in slices:
            continue
        window = slices[name]
        if window and isinstance(value, list):
            value = value[max(window[0] - 1, 0) : window[1]]
        kept[name] = value
    return kept
