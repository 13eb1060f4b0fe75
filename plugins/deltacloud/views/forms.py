"""HTML forms of the classic API: field specs, validation and re-rendering.

A view module describes each of its forms with a builder that returns a
:class:`Form` for the submitted (or default) values and registers it under the
endpoint the form posts to (:func:`register_form`). The GET page renders it
with :func:`page`; a browser's POST to that endpoint is checked against the
same spec before the view runs (:func:`check_submission`), and any validation
or CSRF error gives the form back with the message beside its field
(:func:`form_error_response`), so nothing is created.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from flask import Response
from flask import g
from flask import render_template
from flask import request

from deltaflask.context import current_driver
from deltaflask.csrf import FIELD as CSRF_FIELD
from deltaflask.errors import Conflict
from deltaflask.errors import DeltaflaskError
from deltaflask.errors import Forbidden
from deltaflask.errors import ValidationFailure
from deltaflask.plugins.deltacloud.params import request_params
from deltaflask.plugins.deltacloud.render import href
from deltaflask.text import xml_safe

FORM_BODIES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
REQUIRED = "This field is required."
#: the name of a form's refresh button (see :attr:`Form.refresh`)
REFRESH = "_refresh"


@dataclass
class Field:
    """One input of a form.

    ``kind`` is ``text``, ``number``, ``select``, ``textarea``, ``file``,
    ``hidden``, ``password``, ``checkbox``, ``checkboxes`` (one box per option, named
    ``<name><n>``) or ``static`` (shown, not sent).
    """

    name: str
    label: str
    kind: str = "text"
    required: bool = False
    options: Sequence[tuple[str, str]] = ()
    minimum: float | None = None
    maximum: float | None = None
    value: str = ""
    hint: str = ""
    placeholder: str = ""
    #: the text of the empty choice of an optional select
    blank: str = "(none)"
    #: a regular expression a text value must match in full
    pattern: str = ""
    #: what is wrong when ``pattern`` does not match
    pattern_message: str = "Enter a valid value."
    #: a number must be whole (counts, ports, gigabytes)
    whole: bool = False
    #: the field belongs to a choice made in the same form (a hardware
    #: profile's memory): a refresh shows the new choice's default, and a
    #: post that did not show it (another choice was on show) is not held
    #: to it, so the choice's default applies
    follows_choice: bool = False

    @property
    def bounds(self) -> tuple[str | None, str | None]:
        """``min`` and ``max`` as the page shows them (``None`` when open)."""
        return (
            None if self.minimum is None else _num(self.minimum),
            None if self.maximum is None else _num(self.maximum),
        )

    def check(self, raw: str) -> str | None:
        """The error for the submitted ``raw`` value, or ``None``."""
        if raw == "":
            return REQUIRED if self.required else None
        if self.kind == "number":
            return self._check_number(raw)
        if self.kind == "select" and raw not in {value for value, _ in self.options}:
            return "Choose one of the offered values."
        if self.pattern and not re.fullmatch(self.pattern, raw):
            return self.pattern_message
        return None

    def _check_number(self, raw: str) -> str | None:
        try:
            number = float(raw)
        except ValueError:
            return "Enter a whole number." if self.whole else "Enter a number."
        if self.whole and not number.is_integer():
            return "Enter a whole number."
        low, high = self.minimum, self.maximum
        too_low = low is not None and number < low
        too_high = high is not None and number > high
        if high is None and too_low:
            return f"Must be at least {_num(low)}."
        if low is None and too_high:
            return f"Must be at most {_num(high)}."
        if too_low or too_high:
            return f"Must be between {_num(low)} and {_num(high)}."
        return None


def _num(value: float | None) -> str:
    if value is None:
        return "any"
    return str(int(value)) if float(value).is_integer() else str(value)


@dataclass
class Form:
    """A whole form page: where it posts, its fields and its breadcrumbs."""

    title: str
    action: str
    fields: list[Field]
    submit: str
    crumbs: list[tuple[str, str | None]]
    multipart: bool = False
    intro: str = ""
    #: the label of a second button that shows the form again for the values
    #: chosen (e.g. another hardware profile's settings) instead of acting
    refresh: str = ""
    method: str = "post"
    #: prefix of the input ids, for several forms on one page
    key: str = ""
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def value(self, item: Field) -> str:
        """The value to show in ``item``: the submitted one, else its default."""
        if item.kind in ("file", "static", "password"):
            return item.value
        return self.values.get(item.name, item.value)

    def names(self) -> list[str]:
        """The names of the fields the server reads."""
        return [f.name for f in self.fields if f.kind not in ("static", "checkboxes")]


def new_form(
    collection: str, title: str, fields: list[Field], submit: str, **more: Any
) -> Form:
    """The form that creates a member of ``collection`` (it posts to the list)."""
    return Form(
        title=title,
        action=href(collection),
        fields=fields,
        submit=submit,
        crumbs=[(collection.replace("_", " "), href(collection)), ("new", None)],
        **more,
    )


def member_form(
    collection: str,
    item_id: str,
    step: str,
    title: str,
    fields: list[Field],
    submit: str,
    *,
    action: str | None = None,
    **more: Any,
) -> Form:
    """A form about member ``item_id`` of ``collection``, shown at the crumb
    ``step``; it posts to ``<item>/<step>`` unless ``action`` says where."""
    return Form(
        title=title,
        action=action or href(collection, item_id, step),
        fields=fields,
        submit=submit,
        crumbs=[
            (collection.replace("_", " "), href(collection)),
            (item_id, href(collection, item_id)),
            (step, None),
        ],
        **more,
    )


def instance_options() -> list[tuple[str, str]]:
    """The driver's instances as select options labelled ``name (id)``."""
    return [
        (i.id, f"{i.name or i.id} ({i.id})") for i in current_driver().instances({})
    ]


