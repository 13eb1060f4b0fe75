"""HTTP helpers every frontend shares: cross-site refusal and ETags."""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from flask import Response
from flask import request

from deltaflask.errors import Forbidden

UNSAFE_METHODS = frozenset({"POST", "PUT", "DELETE", "PATCH"})


def refuse_cross_site() -> None:
    """Refuse a state-changing request a browser sent from another site (403)."""
    if request.method not in UNSAFE_METHODS:
        return
    origin = request.headers.get("Origin")
    cross = request.headers.get("Sec-Fetch-Site") == "cross-site" or origin == "null"
    if cross or (origin and urlsplit(origin).netloc != request.host):
        raise Forbidden("Cross-site request refused")


def add_etag(response: Response, methods: frozenset[str]) -> None:
    """Add the original's unquoted MD5 ETag to a non-empty 200/201 body."""
    if (
        response.status_code not in (200, 201)
        or request.method not in methods
        or response.is_streamed
        or "ETag" in response.headers
    ):
        return
    body = response.get_data()
    if body:
        response.headers["ETag"] = hashlib.md5(body, usedforsecurity=False).hexdigest()
        response.headers.setdefault(
            "Cache-Control", "max-age=0, private, must-revalidate"
        )
