"""Request parameters: query string, form fields, JSON bodies and matrix parameters.

Every parameter of ``/api`` is read through :func:`request_params`, which
refuses (400) text no XML or JSON document can carry (control characters,
U+FFFE/U+FFFF, lone surrogates), so nothing stored or echoed can break a
later answer. Whole numbers go through :func:`whole_number`, which caps
their digits.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import current_app
from flask import g
from flask import request

from deltaflask.errors import RequestTooLarge
from deltaflask.errors import ValidationFailure
from deltaflask.middleware import MATRIX_KEY
from deltaflask.text import refused_text

#: parameters that steer the server and never reach a driver as filters
RESERVED = {"format", "force_auth", "api[driver]", "api[provider]", "_method"}
FORM_BODIES = ("application/x-www-form-urlencoded", "multipart/form-data")
JSON_BODY = "application/json"
#: more digits than any count, port, size or page a cloud knows
MAX_DIGITS = 18
_DECIMAL = re.compile(rf"[0-9]{{1,{MAX_DIGITS}}}(?:\.[0-9]{{1,{MAX_DIGITS}}})?")
_CACHE = "deltacloud_params"


def check_text(name: str, value: str) -> None:
    """Refuse (400) a parameter name or value holding text no document can carry.

    The message names the parameter (once its name is known to be clean),
    never the offending value.
    """
    if refused_text(name):
        raise ValidationFailure(
            "A parameter name contains a control character or a character no "
            "document can carry"
        )
    if refused_text(value):
        raise ValidationFailure(
            f"Parameter '{name}' contains a control character or a character no "
            "document can carry"
        )


def request_params() -> dict[str, str]:
    """All parameters of the request, later sources overriding earlier ones.

    Matrix parameters of every path segment but ``api`` are included for all
    methods (the original dropped them on POST). Form bodies count for POST,
    PUT and DELETE (a multipart part without a name is ignored); a JSON
    object body counts for POST as if its members were form fields.
    """
    return dict(_checked_params())


def _checked_params() -> dict[str, str]:
    """The request's parameters, collected and checked once per request."""
    request_g = g._get_current_object()
    cached: dict[str, str] | None = request_g.get(_CACHE)
    if cached is None:
        cached = _collect(with_body=True)
        setattr(request_g, _CACHE, cached)
    return cached


def check_request(with_body: bool) -> None:
    """Check every parameter and path variable of the request (400 if bad);
    ``with_body=False`` leaves a streamed body unread."""
    for name, value in (request.view_args or {}).items():
        check_text(name, str(value))
    if with_body:
        _checked_params()
    else:
        _collect(with_body=False)


def _collect(with_body: bool) -> dict[str, str]:
    req = request._get_current_object()
    merged: dict[str, str] = {}
    for segment, pairs in req.environ.get(MATRIX_KEY, {}).items():
        if segment != "api":
            merged.update(pairs)
    merged.update(req.args.items())
    method = req.method
    if with_body and method in ("POST", "PUT", "DELETE"):
        if req.mimetype in FORM_BODIES:
            merged.update((k, v) for k, v in req.form.items() if k)
        elif method == "POST" and req.mimetype == JSON_BODY:
            merged.update(_json_fields())
    for name, value in merged.items():
        check_text(name, value)
    return merged


def _json_fields() -> dict[str, str]:
    """The members of a JSON object body as form fields (400 if malformed;
    413 over the form size cap, which upload routes do not otherwise apply)."""
    if (request.content_length or 0) > current_app.config["MAX_FORM_BYTES"]:
        raise RequestTooLarge("The JSON request body is too large")
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise ValidationFailure("The request body is not well-formed JSON") from exc
    if not isinstance(document, dict):
        raise ValidationFailure(
            "A JSON request body must be an object of parameter names and values"
        )
    return {
        name: _json_scalar(name, value)
        for name, value in document.items()
        if value is not None
    }


def _json_scalar(name: str, value: Any) -> str:
    check_text(name, "")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise ValidationFailure(
        f"JSON parameter '{name}' must be a string, a number or true/false"
    )


def whole_number(
    value: str,
    name: str,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int:
    """``value`` as a whole number within the bounds (400 when it is not one,
    has more than :data:`MAX_DIGITS` digits or is out of bounds)."""
    text = value.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= MAX_DIGITS):
        raise ValidationFailure(f"{name} must be a whole number")
    number = int(text)
    if (minimum is not None and number < minimum) or (
        maximum is not None and number > maximum
    ):
        low = "" if minimum is None else f" from {minimum}"
        high = "" if maximum is None else f" up to {maximum}"
        raise ValidationFailure(f"{name} must be a whole number{low}{high}")
    return number


def positive_number(value: str, name: str) -> float:
    """``value`` as a number such as ``2`` or ``1.7`` (400 when it is not one
    or has more than :data:`MAX_DIGITS` digits on a side of the point)."""
    text = value.strip()
    if not _DECIMAL.fullmatch(text):
        raise ValidationFailure(f"{name} must be a number such as 2 or 1.5")
    return float(text)


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
