"""Request parameters: query string, form fields and matrix parameters."""

from __future__ import annotations

from flask import request

from deltaflask.errors import ValidationFailure
from deltaflask.middleware import MATRIX_KEY

#: parameters that steer the server and never reach a driver as filters
RESERVED = {"format", "force_auth", "api[driver]", "api[provider]", "_method"}


def request_params() -> dict[str, str]:
    """All parameters of the request, later sources overriding earlier ones.

    Matrix parameters of every path segment but ``api`` are included for all
    methods (the original dropped them on POST).
    """
    merged: dict[str, str] = {}
    for segment, pairs in request.environ.get(MATRIX_KEY, {}).items():
        if segment != "api":
            merged.update(pairs)
    merged.update(request.args.items())
    if request.method in ("POST", "PUT", "DELETE") and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        merged.update(request.form.items())
    return merged


def filters(allowed: tuple[str, ...]) -> dict[str, str]:
    """The filter parameters a list operation accepts."""
    params = request_params()
    return {name: params[name] for name in allowed if params.get(name)}


def require(params: dict[str, str], *names: str) -> None:
    """Raise a 400 naming the first missing required parameter."""
    for name in names:
        if name not in params:
            received = ",".join(sorted(p for p in params if p not in RESERVED))
            raise ValidationFailure(
                f"Required parameter '{name}' not found in [{received}]"
            )
