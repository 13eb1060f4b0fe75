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
from deltaflask.context import sample_credentials
from deltaflask.errors import DEFAULT_MESSAGES
from deltaflask.errors import DeltaflaskError
from deltaflask.errors import NotAcceptable
from deltaflask.negotiation import CONTENT_TYPES
from deltaflask.plugins.deltacloud.headers import add_common_headers
from deltaflask.text import xml_safe
from deltaflask.web import error_headers
from deltaflask.web import error_json
from deltaflask.web import printable_path
from deltaflask.web import printable_text

#: the formats of error documents, by their media types
ERROR_FORMATS = {
    "xml": "application/xml",
    "json": "application/json",
    "html": "text/html",
}
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
    status, kind, message = _describe(error)
    message = printable_text(message)
    fmt = _acceptable_format() if isinstance(error, NotAcceptable) else None
    if isinstance(error, NotAcceptable) and fmt is None:
        response = Response(
            f"{status} {message}\n", status=status, mimetype="text/plain"
        )
        add_common_headers(response)
        return response
    fmt = fmt or g.get("format") or _fallback_format()
    headers = error_headers(error)
    context = {
        "status": status,
        "kind": kind,
        "message": message,
        "url": printable_path(),
        "driver": current_driver_name(),
        "provider": current_provider() or "default",
        "hint": _login_hint(status),
    }
    if fmt == "json":
        body = error_json(status, kind, message)
    elif fmt == "html":
        body = xml_safe(render_template("api/error.html", **context))
    else:
        fmt = "xml"
        body = xml_safe(render_template("api/error.xml", **context))
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
    requested = (request.args.get("format") or "").lower()
    if requested in ERROR_FORMATS:
        return requested
    return _acceptable_format() or "xml"


def _acceptable_format() -> str | None:
    """The error format ``Accept`` allows (XML without one), or ``None``."""
    accept = request.accept_mimetypes
    if not accept:
        return "xml"
    best = accept.best_match(list(ERROR_FORMATS.values()))
    return next((fmt for fmt, media in ERROR_FORMATS.items() if media == best), None)


def _login_hint(status: int) -> str:
    """What a person may log in with, on the 401 page of a demo driver (one
    that declares ``sample_credentials``, such as the mock)."""
    if status != 401:
        return ""
    name = current_driver_name()
    sample = sample_credentials(name)
    if sample is None:
        return ""
    user, password = sample
    return f"The {name} driver's credentials are {user} / {password}."
