"""The ``/cimi`` blueprint: driver selection, negotiation and common headers."""

from __future__ import annotations

from flask import Blueprint
from flask import Flask
from flask import Response
from flask import g
from flask import redirect
from flask import request

from deltaflask.context import current_credentials
from deltaflask.errors import AuthenticationRequired
from deltaflask.errors import ValidationFailure
from deltaflask.plugins.cimi import addresses
from deltaflask.plugins.cimi import entry
from deltaflask.plugins.cimi import machine_resources
from deltaflask.plugins.cimi import machines
from deltaflask.plugins.cimi import network_ports
from deltaflask.plugins.cimi import networks
from deltaflask.plugins.cimi import openapi
from deltaflask.plugins.cimi import systems
from deltaflask.plugins.cimi import volumes
from deltaflask.plugins.cimi import vsps
from deltaflask.plugins.cimi.headers import SPEC_VERSION
from deltaflask.plugins.cimi.headers import add_common_headers
from deltaflask.plugins.cimi.negotiation import choose_format
from deltaflask.plugins.cimi.negotiation import query_format
from deltaflask.plugins.cimi.render import url
from deltaflask.shell import Shell

#: what answers without credentials: the entry point and the ways to it
OPEN_PATHS = ("", "/", "/cloudEntryPoint")
#: the request headers naming the versions a client accepts (the draft's too)
VERSION_HEADERS = ("CIMI-Specification-Version", "X-CIMI-Specification-Version")
#: the driver comes from the X-Deltacloud-* headers (an unknown name is the
#: 404 of an unavailable driver); ETags on GET answers
SHELL = Shell(check_choices=False, etag_methods=frozenset({"GET"}))
MODULES = (
    entry,
    systems,
    machines,
    machine_resources,
    volumes,
    networks,
    network_ports,
    addresses,
    vsps,
    openapi,
)


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
    SHELL.before()
    g.cimi_format = choose_format(query_format(request.args), request.accept_mimetypes)
    check_version()
    path = request.path.removeprefix("/cimi")
    entry.refuse_unavailable(path)
    if path not in OPEN_PATHS and current_credentials() is None:
        raise AuthenticationRequired()


def check_version() -> None:
    """400 when the client lists the versions it accepts and none is a 1.x one
    (this server speaks 1.0.1; a missing header means "any")."""
    for header in VERSION_HEADERS:
        listed = request.headers.get(header)
        if listed is None:
            continue
        versions = [v.strip() for v in listed.split(",") if v.strip()]
        if not any(v == "1" or v.startswith("1.") for v in versions):
            raise ValidationFailure(
                f"Unsupported {header}: this server speaks CIMI {SPEC_VERSION}"
            )


def _after(response: Response) -> Response:
    return SHELL.after(add_common_headers(response))
