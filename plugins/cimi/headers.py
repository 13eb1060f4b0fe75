"""The headers every ``/cimi`` answer carries, errors included."""

from __future__ import annotations

from flask import Response

SPEC_VERSION = "1.0.1"


def add_common_headers(response: Response) -> Response:
    """The ``CIMI-Specification-Version`` header."""
    response.headers["CIMI-Specification-Version"] = SPEC_VERSION
    return response
