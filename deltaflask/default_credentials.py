"""Built-in plugin: credentials from HTTP Basic auth or server-wide settings."""

from __future__ import annotations

from flask import Flask
from flask import Request

from deltaflask.drivers import Credentials
from deltaflask.hookspecs import hookimpl


@hookimpl(trylast=True)
def credentials_from_request(request: Request, app: Flask) -> Credentials | None:
    """Server-wide ``API_USER``/``API_PASSWORD`` if both are set, else Basic auth."""
    user, password = app.config.get("API_USER"), app.config.get("API_PASSWORD")
    if user and password:
        return Credentials(user, password)
    auth = request.authorization
    if auth is None or auth.type != "basic" or auth.username is None:
        return None
    return Credentials(auth.username, auth.password or "")
