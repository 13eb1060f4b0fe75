"""The ``/ec2`` blueprint: one endpoint taking GET and form-encoded POST."""

from __future__ import annotations

from urllib.parse import parse_qsl

from flask import Blueprint
from flask import Flask
from flask import Response
from flask import g
from flask import request

from deltaflask.context import current_driver
from deltaflask.context import select_driver
from deltaflask.plugins.ec2_frontend import actions
from deltaflask.plugins.ec2_frontend.dispatch import dispatch
from deltaflask.plugins.ec2_frontend.dispatch import lookup
from deltaflask.plugins.ec2_frontend.errors import EC2Error
from deltaflask.plugins.ec2_frontend.regions import use_region
from deltaflask.plugins.ec2_frontend.signature import verify
from deltaflask.shell import Shell
from deltaflask.text import refused_text

FORM_TYPE = "application/x-www-form-urlencoded"
#: more parameters than any action reads (a 1,000-id list and its filters)
MAX_PARAMETERS = 2000
#: requests are signed (no browser sends them) and name no driver: the
#: server's, in the region the signature names (set once it is verified)
SHELL = Shell(header_choice=False, refuse_cross_site=False)


def create_blueprint(app: Flask) -> Blueprint:
    """Build the EC2 Query API blueprint."""
    actions.load_all()
    bp = Blueprint("ec2", __name__)
    bp.before_request(_before)
    bp.add_url_rule("/", "query", _query, methods=["GET", "POST"])
    bp.add_url_rule("", "query_bare", _query, methods=["GET", "POST"])
    return bp


def _before() -> None:
    SHELL.before()


def _query() -> Response:
    params = _params()
    signed = verify(request, params)
    found = lookup(params.get("Action"))
    select_driver(None, use_region(signed.region))
    g.credentials = signed.credentials
    response = dispatch(found, current_driver(), params)
    response.headers["Cache-Control"] = "no-store"
    return response


def _params() -> dict[str, str]:
    """Query-string and form parameters, each given once, in text a document
    can carry (``InvalidParameterValue`` otherwise)."""
    body = request.get_data(cache=True)
    pairs = list(request.args.items(multi=True))
    if request.method == "POST" and request.mimetype == FORM_TYPE:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise EC2Error("InvalidParameterValue", "The body is not UTF-8") from None
        try:
            pairs += parse_qsl(
                text, keep_blank_values=True, max_num_fields=MAX_PARAMETERS
            )
        except ValueError:  # more fields than max_num_fields
            raise _too_many() from None
    if len(pairs) > MAX_PARAMETERS:
        raise _too_many()
    params: dict[str, str] = {}
    for name, value in pairs:
        if refused_text(name) or refused_text(value):
            raise EC2Error(
                "InvalidParameterValue",
                "A parameter carries control or non-character code points",
            )
        if name in params:
            raise EC2Error(
                "InvalidParameterValue",
                f"The parameter {name[:64]} is given more than once",
            )
        params[name] = value
    return params


def _too_many() -> EC2Error:
    return EC2Error(
        "InvalidParameterValue",
        f"A request may carry at most {MAX_PARAMETERS} parameters",
    )
