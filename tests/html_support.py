"""What the tests of the HTML interface share: a browser's headers, its forms
(CSRF token, the message beside a field) and the pages' select pickers."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.conftest import EC2_AUTH

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


def field_error(response: TestResponse, name: str) -> str:
    """The message shown beside field ``name`` of a re-rendered form."""
    html = response.get_data(as_text=True)
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
