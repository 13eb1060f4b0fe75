"""The entry point, format negotiation, driver selection and common headers."""

from __future__ import annotations

import pytest

from tests.support.helpers import assert_error
from tests.support.helpers import parse_xml

MOCK_COLLECTIONS = {
    "drivers",
    "hardware_profiles",
    "images",
    "instance_states",
    "instances",
    "keys",
    "metrics",
    "realms",
}


def test_entry_point_needs_no_auth_and_lists_collections(client):
    response = client.get("/api")
    assert response.status_code == 200
    assert response.content_type == "application/xml"
    root = parse_xml(response)
    assert root.tag == "api"
    assert root.get("version") == "1.1.3"
    assert root.get("driver") == "mock"
    assert root.get("provider") is None
    rels = {link.get("rel") for link in root.findall("link")}
    assert rels >= MOCK_COLLECTIONS
    for link in root.findall("link"):
        assert link.get("href").startswith("http")
        assert link.get("href").endswith("/api/" + link.get("rel"))


def test_entry_point_features(client):
    root = parse_xml(client.get("/api"))
    instances = root.find("link[@rel='instances']")
    features = {f.get("name"): f for f in instances.findall("feature")}
    assert set(features) == {
        "metrics",
        "realm_filter",
        "user_name",
        "authentication_key",
        "network_placement",
    }
    assert features["user_name"].get("rel") == "create"
    assert features["user_name"].find("param").get("name") == "name"
    assert features["realm_filter"].get("rel") == "index"


def test_entry_point_json(client):
    response = client.get("/api?format=json")
    assert response.content_type == "application/json"
    api = response.get_json()["api"]
    assert api["provider"] == "default"
    instances = next(link for link in api["links"] if link["rel"] == "instances")
    names = [group[0]["name"] for group in instances["features"]]
    assert "user_name" in names
    assert instances["features"][0][0]["params"][0].endswith(":string:optional")


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/xml"),
        ("", "application/xml"),
        ("application/xml", "application/xml"),
        ("text/xml", "application/xml"),
        ("application/json", "application/json"),
        ("text/html", "text/html"),
        ("*/*", "text/html"),
        ("*/*; q=0.5, application/xml", "application/xml"),
        (
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "text/html",
        ),
    ],
)
def test_negotiation(client, accept, expected):
    headers = {} if accept is None else {"Accept": accept}
    response = client.get("/api", headers=headers)
    assert response.status_code == 200
    assert response.content_type == expected


def test_format_parameter_wins(client):
    response = client.get("/api?format=json", headers={"Accept": "application/xml"})
    assert response.content_type == "application/json"


def test_unsupported_accept_is_406_naming_the_formats_in_plain_text(client):
    response = client.get("/api", headers={"Accept": "application/pdf"})
    assert response.status_code == 406
    assert response.mimetype == "text/plain"
    assert "xml, json, html" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("accept", "mimetype"),
    [
        ("application/json", "application/json"),
        ("text/html", "text/html"),
        (None, "application/xml"),
        ("application/pdf", "text/plain"),
    ],
)
def test_unsupported_format_is_406_in_the_best_acceptable_format(
    client, accept, mimetype
):
    headers = {"Accept": accept} if accept else {}
    response = client.get("/api?format=pdf", headers=headers)
    assert response.status_code == 406
    assert response.mimetype == mimetype
    assert "xml, json, html" in response.get_data(as_text=True)


@pytest.mark.parametrize("value", ["JSON", "Json", "json"])
def test_format_parameter_is_case_insensitive(client, value):
    response = client.get(f"/api?format={value}")
    assert response.status_code == 200
    assert response.mimetype == "application/json"


def test_common_headers(client):
    response = client.get("/api")
    assert response.headers["Server"] == "Apache-Deltacloud/1.1.3"
    assert response.headers["X-Deltacloud-Driver"] == "mock"
    assert len(response.headers["ETag"]) == 32
    assert "X-Deltacloud-Provider" not in response.headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_head_and_options(client, auth):
    head = client.head("/api/instances", headers=auth)
    assert head.status_code == 200
    assert head.get_data() == b""
    options = client.options("/api")
    assert options.status_code == 200
    allowed = options.headers["Allow"].split(",")
    assert "instances" in allowed and "drivers" in allowed
    assert "POST" in client.options("/api/instances").headers["Allow"]


@pytest.mark.parametrize(
    "select",
    [
        {"path": "/api;driver=mock;provider=test1"},
        {"path": "/api", "headers": {"X-Deltacloud-Provider": "test1"}},
        {"path": "/api?api[provider]=test1"},
    ],
)
def test_provider_selection(client, select):
    response = client.get(select["path"], headers=select.get("headers", {}))
    assert response.status_code == 200
    assert parse_xml(response).get("provider") == "test1"
    assert response.headers["X-Deltacloud-Provider"] == "test1"


def test_driver_selection_lasts_one_request(client):
    response = client.get("/api", headers={"X-Deltacloud-Driver": "MOCK"})
    assert parse_xml(response).get("driver") == "mock"
    assert client.get("/api").headers["X-Deltacloud-Driver"] == "mock"


def test_unknown_driver_is_a_clear_404(client):
    message = assert_error(client.get("/api;driver=nosuchdriver"), 404)
    assert "nosuchdriver" in message
    response = client.get(
        "/api/realms",
        headers={"X-Deltacloud-Driver": "nosuch", "Accept": "application/json"},
    )
    assert_error(response, 404, "json")


@pytest.mark.parametrize(
    ("form", "location"),
    [
        ({"driver": "mock"}, "/api;driver=mock"),
        ({"provider": "eu"}, "/api;provider=eu"),
        ({}, "/api/"),
    ],
)
def test_post_api_redirects_for_pickers(client, form, location):
    response = client.post("/api", data=form)
    assert response.status_code == 301
    assert response.headers["Location"].endswith(location)


def test_force_auth(client, auth):
    missing = client.get("/api?force_auth=1")
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"].startswith(
        'Basic realm="mock-deltacloud@'
    )
    wrong = client.get(
        "/api?force_auth=1", headers={"Authorization": "Basic bW9ja3VzZXI6d3Jvbmc="}
    )
    assert wrong.status_code == 401
    assert "WWW-Authenticate" not in wrong.headers
    assert client.get("/api?force_auth=1", headers=auth).status_code == 200


def test_root_page_lists_frontends_and_robots(client):
    page = client.get("/")
    assert page.status_code == 200
    assert b'href="/api"' in page.get_data()
    assert client.get("/robots.txt").get_data() == b"User-Agent: *\nDisallow: /\n"


def test_html_entry_point_escapes_provider(client):
    response = client.get(
        "/api", headers={"Accept": "text/html", "X-Deltacloud-Provider": "<script>x"}
    )
    assert response.status_code == 200
    assert b"<script>x" not in response.get_data()
    assert b"&lt;script&gt;x" in response.get_data()
