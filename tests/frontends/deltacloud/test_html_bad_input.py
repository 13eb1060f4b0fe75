"""Bad input in the browser forms: the form comes back with the message beside
the field (or above it when no field is to blame) and nothing is created.
The forms are filled in and sent with webtest, as a browser would."""

from __future__ import annotations

from typing import NamedTuple

import pytest

from tests.support.html import BROWSER
from tests.support.html import TOKEN
from tests.support.html import browser_app
from tests.support.html import field_error
from tests.support.html import form_to
from tests.support.html import listed
from tests.support.html import send_form
from tests.support.html import token_from


class Bad(NamedTuple):
    """A form sent with a bad value, and what must come back."""

    form: str
    target: str
    #: the JSON list that must not change
    collection: str
    values: dict[str, str]
    field: str
    message: str
    status: int = 400


#: (form page, POST target, collection) of each form
VOLUMES = ("/api/storage_volumes/new", "/api/storage_volumes", "storage_volumes")
PROFILE = ("/api/instances/new?hwp_id=m1-large", "/api/instances", "instances")
LAUNCH = ("/api/instances/new", "/api/instances", "instances")
KEYS = ("/api/keys/new", "/api/keys", "keys")
BUCKETS = ("/api/buckets/new", "/api/buckets", "buckets")
SUBNETS = ("/api/subnets/new", "/api/subnets", "subnets")
BALANCERS = ("/api/load_balancers/new", "/api/load_balancers", "load_balancers")
RULES = (
    "/api/firewalls/default/new_rule",
    "/api/firewalls/default/rules",
    "firewalls",
)
REGISTER = ("/api/load_balancers/lb1", "/api/load_balancers/lb1/register")

REQUIRED = "This field is required."
NOT_OFFERED = "Choose one of the offered values."
NAMES = "use letters, digits and . _ - : @ + (at most 128)"
M1_LARGE = {"image_id": "img1", "hwp_id": "m1-large"}
CASES = [
    Bad(*VOLUMES, {"capacity": "0"}, "capacity", "Must be at least 1."),
    Bad(*VOLUMES, {"capacity": "1.5"}, "capacity", "Enter a whole number."),
    Bad(*VOLUMES, {"capacity": "lots"}, "capacity", "Enter a whole number."),
    Bad(*VOLUMES, {"capacity": "2", "realm_id": "atlantis"}, "realm_id", NOT_OFFERED),
    Bad(
        *PROFILE,
        {**M1_LARGE, "hwp_memory": "99999", "hwp_cpu": "2", "hwp_storage": "850"},
        "hwp_memory",
        "Must be between 7680 and 15360.",
    ),
    Bad(*LAUNCH, {**M1_LARGE, "hwp_storage": "4096"}, "hwp_storage", NOT_OFFERED),
    Bad(*KEYS, {"name": "  "}, "name", REQUIRED),
    Bad(*KEYS, {"name": "two words!"}, "name", f"Invalid key name: {NAMES}"),
    # the mock refuses a twin key
    Bad(*KEYS, {"name": "test-key"}, "name", "Key with same name already exists", 403),
    Bad(*BUCKETS, {"name": ""}, "name", REQUIRED),
    Bad(
        *BUCKETS, {"name": "no spaces please"}, "name", f"Invalid bucket name: {NAMES}"
    ),
    Bad(
        *SUBNETS, {"network_id": "net1", "address_block": ""}, "address_block", REQUIRED
    ),
    Bad(
        *SUBNETS,
        {"network_id": "nosuch", "address_block": "10.9.0.0/24"},
        "network_id",
        NOT_OFFERED,
    ),
    Bad(
        *BALANCERS,
        {
            "name": "lb9",
            "realm_id": "us",
            "listener_protocol": "HTTP",
            "listener_balancer_port": "70000",
            "listener_instance_port": "80",
        },
        "listener_balancer_port",
        "Must be between 1 and 65535.",
    ),
    Bad(
        *RULES,
        {"protocol": "tcp", "port_from": "22.5", "port_to": "23"},
        "port_from",
        "Enter a whole number.",
    ),
    Bad(  # the driver's own check, after the form's
        *RULES,
        {"protocol": "tcp", "port_from": "90", "port_to": "80"},
        "port_from",
        "port_from must not be greater than port_to",
    ),
]


@pytest.mark.parametrize(
    "bad", CASES, ids=[f"{b.target}-{b.field}-{b.values[b.field]}" for b in CASES]
)
def test_bad_value_comes_back_beside_the_field(
    app, client, auth, json_headers, bad: Bad
):
    """Fill the form in and send it as a browser would (with webtest)."""
    web = browser_app(app, {**auth, **BROWSER})
    before = listed(client, json_headers, bad.collection)
    response = send_form(web, bad.form, bad.target, bad.values)
    assert response.status_code == bad.status
    html = response.text
    assert field_error(response, bad.field) == bad.message.replace("'", "&#39;")
    assert "aria-invalid" in html
    assert "nothing was created" in html
    again = form_to(response, bad.target)  # the form comes back ...
    for key, value in bad.values.items():  # with what was typed ...
        if value and not (key == bad.field and bad.message == NOT_OFFERED):
            assert again[key].value == value, key
            assert f'value="{value}"' in html or f">{value}<" in html, key
    assert TOKEN.search(html)  # and can be sent again
    assert again["_csrf_token"].value
    assert listed(client, json_headers, bad.collection) == before


@pytest.mark.parametrize(
    ("form", "target", "collection", "values"),
    [
        (*VOLUMES, {"capacity": "3"}),
        (*KEYS, {"name": "forged"}),
        (*BUCKETS, {"name": "sneaky"}),
        (*SUBNETS, {"network_id": "net1", "address_block": "10.0.9.0/24"}),
        (*REGISTER, "load_balancers", {"instance_id": "inst2"}),
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
    for value in values.values():  # the form again, with what was typed
        assert f'value="{value}"' in html
    assert TOKEN.search(html)
    assert listed(client, json_headers, collection) == before
