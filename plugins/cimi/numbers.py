"""The one integer reader of the CIMI frontend, for query parameters and
request bodies alike: ASCII digits only, at most 18 of them, within bounds,
so no value reaches ``int()``/``float()`` that could overflow or exceed
Python's digit limit."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import ValidationError
from marshmallow import fields

from deltaflask.errors import ValidationFailure

DIGITS = re.compile(r"^[0-9]{1,18}$")
#: the largest count a query may name ($first, $last, $select slices)
MAX_POSITION = 10**9


def parse_position(name: str, raw: str) -> int:
    """A 1-based position given as ``raw`` (400 unless 1..MAX_POSITION)."""
    if not DIGITS.match(raw) or not 1 <= int(raw) <= MAX_POSITION:
        raise ValidationFailure(
            f"{name} must be a positive integer of at most {MAX_POSITION}"
        )
    return int(raw)


class BoundedInteger(fields.Integer):
    """An integer attribute within ``low``..``high``: a JSON number or numeric
    text; fractions, huge numbers, infinities and booleans are invalid."""

    def __init__(self, low: int, high: int, **kwargs: Any) -> None:
        super().__init__(strict=False, **kwargs)
        self.low, self.high = low, high

    def _deserialize(
        self, value: Any, attr: str | None, data: Any, **kwargs: Any
    ) -> int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, str):
            value = value.strip()
            value = int(value) if DIGITS.match(value) else None
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError("must be an integer")
        if not self.low <= value <= self.high:
            raise ValidationError(f"must lie between {self.low} and {self.high}")
        return value
