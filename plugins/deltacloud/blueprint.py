"""The ``/api`` blueprint: driver selection, negotiation and common headers."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote

from flask import Blueprint
from flask import Flask
from flask import Response
from flask import g
from flask import request
from werkzeug.sansio.utils import get_current_url

from deltaflask import csrf
from deltaflask.context import current_driver_class
from deltaflask.errors import AuthenticationFailure
from deltaflask.errors import AuthenticationRequired
from deltaflask.errors import DeltaflaskError
from deltaflask.negotiation import negotiate
from deltaflask.plugins.deltacloud import views
from deltaflask.plugins.deltacloud.errors import render_error
from deltaflask.plugins.deltacloud.headers import add_common_headers
from deltaflask.plugins.deltacloud.params import check_request
from deltaflask.plugins.deltacloud.views import drivers
from deltaflask.plugins.deltacloud.views import forms
from deltaflask.plugins.deltacloud.views.entry import declared_collections
from deltaflask.shell import Shell
from deltaflask.web import query_value

#: driver choice by matrix parameters, headers, then a browser session's
#: pick; ETags on 200/201 bodies (HEAD answers carry none)
SHELL = Shell(
    url_segment="api",
    session_choice=drivers.session_choice,
    uncapped=views.UNCAPPED,
    etag_methods=frozenset({"GET", "POST", "PUT", "DELETE"}),
)


def create_blueprint(app: Flask) -> Blueprint:
    """Build the classic API blueprint with every collection's routes."""
    bp = Blueprint("api", __name__)
    bp.before_request(_before)
    bp.after_request(_after)
    bp.register_error_handler(DeltaflaskError, _on_error)
    bp.context_processor(_page_context)
    bp.add_app_template_global(csrf.token, "csrf_token")
    views.register_all(bp)
    return bp


def _before() -> Response | None:
    in_url = SHELL.before()
    req, request_g = request._get_current_object(), g._get_current_object()
    query_format = query_value(req.args, "format")
    fmt = request_g.format = negotiate(
        query_format,
        None if query_format else req.accept_mimetypes,
        _offered_formats(req.endpoint),
    )
    api_url = _api_url(req.scheme, req.host, req.root_path)
    if fmt == "html":  # links of a page keep the driver its URL chose
        api_url += "".join(f";{k}={quote(v, safe='')}" for k, v in in_url.items())
    request_g.api_url = api_url
    check_request(with_body=req.endpoint not in views.UNCAPPED)
    csrf.check()
    return forms.check_submission()


@lru_cache(maxsize=64)
def _api_url(scheme: str, host: str, root_path: str) -> str:
    """``request.root_url + "api"``, built once per scheme, host and root."""
    return get_current_url(scheme, host, root_path) + "api"


def _offered_formats(endpoint: str | None) -> tuple[str, ...]:
    return views.FORMATS.get(endpoint or "", ("xml", "json", "html"))


def _on_error(error: DeltaflaskError) -> Response:
    """A failed browser form post gets its form back; anything else the error.

    Credentials the driver rejects make a browser ask for others (the realm
    names the driver); API clients get the original's bare 401.
    """
    if isinstance(error, AuthenticationFailure) and g.get("format") == "html":
        error = AuthenticationRequired(error.message)
    return forms.form_error_response(error) or render_error(error)


def _page_context() -> dict[str, object]:
    """What every HTML page needs: the driver's collections and operations."""
    try:
        driver = current_driver_class()
    except DeltaflaskError:  # an unknown driver: its error page has no menu
        return {"nav_collections": ["drivers"], "driver_supports": lambda _: False}
    return {
        "nav_collections": [name for name, _ in declared_collections(driver)],
        "driver_supports": driver.supports,
    }


def _after(response: Response) -> Response:
    add_common_headers(response)
    return SHELL.after(response)
