"""The ``/cimi`` blueprint: driver selection, negotiation and common headers."""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from flask import Blueprint
from flask import Flask
from flask import Response
from flask import current_app
from flask import g
from flask import redirect
from flask import request

from deltaflask.context import select_driver
from deltaflask.errors import Forbidden
from deltaflask.plugins.cimi import entry
from deltaflask.plugins.cimi import machine_resources
from deltaflask.plugins.cimi import machines
from deltaflask.plugins.cimi import volumes
from deltaflask.plugins.cimi.negotiation import choose_format
from deltaflask.plugins.cimi.render import url

SPEC_VERSION = "1.0.1"
UNSAFE_METHODS = {"POST", "PUT", "DELETE", "PATCH"}
MODULES = (entry, machines, machine_resources, volumes)


def create_blueprint(app: Flask) -> Blueprint:
    """Build the CIMI blueprint with every resource family's routes."""
    bp = Blueprint("cimi", __name__)
    bp.before_request(_before)
    bp.after_request(_after)
    bp.add_url_rule("", "root", _to_entry_point)
    bp.add_url_rule("/", "root_slash", _to_entry_point)
    for module in MODULES:
        module.register(bp)
    return bp


def _to_entry_point() -> Response:
    return redirect(url("cloudEntryPoint"), code=301)


def _before() -> None:
    g.cimi_format = None
    _refuse_cross_site()
    request.max_content_length = current_app.config["MAX_FORM_BYTES"]
    driver = request.headers.get("X-Deltacloud-Driver")
    select_driver(
        driver.lower() if driver else None, request.headers.get("X-Deltacloud-Provider")
    )
    g.cimi_format = choose_format(request.args.get("format"), request.accept_mimetypes)


def _refuse_cross_site() -> None:
    """Refuse state-changing requests a browser sent from another site."""
    if request.method not in UNSAFE_METHODS:
        return
    origin = request.headers.get("Origin")
    cross = request.headers.get("Sec-Fetch-Site") == "cross-site" or origin == "null"
    if cross or (origin and urlsplit(origin).netloc != request.host):
        raise Forbidden("Cross-site request refused")


def _after(response: Response) -> Response:
    add_common_headers(response)
    if (
        response.status_code in (200, 201)
        and request.method == "GET"
        and not response.is_streamed
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


def add_common_headers(response: Response) -> Response:
    """The ``CIMI-Specification-Version`` header."""
    response.headers["CIMI-Specification-Version"] = SPEC_VERSION
    return response
