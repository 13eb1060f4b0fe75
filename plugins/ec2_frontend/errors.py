"""EC2 error codes and the ``<Response><Errors>`` document boto3 parses."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from flask import Response
from flask import current_app
from werkzeug.exceptions import HTTPException

from deltaflask.errors import AuthenticationFailure
from deltaflask.errors import AuthenticationRequired
from deltaflask.errors import CapabilityMissing
from deltaflask.errors import Conflict
from deltaflask.errors import DeltaflaskError
from deltaflask.errors import Forbidden
from deltaflask.errors import MethodNotAllowed
from deltaflask.errors import NotSupported
from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ProviderUnavailable
from deltaflask.errors import RequestTooLarge
from deltaflask.errors import ValidationFailure
from deltaflask.request_log import current_request_id
from deltaflask.text import xml_safe

#: the longest error message answered (longer ones, echoing input, are cut)
MAX_MESSAGE = 1024


class EC2Error(Exception):
    """An error answered with an EC2 error code and HTTP status."""

    def __init__(
        self, code: str, message: str, status: int = 400, retry_after: int = 1
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        #: the ``Retry-After`` of a 503 (the provider's own wait, if it said)
        self.retry_after = retry_after


def shown(text: str, limit: int = 64) -> str:
    """``text`` as a document may echo it: at most ``limit`` characters, and
    only characters XML can carry."""
    cut = text if len(text) <= limit else text[:limit] + "..."
    return xml_safe(cut)


def missing_parameter(name: str) -> EC2Error:
    """The request lacks a required parameter."""
    return EC2Error(
        "MissingParameter",
        f"The request must contain the parameter {name}",
    )


def invalid_value(name: str, value: str, reason: str = "") -> EC2Error:
    """A parameter value is not acceptable."""
    suffix = f": {reason}" if reason else ""
    return EC2Error(
        "InvalidParameterValue",
        f"Value ({shown(value)}) for parameter {name} is invalid{suffix}",
    )


def unsupported(error: CapabilityMissing | NotSupported) -> EC2Error:
    """The driver cannot do what the action needs."""
    if isinstance(error, CapabilityMissing):
        reason = f"the current driver does not support '{error.capability}'"
    else:
        reason = error.message
    return EC2Error("UnsupportedOperation", f"The operation is not supported: {reason}")


def translate(
    error: Exception,
    not_found: str = "InvalidParameterValue",
    incorrect_state: str = "IncorrectState",
) -> EC2Error:
    """The EC2 error for a core error raised while running an action."""
    if isinstance(error, EC2Error):
        return error
    if isinstance(error, AuthenticationFailure | AuthenticationRequired):
        return EC2Error(
            "AuthFailure",
            "AWS was not able to validate the provided access credentials",
            401,
        )
    if isinstance(error, CapabilityMissing | NotSupported):
        return unsupported(error)
    if isinstance(error, ObjectNotFound):
        return EC2Error(not_found, error.message)
    if isinstance(error, MethodNotAllowed | Conflict):
        return EC2Error(incorrect_state, error.message)
    if isinstance(error, Forbidden):
        return EC2Error("UnauthorizedOperation", error.message, 403)
    if isinstance(error, RequestTooLarge):
        return EC2Error("InvalidParameterValue", error.message, 413)
    if isinstance(error, ValidationFailure):
        return EC2Error("InvalidParameterValue", error.message)
    if isinstance(error, ProviderUnavailable):
        return EC2Error("RequestLimitExceeded", error.message, 503, error.retry_after)
    if isinstance(error, DeltaflaskError):
        return EC2Error("Unavailable", f"The back end failed: {error.message}", 503)
    if isinstance(error, HTTPException):
        return _http_error(error)
    current_app.logger.exception("unhandled error in the EC2 frontend")
    return EC2Error("InternalError", "An internal error has occurred", 500)


def _http_error(error: HTTPException) -> EC2Error:
    status = error.code or 400
    if status == 413:
        return EC2Error("InvalidParameterValue", "The request is too large", 413)
    if status == 405:
        return EC2Error("InvalidAction", "Only GET and POST requests are accepted", 400)
    if status == 404:
        return EC2Error("InvalidAction", "The requested action is not valid", 400)
    return EC2Error("InvalidParameterValue", error.description or "Bad request", status)


def render_error(error: Exception) -> Response:
    """Render any error as the EC2 error document."""
    ec2 = translate(error)
    root = ET.Element("Response")
    errors = ET.SubElement(root, "Errors")
    item = ET.SubElement(errors, "Error")
    ET.SubElement(item, "Code").text = ec2.code
    ET.SubElement(item, "Message").text = shown(ec2.message, MAX_MESSAGE)
    ET.SubElement(root, "RequestID").text = current_request_id()
    body = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root)
    response = Response(body, status=ec2.status, mimetype="text/xml")
    if ec2.status == 503:
        response.headers["Retry-After"] = str(ec2.retry_after)
    return response
