"""Bad input in the browser forms: the form comes back with the message beside
the field (or above it when no field is to blame) and nothing is created."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.test_html_ui import BROWSER
from tests.test_html_ui import TOKEN
from tests.test_html_ui import field_error
from tests.test_html_ui import token_from

#: (form page, POST target, values, field, message, JSON list that must not grow)
CASES = [
    (
        "/api/storage_volumes/new",
        "/api/storage_volumes",
        {"capacity": "0"},
        "capacity",
        "Must be at least 1.",
        "storage_volumes",
    ),
    (
        "/api/storage_volumes/new",
        "/api/storage_volumes",
        {"capacity": "1.5"},
        "capacity",
        "Enter a whole number.",
        "storage_volumes",
    ),
    (
        "/api/storage_volumes/new",
        "/api/storage_volumes",
        {"capacity": "lots"},
        "capacity",
        "Enter a whole number.",
        "storage_volumes",
    ),
    (
        "/api/storage_volumes/new",
        "/api/storage_volumes",
        {"capacity": "2", "realm_id": "atlantis"},
        "realm_id",
        "Choose one of the offered values.",
        "storage_volumes",
    ),
    (
        "/api/keys/new",
        "/api/keys",
        {"name": "two words!"},
        "name",
        "Invalid key name: use letters, digits and . _ - : @ + (at most 128)",
        "keys",
    ),
    (
        "/api/keys/new",
        "/api/keys",
        {"name": "test-key"},
        "name",
        "Key with same name already exists",
        "keys",
    ),
    (
        "/api/buckets/new",
        "/api/buckets",
        {"name": ""},
        "name",
        "This field is required.",
        "buckets",
    ),
    (
        "/api/buckets/new",
        "/api/buckets",
        {"name": "no spaces please"},
        "name",
        "Invalid bucket name: use letters, digits and . _ - : @ + (at most 128)",
        "buckets",
    ),
    (
        "/api/subnets/new",
        "/api/subnets",
        {"network_id": "net1", "address_block": ""},
        "address_block",
        "This field is required.",
        "subnets",
    ),
    (
        "/api/subnets/new",
        "/api/subnets",
        {"network_id": "nosuch", "address_block": "10.9.0.0/24"},
        "network_id",
        "Choose one of the offered values.",
        "subnets",
    ),
    (
        "/api/load_balancers/new",
        "/api/load_balancers",
        {
            "name": "lb9",
            "realm_id": "us",
            "listener_protocol": "HTTP",
            "listener_balancer_port": "70000",
            "listener_instance_port": "80",
        },
        "listener_balancer_port",
        "Must be between 1 and 65535.",
        "load_balancers",
    ),
    (
        "/api/firewalls/default/new_rule",
        "/api/firewalls/default/rules",
        {"protocol": "tcp", "port_from": "22.5", "port_to": "23"},
        "port_from",
        "Enter a whole number.",
        "firewalls",
    ),
]


def listed(client: FlaskClient, json_headers: dict[str, str], name: str) -> object:
    return client.get(f"/api/{name}", headers=json_headers).get_json()[name]


@pytest.mark.parametrize(
    ("form", "target", "values", "name", "message", "collection"),
    CASES,
    ids=[f"{case[1]}-{case[3]}-{next(iter(case[2].values()))}" for case in CASES],
)
def test_bad_value_comes_back_beside_the_field(
    client, auth, json_headers, form, target, values, name, message, collection
):
    browser = {**auth, **BROWSER}
    before = listed(client, json_headers, collection)
    token = token_from(client, form, browser)
    response = client.post(
        target, data={**values, "_csrf_token": token}, headers=browser
    )
    assert response.status_code in (400, 403, 409)  # the mock refuses a twin key
    html = response.get_data(as_text=True)
    assert field_error(response, name) == message.replace("'", "&#39;")
    assert "aria-invalid" in html
    for key, value in values.items():  # what was typed is kept
        if value and key not in ("realm_id", "network_id"):  # not offered
            assert f'value="{value}"' in html or f">{value}<" in html
    assert TOKEN.search(html)  # and the form can be sent again
    assert listed(client, json_headers, collection) == before


@pytest.mark.parametrize(
    ("form", "target", "values", "collection"),
    [
        (
            "/api/storage_volumes/new",
            "/api/storage_volumes",
            {"capacity": "3"},
            "storage_volumes",
        ),
        ("/api/keys/new", "/api/keys", {"name": "sneaky"}, "keys"),
        ("/api/buckets/new", "/api/buckets", {"name": "sneaky"}, "buckets"),
        (
            "/api/subnets/new",
            "/api/subnets",
            {"network_id": "net1", "address_block": "10.0.9.0/24"},
            "subnets",
        ),
    ],
)
def test_missing_token_gives_the_form_back(
    client, auth, json_headers, form, target, values, collection
):
    browser = {**auth, **BROWSER}
    before = listed(client, json_headers, collection)
    token_from(client, form, browser)
    response = client.post(target, data=values, headers=browser)
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert "security token is missing or wrong" in html
    assert TOKEN.search(html)
    assert listed(client, json_headers, collection) == before
