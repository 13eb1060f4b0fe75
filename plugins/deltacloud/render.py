"""Render one view as XML, JSON or HTML, and build the API's absolute links."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from flask import Response
from flask import g
from flask import render_template
from flask import request
from markupsafe import Markup

from deltaflask.negotiation import CONTENT_TYPES
from deltaflask.text import xml_safe
from deltaflask.web import json_safe

#: ``json.dumps(..., separators=(",", ":"))``, built once; documents are
#: trees built for the answer, so no check for cycles
COMPACT_JSON = json.JSONEncoder(separators=(",", ":"), check_circular=False)


def api_url() -> str:
    """This request's ``/api`` URL, the base of every link.

    Error pages may render before the blueprint set ``g.api_url`` (a refused
    or unroutable request), so it falls back to the request's own root.
    """
    return g.get("api_url") or request.root_url + "api"


@lru_cache(maxsize=4096)
def quote_part(part: str) -> str:
    """One path segment, percent-encoded (ids repeat, so answers are kept)."""
    return quote(part, safe="")


def href(*parts: str) -> str:
    """Absolute URL under ``/api``: ``href("instances", "inst0")``."""
    return href_from(api_url(), *parts)


def href_from(base: str, *parts: str) -> str:
    """:func:`href` under a ``base`` the caller already has (see :func:`api_url`)."""
    return "/".join([base, *(quote_part(str(part)) for part in parts)])


def cdata(value: Any) -> Markup:
    """Wrap ``value`` in a CDATA section (safe even if it contains ``]]>``)."""
    text = "" if value is None else str(value)
    return Markup("<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>")


def link(rel: str, url: str, method: str = "post") -> dict[str, str]:
    """An action link as the classic API's JSON shows it."""
    return {"href": url, "rel": rel, "method": method}


def respond(
    template: str,
    to_json: Callable[[], Any],
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> Response:
    """Answer in the negotiated format.

    :param template: ``api/<template>.xml`` / ``.html`` is rendered with ``context``.
    :param to_json: builds the JSON document (called only for JSON).
    """
    fmt = g.format
    if fmt == "json":
        document = to_json()
        body = COMPACT_JSON.encode(document)
        if "\\ud" in body:  # perhaps a lone surrogate: escaped, still invalid
            body = COMPACT_JSON.encode(json_safe(document))
    else:
        body = xml_safe(render_template(f"api/{template}.{fmt}", **context))
    return Response(
        body, status=status, headers=headers, content_type=CONTENT_TYPES[fmt]
    )


def empty(status: int = 204, headers: dict[str, str] | None = None) -> Response:
    """A response without a body."""
    response = Response(b"", status=status, headers=headers)
    response.headers.pop("Content-Type", None)
    return response