Builder = Callable[..., Form]
#: POST endpoint -> the builder of the form that posts there
FORMS: dict[str, Builder] = {}


def register_form(endpoint: str, builder: Builder) -> None:
    """Declare that browser posts to ``endpoint`` come from ``builder``'s form."""
    FORMS[f"api.{endpoint}"] = builder


def submitted_values() -> dict[str, str]:
    """The request's parameters without the CSRF token, method override and
    refresh button."""
    return {
        key: value
        for key, value in request_params().items()
        if key not in (CSRF_FIELD, "_method", REFRESH)
    }


def page(builder: Builder, status: int = 200, **view_args: Any) -> Response:
    """Render ``builder``'s form with the request's parameters as defaults."""
    form = builder(submitted_values(), **view_args)
    form.values = submitted_values()
    return _render(form, status)


def _render(form: Form, status: int) -> Response:
    body = xml_safe(render_template("api/form.html", form=form))
    return Response(body, status=status, content_type="text/html")


def validate(form: Form, values: Mapping[str, str]) -> dict[str, str]:
    """Field name -> message for every field the values do not satisfy."""
    errors = {}
    for item in form.fields:
        if item.kind in ("static", "checkboxes", "checkbox"):
            continue
        if item.follows_choice and item.name not in values:
            continue
        if item.kind == "file":
            upload = request.files.get(item.name)
            raw = upload.filename or "" if upload is not None else ""
        else:
            raw = values.get(item.name, "").strip()
        problem = item.check(raw)
        if problem:
            errors[item.name] = problem
    return errors


class FormInvalid(ValidationFailure):
    """A browser form failed validation; ``errors`` maps field -> message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def browser_form_post() -> bool:
    """Whether the request is a browser posting one of the registered forms."""
    return (
        g.get("format") == "html"
        and request.method != "GET"
        and request.mimetype in FORM_BODIES
        and request.endpoint in FORMS
    )


def check_submission() -> Response | None:
    """Validate a browser form post against its form before the view runs.

    :return: the form again, when its refresh button was pressed (the view
        does not run), else ``None``.
    """
    if not browser_form_post():
        return None
    values = submitted_values()
    form = FORMS[request.endpoint or ""](values, **(request.view_args or {}))
    if form.refresh and REFRESH in request.form:
        dropped = {f.name for f in form.fields if f.follows_choice}
        form.values = {k: v for k, v in values.items() if k not in dropped}
        return _render(form, 200)
    errors = validate(form, values)
    if errors:
        raise FormInvalid(errors)
    return None


def form_error_response(error: Exception) -> Response | None:
    """The form again with ``error`` beside its field, for a browser form post.

    Invalid values (400), a missing token or values the provider refuses
    (403) and values that clash with what exists (409) come back this way.
    (A cross-site post is refused before the format is known: it gets the
    error page.)

    ``None`` when the request is not a form post of a registered form or the
    error is not about the submitted values (then the error page is shown).
    """
    if not isinstance(error, ValidationFailure | Forbidden | Conflict):
        return None
    if not browser_form_post():
        return None
    try:
        values = submitted_values()
        form = FORMS[request.endpoint or ""](values, **(request.view_args or {}))
    except DeltaflaskError:  # unusable values, or e.g. the bucket is gone
        return None
    form.values = values
    if isinstance(error, FormInvalid):
        form.errors = dict(error.errors)
    else:
        form.errors = {_field_named(error.message, form.names()): error.message}
    return _render(form, error.status)


def _field_named(message: str, names: list[str]) -> str:
    """The field ``message`` talks about ('' for the whole form)."""
    for name in names:
        if re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", message):
            return name
    return ""
