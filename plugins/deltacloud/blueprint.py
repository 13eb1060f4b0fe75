"""The ``/api`` blueprint: driver selection, negotiation and common headers."""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from flask import Blueprint
from flask import Flask
from flask import Response
from flask import current_app
from flask import g
from flask import request

from deltaflask.context import current_provider
from deltaflask.context import select_driver
from deltaflask.errors import Forbidden
from deltaflask.middleware import MATRIX_KEY
from deltaflask.negotiation import negotiate
from deltaflask.plugins.deltacloud import views

API_VERSION = "1.1.3"
SERVER = f"Apache-Deltacloud/{API_VERSION}"
UNSAFE_METHODS = {"POST", "PUT", "DELETE", "PATCH"}


def create_blueprint(app: Flask) -> Blueprint:
    """Build the classic API blueprint with every collection's routes."""
    bp = Blueprint("api", __name__)
    bp.before_request(_before)
    bp.after_request(_after)
    views.register_all(bp)
    return bp


def _before() -> None:
    _refuse_cross_site()
    request.max_content_length = current_app.config["MAX_FORM_BYTES"]
    matrix = request.environ.get(MATRIX_KEY, {}).get("api", {})
    driver = (
        matrix.get("driver")
        or request.args.get("api[driver]")
        or request.headers.get("X-Deltacloud-Driver")
    )
    provider = (
        matrix.get("provider")
        or request.args.get("api[provider]")
        or request.headers.get("X-Deltacloud-Provider")
    )
    select_driver(driver.lower() if driver else None, provider)
    g.api_url = request.root_url + "api"
    g.format = negotiate(
        request.args.get("format"), request.accept_mimetypes, _offered_formats()
    )


def _offered_formats() -> tuple[str, ...]:
    endpoint = request.endpoint or ""
    return views.FORMATS.get(endpoint, ("xml", "json", "html"))


def _refuse_cross_site() -> None:
    """Refuse state-changing requests a browser sent from another site."""
    if request.method not in UNSAFE_METHODS:
        return
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        raise Forbidden("Cross-site request refused")
    origin = request.headers.get("Origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.host:
        raise Forbidden("Cross-site request refused")
    if origin == "null":
        raise Forbidden("Cross-site request refused")


def _after(response: Response) -> Response:
    add_common_headers(response)
    if (
        response.status_code in (200, 201)
        and not response.is_streamed
        and request.method != "HEAD"
        and "ETag" not in response.headers
    ):
        body = response.get_data()
        if body:
            response.headers["ETag"] = hashlib.md5(
                body, usedforsecurity=False
            ).hexdigest()
            response.headers.setdefault(
                "Cache-Control", "max-age=0, private, must-revalidate"
            )
    return response


def add_common_headers(response: Response) -> None:
    """``Server``, ``X-Deltacloud-Driver`` and ``X-Deltacloud-Provider``."""
    response.headers["Server"] = SERVER
    response.headers["X-Deltacloud-Driver"] = (
        g.get("driver_name") or current_app.config["DRIVER"]
    )
    provider = current_provider()
    if provider:
        response.headers["X-Deltacloud-Provider"] = provider
