"""Error documents of the CIMI frontend, in the negotiated format.

The shape is the original's (XML ``<error>``, JSON ``{code, message, error}``);
nothing from the request and no backtrace is echoed.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from flask import Response
from flask import current_app
from flask import g
from flask import request
from werkzeug.exceptions import HTTPException

from deltaflask.context import current_driver_name
from deltaflask.context import current_provider
from deltaflask.errors import DEFAULT_MESSAGES
from deltaflask.errors import DeltaflaskError
from deltaflask.errors import MethodNotAllowed
from deltaflask.errors import NotAcceptable
from deltaflask.errors import ValidationFailure
from deltaflask.plugins.cimi.headers import add_common_headers
from deltaflask.plugins.cimi.negotiation import CONTENT_TYPES
from deltaflask.plugins.cimi.negotiation import choose_format
from deltaflask.plugins.cimi.negotiation import query_format
from deltaflask.text import xml_safe
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
    409: "Conflict",
    413: "ValidationFailure",
    415: "UnsupportedMediaType",
}


class UnsupportedMediaType(ValidationFailure):
    """A request body in a media type CIMI does not read."""

    status = 415
    kind = "UnsupportedMediaType"
    default_message = "Unsupported Media Type"


def render_error(error: Exception) -> Response:
    """Turn any exception raised under ``/cimi`` into an error response."""
    status, kind, message = _describe(error)
    message = xml_safe(printable_text(message))
    headers = error_headers(error)
    # a 406 client accepts neither format: it gets XML, the no-Accept default
    fmt = "xml" if status == 406 else g.get("cimi_format") or _fallback_format()
    if fmt == "json":
        body: bytes | str = error_json(status, kind, message)
    else:
        body = _error_xml(status, message)
    response = Response(
        body, status=status, headers=headers, content_type=CONTENT_TYPES[fmt]
    )
    return add_common_headers(response)


def _error_xml(status: int, message: str) -> bytes:
    root = ET.Element("error", {"status": str(status), "url": printable_path()})
    backend = {"driver": current_driver_name(), "provider": current_provider()}
    ET.SubElement(
        root,
        "backend",
        {name: _shown(value or "default") for name, value in backend.items()},
    )
    ET.SubElement(root, "code").text = str(status)
    ET.SubElement(root, "message").text = message
    ET.SubElement(root, "backtrace")
    ET.SubElement(root, "request")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _shown(text: str) -> str:
    """A request-chosen name (driver, provider) as the error may echo it."""
    return xml_safe(printable_text(text[:64]))


def _describe(error: Exception) -> tuple[int, str, str]:
    if isinstance(error, MethodNotAllowed):  # a state conflict, in CIMI terms
        return 409, "Conflict", error.message
    if isinstance(error, DeltaflaskError):
        return error.status, error.kind, error.message
    if isinstance(error, HTTPException):
        status = error.code or 500
        message = (
            "Not found" if status == 404 else DEFAULT_MESSAGES.get(status, error.name)
        )
        return status, KIND_BY_STATUS.get(status, "BackendError"), message
    current_app.logger.exception("unhandled error under /cimi")
    return 500, "BackendError", "Internal Server Error"


def _fallback_format() -> str:
    try:
        return choose_format(query_format(request.args), request.accept_mimetypes)
    except NotAcceptable:
        return "xml"
