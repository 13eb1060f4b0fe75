"""Typed errors: each carries the HTTP status its frontends answer with."""

from __future__ import annotations


class DeltaflaskError(Exception):
    """Base of every error a driver or the core raises on purpose.

    ``status`` is the HTTP status, ``kind`` the error name shown to clients
    (the original's ``Deltacloud::Exceptions::<kind>``) and ``default_message``
    the text used when none is given.
    """

    status = 500
    kind = "BackendError"
    default_message = "Internal Server Error"

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class ValidationFailure(DeltaflaskError):
    """A parameter is missing or malformed."""

    status = 400
    kind = "ValidationFailure"
    default_message = "Bad Request"


class AuthenticationRequired(DeltaflaskError):
    """No credentials were sent and the operation needs them (adds a challenge)."""

    status = 401
    kind = "AuthenticationFailure"
    default_message = "Unauthorized"


class AuthenticationFailure(DeltaflaskError):
    """The provider rejected the credentials."""

    status = 401
    kind = "AuthenticationFailure"
    default_message = "Authentication Failure"


class Forbidden(DeltaflaskError):
    """The provider refuses the operation."""

    status = 403
    kind = "ForbiddenError"
    default_message = "Forbidden"


class ObjectNotFound(DeltaflaskError):
    """The resource does not exist."""

    status = 404
    kind = "ObjectNotFound"
    default_message = "Not Found"


class MethodNotAllowed(DeltaflaskError):
    """The action is not allowed in the resource's current state."""

    status = 405
    kind = "MethodNotAllowed"
    default_message = "Method Not Allowed"


class NotAcceptable(DeltaflaskError):
    """No representation the client accepts."""

    status = 406
    kind = "UnknownMediaTypeError"
    default_message = "Not Acceptable"


class Conflict(DeltaflaskError):
    """The request conflicts with the resource's state."""

    status = 409
    kind = "Conflict"
    default_message = "Resource Conflict"


class CapabilityMissing(DeltaflaskError):
    """The current driver cannot do this operation at all."""

    status = 412
    kind = "NotSupported"
    default_message = "The required capability to execute this operation is missing"

    def __init__(self, capability: str, message: str | None = None) -> None:
        self.capability = capability
        super().__init__(message)


class RequestTooLarge(DeltaflaskError):
    """The request body is over the configured limit."""

    status = 413
    kind = "ValidationFailure"
    default_message = "Request Entity Too Large"


class BackendError(DeltaflaskError):
    """The back end failed in a way the driver did not map."""


class NotSupported(DeltaflaskError):
    """The driver knows the operation but cannot do it for this input."""

    status = 501
    kind = "NotSupported"
    default_message = "Not Supported"


class ProviderError(DeltaflaskError):
    """The provider answered with an error."""

    status = 502
    kind = "ProviderError"
    default_message = "Backend Server Error"


class ProviderUnavailable(DeltaflaskError):
    """The provider is throttling or down; clients may retry later."""

    status = 503
    kind = "ProviderError"
    default_message = "Service Unavailable"

    def __init__(self, message: str | None = None, retry_after: int = 1) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class ProviderTimeout(DeltaflaskError):
    """The provider did not answer in time."""

    status = 504
    kind = "ProviderTimeout"
    default_message = "Gateway Timeout"


DEFAULT_MESSAGES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    409: "Resource Conflict",
    412: "Precondition Failed",
    413: "Request Entity Too Large",
    500: "Internal Server Error",
    501: "Not Supported",
    502: "Backend Server Error",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
