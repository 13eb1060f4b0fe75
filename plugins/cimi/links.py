"""Reading references a client sent: the id at the end of an href."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote
from urllib.parse import urlsplit

from deltaflask.errors import ValidationFailure


def last_segment(href: str, what: str) -> str:
    """The last path segment of ``href`` (the host is ignored, as in the original)."""
    path = urlsplit(href).path.rstrip("/")
    segment = unquote(path.rsplit("/", 1)[-1]) if path else ""
    if not segment:
        raise ValidationFailure(f"Invalid {what} reference '{href[:200]}'")
    return segment


def href_of(reference: dict[str, Any] | None) -> str | None:
    """The href of a loaded :class:`~deltaflask.plugins.cimi.parsing.Reference`."""
    return reference.get("href") if reference else None
