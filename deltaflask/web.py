"""HTTP helpers every frontend shares: cross-site refusal, ETags, errors."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote
from urllib.parse import urlsplit

from flask import Response
from flask import current_app
from flask import request
from werkzeug.datastructures import Headers
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from deltaflask.context import current_driver_name
from deltaflask.errors import AuthenticationRequired
from deltaflask.errors import CapabilityMissing
from deltaflask.errors import Forbidden
from deltaflask.errors import ProviderUnavailable

UNSAFE_METHODS = frozenset({"POST", "PUT", "DELETE", "PATCH"})
#: what a message shows escaped: the above, and CR (a parser would drop it)
_UNPRINTABLE = re.compile("[^\t\n\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def refuse_cross_site() -> None:
    """Refuse a state-changing request a browser sent from another site (403)."""
    if request.method not in UNSAFE_METHODS:
        return
    origin = request.headers.get("Origin")
    cross = request.headers.get("Sec-Fetch-Site") == "cross-site" or origin == "null"
    if cross or (origin and urlsplit(origin).netloc != request.host):
        raise Forbidden("Cross-site request refused")


def query_value(args: MultiDict[str, str], name: str) -> str | None:
    """``args.get(name)``, without the exception werkzeug's ``get`` raises
    and catches inside for a missing name."""
    return args.get(name) if name in args else None


def header_names(headers: Headers) -> set[str]:
    """The lower-case names of ``headers`` (one pass, for several lookups)."""
    return {name.lower() for name, _value in headers}


def put_headers(headers: Headers, values: Mapping[str, str]) -> None:
    """``headers[name] = value`` for each of ``values``, with one pass over
    ``headers``: an absent header (the usual case) is appended."""
    present = header_names(headers)
    for name, value in values.items():
        if name.lower() in present:
            headers[name] = value
        else:
            headers.add(name, value)


def add_etag(response: Response, methods: frozenset[str]) -> None:
    """Add the original's unquoted MD5 ETag to a non-empty 200/201 body."""
    if (
        response.status_code not in (200, 201)
        or request.method not in methods
        or response.is_streamed
    ):
        return
    headers = response.headers
    present = header_names(headers)
    if "etag" in present:
        return
    body = response.get_data()
    if body:
        headers.add("ETag", hashlib.md5(body, usedforsecurity=False).hexdigest())
        if "cache-control" not in present:
            headers.add("Cache-Control", "max-age=0, private, must-revalidate")


def error_headers(error: Exception) -> dict[str, str]:
    """The headers an error answer carries: challenge, Expect, Retry-After, Allow."""
    headers: dict[str, str] = {}
    if isinstance(error, AuthenticationRequired):
        realm = f"{current_driver_name()}-deltacloud@{current_app.config['HOSTNAME']}"
        headers["WWW-Authenticate"] = f'Basic realm="{realm}"'
    if isinstance(error, CapabilityMissing):
        headers["Expect"] = error.capability
    if isinstance(error, ProviderUnavailable):
        headers["Retry-After"] = str(error.retry_after)
    if isinstance(error, HTTPException) and error.code == 405:
        headers.update({k: v for k, v in error.get_headers() if k == "Allow"})
    return headers


#: the JSON Schema of :func:`error_json`'s document (the API descriptions' ``Error``)
ERROR_JSON_SCHEMA = {
    "type": "object",
    "properties": {
        "code": {"type": "integer", "minimum": 400, "maximum": 599},
        "message": {"type": "string"},
        "error": {"type": "string", "pattern": "^Deltacloud::Exceptions::"},
    },
    "required": ["code", "message", "error"],
}


def error_json(status: int, kind: str, message: str) -> str:
    """The original's JSON error document (see :data:`ERROR_JSON_SCHEMA`)."""
    document = {
        "code": status,
        "message": message,
        "error": f"Deltacloud::Exceptions::{kind}",
    }
    return json.dumps(json_safe(document))


def printable_path() -> str:
    """The request path, percent-encoded so it is safe inside any document."""
    return quote(request.path, safe="/;:@=,+!*'()$-._~")


def printable_text(text: str) -> str:
    """``text`` with the characters XML cannot carry shown escaped."""
    return _UNPRINTABLE.sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def json_safe(value: Any) -> Any:
    """``value`` (a JSON document) with lone surrogates, which strict JSON
    parsers refuse, replaced by U+FFFD."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {json_safe(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    return value
