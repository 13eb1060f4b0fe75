"""Typed errors of the client: the server's status and message, or what the
client found before sending anything (a collection or action the driver lacks,
a wait that timed out, a transfer cut short)."""

from __future__ import annotations


class ClientError(Exception):
    """Anything the client raises; ``exit_code`` is the command line's."""

    exit_code = 1


class ServerError(ClientError):
    """The server answered with an error: its HTTP ``status``, ``message`` and
    error ``kind`` (``Deltacloud::Exceptions::ObjectNotFound``)."""

    def __init__(self, status: int, message: str, kind: str = "") -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message
        self.kind = kind


class BadRequest(ServerError):
    """400: the server refused the parameters."""

    exit_code = 2


class AuthenticationError(ServerError):
    """401: no or wrong credentials."""

    exit_code = 3


class Forbidden(ServerError):
    """403: the credentials may not do this."""

    exit_code = 3


class NotFound(ServerError):
    """404: no such object."""

    exit_code = 4


class Conflict(ServerError):
    """405 or 409: not allowed in the object's state."""

    exit_code = 5


class CapabilityMissing(ClientError):
    """The driver lacks a collection, feature or action (412 from the server,
    or found in the entry point / the object's action links before asking)."""

    exit_code = 6

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class WaitTimeout(ClientError):
    """``wait_for`` saw no ``state`` before its timeout."""

    exit_code = 7

    def __init__(self, what: str, state: str, last: str | None, timeout: float):
        super().__init__(
            f"{what} not {state} after {timeout:g}s (last state: {last or 'none'})"
        )
        self.state = state
        self.last = last


class TransferError(ClientError):
    """The server could not be reached, or a transfer ended short."""

    exit_code = 8


STATUS_ERRORS: dict[int, type[ServerError]] = {
    400: BadRequest,
    401: AuthenticationError,
    403: Forbidden,
    404: NotFound,
    405: Conflict,
    409: Conflict,
}


def error_for(status: int, message: str, kind: str = "") -> ClientError:
    """The typed error of an HTTP error answer."""
    if status == 412:
        return CapabilityMissing(message, status)
    return STATUS_ERRORS.get(status, ServerError)(status, message, kind)
