"""Pick a response format from ``?format=`` and the ``Accept`` header."""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence

from werkzeug.datastructures import MIMEAccept

from deltaflask.errors import NotAcceptable

#: format -> the exact Content-Type answered
CONTENT_TYPES = {
    "xml": "application/xml",
    "json": "application/json",
    "html": "text/html",
    "png": "image/png",
    "gv": "application/ghostscript",
}

#: media types (as sent in Accept) -> format
MEDIA_TYPES: Mapping[str, str] = {
    "application/xml": "xml",
    "text/xml": "xml",
    "application/json": "json",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "*/*": "html",
    "image/png": "png",
    "application/ghostscript": "gv",
}


def negotiate(
    query_format: str | None,
    accept: MIMEAccept | None,
    offered: Sequence[str],
    default: str = "xml",
) -> str:
    """The format to answer with.

    ``?format=`` (in any case) wins; otherwise the highest-q media type of
    ``Accept`` that maps to an offered format (ties go to the first listed);
    no or an empty Accept gives ``default``. (``accept`` is not read when
    ``query_format`` is given: the caller may leave it unparsed, ``None``.)

    :raises NotAcceptable: nothing offered matches; its message lists what is.
    """
    if query_format:
        if query_format.lower() in offered:
            return query_format.lower()
        raise not_acceptable(offered)
    if not accept:
        return default
    best: tuple[float, int, str] | None = None
    for position, (media_type, quality) in enumerate(accept):
        fmt = MEDIA_TYPES.get(media_type.lower().split(";")[0].strip())
        if fmt is None or fmt not in offered or quality <= 0:
            continue
        rank = (quality, -position, fmt)
        if best is None or rank[:2] > best[:2]:
            best = rank
    if best is None:
        raise not_acceptable(offered)
    return best[2]


def not_acceptable(offered: Sequence[str]) -> NotAcceptable:
    """The 406 error naming the formats that are offered."""
    listed = ", ".join(offered)
    return NotAcceptable(
        f"Not Acceptable: this resource is available as {listed} "
        "(ask with ?format= or the Accept header)"
    )
