"""The HTML interface without a browser: CSRF, CSP, pages, escaping (the bad
values of every form are in test_html_bad_input). Forms are filled in and
sent with webtest, as a browser would."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from webtest import TestApp
from webtest import TestResponse as WebResponse
from webtest import Upload

from deltaflask import create_app
from tests.support.html import BROWSER
from tests.support.html import CROSS_SITE
from tests.support.html import TOKEN
from tests.support.html import browser_app
from tests.support.html import field_error
from tests.support.html import form_to
from tests.support.html import offered
from tests.support.html import send_form
from tests.support.html import token_from


@pytest.fixture
def browser(auth: dict[str, str]) -> dict[str, str]:
    """Headers of a logged-in browser."""
    return {**auth, **BROWSER}


@pytest.fixture
def web(app: Flask, browser: dict[str, str]) -> TestApp:
    """A logged-in browser that fills in and sends forms (webtest)."""
    return browser_app(app, browser)


# -- CSRF ------------------------------------------------------------------------


def test_form_post_with_token_creates(web, client, json_headers):
    created = send_form(web, "/api/keys/new", "/api/keys", {"name": "mine"})
    # the new key's page itself (no redirect): a provider shows the PEM only once
    assert created.status_code == 201
    assert created.headers["Location"] == "http://localhost/api/keys/mine"
    assert "BEGIN RSA PRIVATE KEY" in created.text
    assert client.get("/api/keys/mine", headers=json_headers).status_code == 200


@pytest.mark.parametrize("forgery", ["guessed", "of-another-session", "cross-site"])
def test_forged_post_is_refused(app, client, browser, json_headers, forgery):
    """A wrong token, another session's token, or the right token sent from
    another site: nothing is created."""
    token = token_from(client, "/api/keys/new", browser)
    headers = browser
    if forgery == "guessed":
        token = "guess"
    elif forgery == "of-another-session":
        token = token_from(app.test_client(), "/api/keys/new", browser)
    else:
        headers = {**browser, **CROSS_SITE}
    refused = client.post(
        "/api/keys", data={"name": "forged", "_csrf_token": token}, headers=headers
    )
    assert refused.status_code == 403
    assert client.get("/api/keys/forged", headers=json_headers).status_code == 404


def test_action_button_without_token_is_an_error_page(client, browser, json_headers):
    refused = client.post("/api/instances/inst0/stop", headers=browser)
    assert refused.status_code == 403
    html = refused.get_data(as_text=True)
    assert "<h2>403</h2>" in html and "security token" in html
    assert "Traceback" not in html
    state = client.get("/api/instances/inst0", headers=json_headers).get_json()
    assert state["instance"]["state"] == "RUNNING"


def test_method_override_needs_the_token(web, client, browser, json_headers):
    refused = client.post("/api/keys/test-key?_method=DELETE", headers=browser)
    assert refused.status_code == 403
    assert client.get("/api/keys/test-key", headers=json_headers).status_code == 200
    page = "/api/keys/test-key"
    deleted = send_form(web, page, f"{page}?_method=DELETE", {})
    assert deleted.status_code == 303
    assert client.get("/api/keys/test-key", headers=json_headers).status_code == 404


def test_api_clients_need_no_token(client, auth, xml):
    """curl (``Accept: */*``), XML and JSON clients send no browser headers."""
    curl = {**auth, "Accept": "*/*"}
    assert client.post("/api/keys", data={"name": "k1"}, headers=curl).status_code in (
        201,
        303,
    )
    assert client.post("/api/keys", data={"name": "k2"}, headers=xml).status_code == 201
    stopped = client.post("/api/instances/inst0/stop", headers=curl)
    assert stopped.status_code in (202, 303)


def test_every_form_carries_the_token(client, browser):
    for path in (
        "/api",
        "/api/instances/new",
        "/api/instances/inst0",
        "/api/instances/inst0/run",
        "/api/images/new?instance_id=inst0",
        "/api/keys/new",
        "/api/storage_volumes/new",
        "/api/storage_volumes/vol1/attach_instance",
        "/api/storage_snapshots/new",
        "/api/buckets/new",
        "/api/buckets/bucket1/new_blob_form_d15cfd90",
        "/api/buckets/bucket1/blob1",
        "/api/addresses",
        "/api/addresses/192.168.0.1/associate",
        "/api/networks/new",
        "/api/subnets/new",
        "/api/network_interfaces/new",
        "/api/firewalls/new",
        "/api/firewalls/default/new_rule",
        "/api/load_balancers/new",
        "/api/load_balancers/lb1",
    ):
        html = client.get(path, headers=browser).get_data(as_text=True)
        posts = html.count('method="post"')
        assert posts, path
        assert len(TOKEN.findall(html)) == posts, path


# -- headers, static assets -------------------------------------------------------------


def test_html_pages_carry_a_content_security_policy(client, browser, xml):
    page = client.get("/api/instances", headers=browser)
    policy = page.headers["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ):
        assert directive in policy
    assert "unsafe-inline" not in policy
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    error = client.get("/api/instances/nosuch", headers=browser)
    assert error.status_code == 404
    assert "Content-Security-Policy" in error.headers
    assert (
        "Content-Security-Policy"
        not in client.get("/api/instances", headers=xml).headers
    )


def test_pages_have_no_inline_script_or_style(client, browser):
    for path in (
        "/api",
        "/api/instances",
        "/api/instances/inst0",
        "/api/instances/new",
        "/api/hardware_profiles/m1-large",
        "/api/buckets/bucket1/blob1",
        "/api/firewalls/default",
        "/api/nosuch",
    ):
        html = client.get(path, headers=browser).get_data(as_text=True).lower()
        assert "<script" not in html and "<style" not in html, path
        assert not re.search(r"\sstyle=|\son[a-z]+=|javascript:", html), path


def test_static_assets_come_from_the_package(client):
    with client.get("/static/deltaflask.css") as css:
        assert css.status_code == 200 and css.mimetype == "text/css"
        assert "http" not in css.get_data(as_text=True)
    with client.get("/static/favicon.svg") as icon:
        assert icon.status_code == 200


def test_secret_key_is_configurable(mock_storage, monkeypatch):
    monkeypatch.setenv("DELTAFLASK_SECRET_KEY", "from-the-environment")
    app = create_app({"TESTING": True, "MOCK_STORAGE": str(mock_storage)})
    assert app.config["SECRET_KEY"] == "from-the-environment"
    monkeypatch.delenv("DELTAFLASK_SECRET_KEY")
    data = mock_storage.parent / "data"
    one = create_app({"MOCK_STORAGE": str(mock_storage), "DATA": str(data)})
    two = create_app({"MOCK_STORAGE": str(mock_storage), "DATA": str(data)})
    kept = (data / "secret_key").read_text()
    assert len(kept) == 64 and one.config["SECRET_KEY"] == kept
    assert two.config["SECRET_KEY"] == kept


# -- form errors --------------------------------------------------------------------------


def test_valid_launch_form_creates_the_instance(web, client, json_headers):
    launch = {"image_id": "img1", "hwp_id": "m1-large", "realm_id": "eu", "name": "web"}
    profile = {"hwp_memory": "8192", "hwp_cpu": "2", "hwp_storage": "1024"}
    form = "/api/instances/new"  # the profile's fields come with the refresh
    created = send_form(web, form, "/api/instances", {**launch, **profile})
    assert created.status_code == 303
    shown = client.get(created.headers["Location"], headers=json_headers).get_json()
    assert shown["instance"]["name"] == "web"
    assert shown["instance"]["realm"]["id"] == "eu"
    assert shown["instance"]["hardware_profile"]["id"] == "m1-large"


def upload(web: TestApp, blob: dict[str, object]) -> WebResponse:
    """Fill in bucket1's upload form and send it as a browser does (multipart)."""
    form = "/api/buckets/bucket1/new_blob_form_d15cfd90"
    return send_form(web, form, "/api/buckets/bucket1", blob)


def test_upload_form_is_not_held_to_the_form_size_cap(mock_storage, auth, json_headers):
    app = create_app(
        {"TESTING": True, "MOCK_STORAGE": str(mock_storage), "MAX_FORM_BYTES": 200_000}
    )
    client = app.test_client()
    blob = {
        "blob_id": "big",
        "meta_name1": "color",
        "meta_value1": "blue",
        "blob_data": Upload("big.bin", b"x" * 500_000),
    }
    uploaded = upload(browser_app(app, {**auth, **BROWSER}), blob)
    assert uploaded.status_code == 303
    assert uploaded.request.content_type == "multipart/form-data"
    blob = client.get("/api/buckets/bucket1/big", headers=json_headers).get_json()
    assert blob["blob"]["content_length"] in (500_000, "500000")
    capped = client.post(
        "/api/keys", data={"name": "x" * 300_000}, headers=json_headers
    )
    assert capped.status_code == 413


def test_upload_form_without_a_file_is_refused(web):
    response = upload(web, {"blob_id": "nofile"})
    assert response.status_code == 400
    assert field_error(response, "blob_data") == "This field is required."


# -- pages ---------------------------------------------------------------------


def test_forms_show_only_the_drivers_features(client, browser):
    html = client.get("/api/instances/new", headers=browser).get_data(as_text=True)
    assert 'name="name"' in html  # user_name
    assert 'name="keyname"' in html  # authentication_key
    assert 'name="metrics"' in html
    assert 'name="user_data"' not in html and 'name="password"' not in html
    assert 'name="instance_count"' not in html
    volume = client.get("/api/storage_volumes/new", headers=browser).get_data(
        as_text=True
    )
    assert 'name="capacity"' in volume and 'name="name"' not in volume


def test_profile_pages_show_ranges_and_enums(client, browser):
    html = client.get("/api/hardware_profiles/m1-large", headers=browser).get_data(
        as_text=True
    )
    assert "7680 – 15360" in html and "range" in html
    assert "enum" in html and ">850<" in html and ">1024<" in html
    form = client.get("/api/instances/new?hwp_id=m1-xlarge", headers=browser)
    text = form.get_data(as_text=True)
    assert 'min="12288" max="32768"' in text
    assert '<option value="4096">4096</option>' in text


def test_instance_page_shows_addresses_volumes_and_bindings(client, browser):
    html = client.get("/api/instances/inst0", headers=browser).get_data(as_text=True)
    for heading in ("Addresses", "Volumes", "Network bindings"):
        assert f"<h3>{heading}</h3>" in html
    assert ">Stop</button>" in html and ">Reboot</button>" in html


def test_navigation_lists_the_drivers_collections(client, browser):
    html = client.get("/api/realms", headers=browser).get_data(as_text=True)
    nav = html.split('aria-label="Collections"')[1].split("</nav>")[0]
    for name in ("instances", "buckets", "storage volumes", "firewalls", "drivers"):
        assert f">{name}</a>" in nav
    assert "driver <a" in html and "<strong>mock</strong>" in html
    assert 'aria-label="Breadcrumbs"' in html


def test_error_page_is_friendly(client, browser):
    page = client.get("/api/instances/nosuch", headers=browser)
    assert page.status_code == 404
    html = page.get_data(as_text=True)
    assert "<h2>404</h2>" in html and "not found" in html.lower()
    assert "Traceback" not in html and "File &#34;" not in html


def test_hostile_names_are_escaped(client, auth, browser, json_headers):
    hostile = '<script>alert("x")</script>'
    created = client.post(
        "/api/instances",
        data={"image_id": "img1", "name": hostile},
        headers=json_headers,
    )
    assert created.status_code == 201
    bucket = client.post(
        "/api/buckets/bucket1",
        data={
            "blob_id": "evil",
            "blob_data": "x",
            "meta_params": "1",
            "meta_name1": "note",
            "meta_value1": hostile,
        },
        headers=json_headers,
    )
    assert bucket.status_code == 201
    for path in (
        "/api/instances",
        created.headers["Location"],
        "/api/buckets/bucket1/evil",
        f"/api/instances/new?image_id={hostile}",
    ):
        html = client.get(path, headers=browser).get_data(as_text=True)
        assert "<script>" not in html, path
    assert "&lt;script&gt;" in client.get(
        created.headers["Location"], headers=browser
    ).get_data(as_text=True)


def test_form_pages_are_html_only(client, xml):
    assert client.get("/api/instances/new", headers=xml).status_code == 406


def test_the_app_fixture_is_fresh(app: Flask) -> None:
    assert app.config["SECRET_KEY"]


def test_refused_upload_to_a_missing_bucket_is_an_error_page(client, browser):
    token_from(client, "/api/buckets/new", browser)
    response = client.post(
        "/api/buckets/nosuch",
        data={"blob_id": "x", "meta_params": "0"},
        headers=browser,
        content_type="multipart/form-data",
    )
    assert response.status_code == 403
    assert "<h2>403</h2>" in response.get_data(as_text=True)


# -- load balancer membership ------------------------------------------------------


def balancer_instances(client: FlaskClient, json_headers: dict[str, str]) -> list[str]:
    balancer = client.get("/api/load_balancers/lb1", headers=json_headers).get_json()
    return [i["id"] for i in balancer["load_balancer"]["instances"]]


def test_balancer_page_offers_only_unregistered_instances(
    client, browser, json_headers
):
    registered = balancer_instances(client, json_headers)
    html = client.get("/api/load_balancers/lb1", headers=browser).get_data(as_text=True)
    choices = offered(html, "field-register-instance_id")
    assert choices and not set(choices) & set(registered)


def test_register_form_registers(web, json_headers, client):
    page = "/api/load_balancers/lb1"
    done = send_form(web, page, f"{page}/register", {"instance_id": "inst2"})
    assert done.status_code == 303
    assert done.headers["Location"] == "http://localhost/api/load_balancers/lb1"
    assert "inst2" in balancer_instances(client, json_headers)


def test_register_errors_come_back_beside_the_field(web, client, json_headers):
    before = balancer_instances(client, json_headers)
    page = "/api/load_balancers/lb1"
    for value, message in (
        ("nosuch", "Choose one of the offered values."),
        ("", "This field is required."),
        (before[0], "Choose one of the offered values."),  # registered already
    ):
        refused = send_form(web, page, f"{page}/register", {"instance_id": value})
        assert refused.status_code == 400
        assert field_error(refused, "register-instance_id") == message
        assert "Register an instance" in refused.text
        form_to(refused, f"{page}/register")  # the form comes back
    assert balancer_instances(client, json_headers) == before


def test_unregister_of_an_unregistered_instance_comes_back(
    client, browser, json_headers
):
    token = token_from(client, "/api/load_balancers/lb1", browser)
    refused = client.post(
        "/api/load_balancers/lb1/unregister",
        data={"instance_id": "inst2", "_csrf_token": token},
        headers=browser,
    )
    assert refused.status_code == 400
    assert field_error(refused, "unregister-instance_id")
    registered = balancer_instances(client, json_headers)
    done = client.post(
        "/api/load_balancers/lb1/unregister",
        data={"instance_id": registered[0], "_csrf_token": token},
        headers=browser,
    )
    assert done.status_code == 303
    assert registered[0] not in balancer_instances(client, json_headers)


def test_conflicting_form_values_give_the_form_back(web):
    values = {"name": "twice", "description": "web"}
    first = send_form(web, "/api/firewalls/new", "/api/firewalls", values)
    assert first.status_code == 303
    again = send_form(web, "/api/firewalls/new", "/api/firewalls", values)
    assert again.status_code == 409
    html = again.text
    assert "Firewall &#39;twice&#39; already exists" in html
    assert 'value="twice"' in html  # what was typed is kept
    assert TOKEN.search(html)
    form = form_to(again, "/api/firewalls")
    assert form["name"].value == "twice"
    assert form["_csrf_token"].value


def test_error_page_after_a_post_links_back_not_to_a_get(client, browser):
    token = token_from(client, "/api/keys/test-key", browser)
    page = "http://localhost/api/instances/inst0"
    refused = client.post(
        "/api/instances/inst0?_method=DELETE",
        data={"_csrf_token": token},
        headers={**browser, "Referer": page},
    )
    assert refused.status_code == 405  # a running instance cannot be destroyed
    html = refused.get_data(as_text=True)
    assert f'href="{page}">Back</a>' in html and ">Retry</a>" not in html
    elsewhere = client.post(
        "/api/instances/inst0?_method=DELETE",
        data={"_csrf_token": token},
        headers={**browser, "Referer": "http://evil.example/"},
    )
    assert "evil.example" not in elsewhere.get_data(as_text=True)


def test_subnet_form_places_the_subnet_in_a_realm(web, client, browser):
    form = client.get("/api/subnets/new", headers=browser).get_data(as_text=True)
    assert offered(form, "field-realm_id") == ["us", "eu"]
    values = {"network_id": "net1", "address_block": "192.168.9.0/24", "realm_id": "eu"}
    done = send_form(web, "/api/subnets/new", "/api/subnets", values)
    assert done.status_code == 303, done.text
    page = client.get(done.headers["Location"], headers=browser)
    assert '<dt>Realm</dt><dd><a href="http://localhost/api/realms/eu">eu</a>' in (
        page.get_data(as_text=True)
    )
