"""Format choice of the CIMI frontend (the original's rules, without HTML)."""

from __future__ import annotations

from werkzeug.datastructures import MIMEAccept
from werkzeug.datastructures import MultiDict

from deltaflask.errors import NotAcceptable

XML_TYPES = ("application/xml", "text/xml")
JSON_TYPES = ("application/json", "*/*", "application/*", "text/html", "text/*")
CONTENT_TYPES = {"xml": "application/xml", "json": "application/json"}


def query_format(args: MultiDict[str, str]) -> str | None:
    """The format the query names: CIMI's ``$format``, or the original's ``format``."""
    return args.get("$format") or args.get("format")


def choose_format(query_format: str | None, accept: MIMEAccept) -> str:
    """``xml`` or ``json``.

    ``?$format=`` / ``?format=`` wins; no Accept gives XML; an Accept naming
    XML at all gives XML; JSON, wildcards and ``text/html`` give JSON; anything
    else is a 406.
    """
    if query_format:
        if query_format in CONTENT_TYPES:
            return query_format
        raise NotAcceptable()
    if not accept:
        return "xml"
    offered = [media.lower().split(";")[0].strip() for media, q in accept if q > 0]
    if any(media in XML_TYPES for media in offered):
        return "xml"
    if any(media in JSON_TYPES for media in offered):
        return "json"
    raise NotAcceptable()
