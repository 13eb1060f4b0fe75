"""Error documents of the classic API, in the negotiated format."""

from __future__ import annotations

from flask import Response
from flask import current_app
from flask import g
from flask import render_template
from flask import request
from werkzeug.exceptions import HTTPException

from deltaflask.context import current_driver_name
from deltaflask.context import current_provider
from deltaflask.errors import DEFAULT_MESSAGES
from deltaflask.errors import DeltaflaskError
from deltaflask.errors import NotAcceptable
from deltaflask.negotiation import CONTENT_TYPES
from deltaflask.web import error_headers
from deltaflask.web import error_json
from deltaflask.web import printable_path
from deltaflask.web import printable_text

KIND_BY_STATUS = {
    400: "ValidationFailure",
    401: "AuthenticationFailure",
    403: "ForbiddenError",
    404: "ObjectNotFound",
    405: "MethodNotAllowed",
    406: "UnknownMediaTypeError",
    409: "Conflict",
    413: "ValidationFailure",
}


def render_error(error: Exception) -> Response:
    """Turn any exception raised under ``/api`` into an error response.

    Nothing from the request (parameters, headers, credentials) and no
    backtrace is echoed; unexpected exceptions are logged and answered 500.
    """
    from deltaflask.plugins.deltacloud.blueprint import add_common_headers

    status, kind, message = _describe(error)
    message = printable_text(message)
    if isinstance(error, NotAcceptable):
        response = Response(b"", status=406)
        response.headers.pop("Content-Type", None)
        add_common_headers(response)
        return response
    fmt = g.get("format") or _fallback_format()
    headers = error_headers(error)
    context = {
        "status": status,
        "kind": kind,
        "message": message,
        "url": printable_path(),
        "driver": current_driver_name(),
        "provider": current_provider() or "default",
    }
    if fmt == "json":
        body = error_json(status, kind, message)
    elif fmt == "html":
        body = render_template("api/error.html", **context)
    else:
        fmt = "xml"
        body = render_template("api/error.xml", **context)
    response = Response(
        body, status=status, headers=headers, content_type=CONTENT_TYPES[fmt]
    )
    add_common_headers(response)
    return response


def _describe(error: Exception) -> tuple[int, str, str]:
    if isinstance(error, DeltaflaskError):
        return error.status, error.kind, error.message
    if isinstance(error, HTTPException):
        status = error.code or 500
        message = DEFAULT_MESSAGES.get(status, error.name)
        if status == 413:
            message = "Request body too large"
        return status, KIND_BY_STATUS.get(status, "BackendError"), message
    current_app.logger.exception("unhandled error under /api")
    return 500, "BackendError", "Internal Server Error"


def _fallback_format() -> str:
    requested = request.args.get("format")
    if requested in ("xml", "json", "html"):
        return requested
    best = request.accept_mimetypes.best_match(
        ["application/xml", "application/json", "text/html"], default="application/xml"
    )
    if not request.accept_mimetypes:
        return "xml"
    return {"application/json": "json", "text/html": "html"}.get(best or "", "xml")
