"""What the tests of the HTML interface share: a browser's headers, its forms
(CSRF token, the message beside a field, filled in and sent with webtest as
a browser does) and the pages' select pickers."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskClient
from webtest import TestApp
from webtest import TestResponse as WebResponse
from webtest.forms import Form
from webtest.forms import Select
from werkzeug.test import TestResponse

from tests.support.auth import EC2_AUTH

#: what Chromium sends with a same-origin form post
BROWSER = {
    "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
    "Origin": "http://localhost",
    "Sec-Fetch-Site": "same-origin",
    "Sec-Fetch-Mode": "navigate",
}
#: a browser logged in to the ec2 driver (on moto)
EC2_BROWSER = {"Authorization": EC2_AUTH, **BROWSER}
#: where a cross-site page would post from
CROSS_SITE = {"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}
TOKEN = re.compile(r'name="_csrf_token" value="([^"]+)"')


def token_from(client: FlaskClient, path: str, headers: dict[str, str]) -> str:
    """Open a form page like a browser and return its CSRF token."""
    page = client.get(path, headers=headers)
    assert page.status_code == 200, page.get_data(as_text=True)
    found = TOKEN.search(page.get_data(as_text=True))
    assert found, "the form carries no CSRF token"
    return found.group(1)


def submit(
    client: FlaskClient,
    form: str,
    target: str,
    values: dict[str, Any],
    headers: dict[str, str],
    **post: Any,
) -> TestResponse:
    """Open the form page ``form`` like a browser, then post ``values`` with
    its CSRF token to ``target``."""
    token = token_from(client, form, headers)
    data = {**values, "_csrf_token": token}
    return client.post(target, data=data, headers=headers, **post)


def browser_app(app: Flask, headers: dict[str, str]) -> TestApp:
    """``app`` under webtest, sent ``headers`` (a browser's) with every request;
    it keeps the session cookie as a browser does."""
    environ = {
        "HTTP_" + name.upper().replace("-", "_"): value
        for name, value in headers.items()
    }
    return TestApp(app, extra_environ=environ)


def form_to(page: WebResponse, target: str) -> Form:
    """The one form of ``page`` that posts to ``target`` (path and query)."""
    found = []
    for key, form in page.forms.items():
        action = urlsplit(form.action)
        posts_to = action.path + (f"?{action.query}" if action.query else "")
        if isinstance(key, int) and posts_to == target:
            found.append(form)
    assert len(found) == 1, f"{len(found)} forms post to {target}"
    return found[0]


def fill(form: Form, values: dict[str, Any]) -> Form:
    """Type ``values`` into ``form``'s fields as a user would; a value a picker
    does not offer is forced in, as a tampered page would send it."""
    for name, value in values.items():
        field = form[name]
        if isinstance(field, Select) and value not in [o[0] for o in field.options]:
            field.force_value(value)
        else:
            form[name] = value
    return form


def send_form(
    web: TestApp, page: str, target: str, values: dict[str, Any], **sent: Any
) -> WebResponse:
    """Open ``page``, fill in its form to ``target`` with ``values`` and send
    it with its other fields as they came (whatever the status). Fields that
    show only after a choice (a profile's) are reached as a user does: fill
    in what is there, press the form's refresh button, go on."""
    form = form_to(web.get(page), target)
    shown = {name: value for name, value in values.items() if name in form.fields}
    if shown != values and "_refresh" in form.fields:
        form = form_to(fill(form, shown).submit("_refresh", status=200), target)
    return fill(form, values).submit(status="*", **sent)


def field_error(response: TestResponse | WebResponse, name: str) -> str:
    """The message shown beside field ``name`` of a re-rendered form."""
    html = response.text
    found = re.search(rf'id="field-{name}-error"[^>]*>([^<]+)<', html)
    assert found, f"no message beside {name}"
    return found.group(1)


def listed(client: FlaskClient, json_headers: dict[str, str], name: str) -> Any:
    """The JSON list of collection ``name``."""
    return client.get(f"/api/{name}", headers=json_headers).get_json()[name]


def offered(html: str, select_id: str) -> list[str]:
    """The values the select ``select_id`` of a page offers."""
    picker = html[html.index(f'id="{select_id}"') :]
    picker = picker[: picker.index("</select>")]
    return re.findall(r'<option value="([^"]+)"', picker)
