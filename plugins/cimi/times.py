"""Timestamps in CIMI's ISO 8601 form with an offset."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

FORMATS = ("%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ", "%a %b %d %H:%M:%S %Y")


def iso(value: str | None = None) -> str:
    """``value`` (any format the drivers use) as ISO 8601; now when unknown."""
    parsed = _parse(value) if value else None
    return (parsed or datetime.now(UTC)).replace(microsecond=0).isoformat()


def _parse(value: str) -> datetime | None:
    try:
        found = datetime.fromisoformat(value)
        return found if found.tzinfo else found.replace(tzinfo=UTC)
    except ValueError:
        pass
    words = value.split()
    if len(words) == 6:  # "Thu Oct 25 14:27:53 CEST 2012": zone names are dropped
        value = " ".join(words[:4] + words[5:])
    for fmt in FORMATS:
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None
