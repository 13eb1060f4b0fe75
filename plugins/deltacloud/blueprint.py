"""The ``/api`` blueprint: driver selection, negotiation and common headers."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote

from flask import Blueprint
from flask import Flask
from flask import Response
from flask import current_app
from flask import g
from flask import request
from werkzeug.sansio.utils import get_current_url

from deltaflask import csrf
from deltaflask.context import current_driver_class
from deltaflask.context import select_driver
from deltaflask.errors import AuthenticationFailure
from deltaflask.errors import AuthenticationRequired
from deltaflask.errors import DeltaflaskError
from deltaflask.header_values import check_choice
from deltaflask.middleware import MATRIX_KEY
from deltaflask.negotiation import negotiate
from deltaflask.plugins.deltacloud import views
from deltaflask.plugins.deltacloud.errors import render_error
from deltaflask.plugins.deltacloud.headers import add_common_headers
from deltaflask.plugins.deltacloud.params import check_request
from deltaflask.plugins.deltacloud.views import drivers
from deltaflask.plugins.deltacloud.views import forms
from deltaflask.web import add_etag
from deltaflask.web import refuse_cross_site

#: methods whose 200/201 bodies get an ETag (HEAD answers carry no body)
READ_AND_WRITE = frozenset({"GET", "POST", "PUT", "DELETE"})


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
    refuse_cross_site()
    uncapped = request.endpoint in views.UNCAPPED
    if not uncapped:
        request.max_content_length = current_app.config["MAX_FORM_BYTES"]
    in_url = _chosen_in_url()
    driver = in_url.get("driver") or _chosen_in_header("Driver")
    provider = in_url.get("provider") or _chosen_in_header("Provider")
    if not driver:  # a browser session's pick fills in what the request left out
        driver, picked_provider = drivers.session_choice()
        provider = provider or picked_provider
    select_driver(driver.lower() if driver else None, provider)
    g.format = negotiate(
        request.args.get("format"), request.accept_mimetypes, _offered_formats()
    )
    g.api_url = _api_url(request.scheme, request.host, request.root_path)
    if g.format == "html":  # links of a page keep the driver its URL chose
        g.api_url += "".join(f";{k}={quote(v, safe='')}" for k, v in in_url.items())
    check_request(with_body=not uncapped)
    csrf.check()
    return forms.check_submission()


@lru_cache(maxsize=64)
def _api_url(scheme: str, host: str, root_path: str) -> str:
    """``request.root_url + "api"``, built once per scheme, host and root."""
    return get_current_url(scheme, host, root_path) + "api"


def _chosen_in_url() -> dict[str, str]:
    """``driver`` / ``provider`` from matrix or ``api[...]`` parameters (400
    when one is no valid name)."""
    matrix = request.environ.get(MATRIX_KEY, {}).get("api", {})
    chosen = {}
    for key in ("driver", "provider"):
        value = matrix.get(key) or request.args.get(f"api[{key}]")
        if value:
            chosen[key] = check_choice(key, value)
    return chosen


def _chosen_in_header(kind: str) -> str | None:
    """The ``X-Deltacloud-<kind>`` request header (400 when no valid name)."""
    value = request.headers.get(f"X-Deltacloud-{kind}")
    return check_choice(kind.lower(), value) if value else None


def _offered_formats() -> tuple[str, ...]:
    endpoint = request.endpoint or ""
    return views.FORMATS.get(endpoint, ("xml", "json", "html"))


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
        "nav_collections": sorted({*driver.collections(), "drivers"}),
        "driver_supports": driver.supports,
    }


def _after(response: Response) -> Response:
    add_common_headers(response)
    add_etag(response, READ_AND_WRITE)
    return response
