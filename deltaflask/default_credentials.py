"""Built-in plugin: credentials from HTTP Basic auth or server-wide settings."""

from __future__ import annotations

import base64
import binascii

from flask import Flask
from flask import Request

from deltaflask.drivers import Credentials
from deltaflask.hookspecs import hookimpl
from deltaflask.text import refused_text


@hookimpl(trylast=True)
def credentials_from_request(request: Request, app: Flask) -> Credentials | None:
    """Server-wide ``API_USER``/``API_PASSWORD`` if both are set, else Basic auth."""
    user, password = app.config.get("API_USER"), app.config.get("API_PASSWORD")
    if user and password:
        return Credentials(user, password)
    return basic_credentials(request.headers.get("Authorization", ""))


def basic_credentials(header: str) -> Credentials | None:
    """The ``user:password`` of a Basic ``Authorization`` header; ``None`` when
    there is none or it is malformed (not ASCII base64, no colon, not UTF-8,
    control characters), so the request is challenged like an anonymous one."""
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(" \t"), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):  # UnicodeError is a ValueError
        return None
    user, colon, password = decoded.partition(":")
    if not colon or not user or refused_text(decoded):
        return None
    return Credentials(user, password)
