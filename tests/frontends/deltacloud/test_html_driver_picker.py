"""Picking the driver and provider of a browser session from the HTML pages."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from deltaflask import create_app
from tests.support.html import BROWSER
from tests.support.html import CROSS_SITE
from tests.support.html import EC2_BROWSER
from tests.support.html import TOKEN
from tests.support.html import field_error
from tests.support.html import submit
from tests.support.html import token_from
from tests.support.moto_server import MotoServer
from tests.support.moto_server import free_port
from tests.support.plugins import Ghost

WRONG_PASSWORD = "Basic " + base64.b64encode(b"mockuser:wrong").decode()


@pytest.fixture
def browser(auth: dict[str, str]) -> dict[str, str]:
    """Headers of a browser logged in to the mock."""
    return {**auth, **BROWSER}


@pytest.fixture
def both_app(mock_storage: Path, aws: MotoServer) -> Flask:
    """The mock by default, with ec2 pointed at moto for whoever picks it."""
    return create_app(
        {
            "TESTING": True,
            "MOCK_STORAGE": str(mock_storage),
            "EC2_ENDPOINT_URL": aws.endpoint,
        }
    )


def pick(
    client: FlaskClient, browser: dict[str, str], driver: str, **fields: str
) -> None:
    """Use the drivers page's form like a browser; it leads back to ``/api``."""
    done = submit(client, "/api/drivers", f"/api/drivers/{driver}/use", fields, browser)
    assert done.status_code == 303, done.get_data(as_text=True)
    assert done.headers["Location"] == "http://localhost/api"


def header_bar(html: str) -> str:
    """The driver and provider the page's header shows, as plain text."""
    found = re.search(r'<span class="context">(.*?)</span>', html, re.S)
    assert found, "the page has no header bar"
    return re.sub(r"<[^>]+>", "", found.group(1))


def test_drivers_pages_offer_a_picker(client, browser):
    index = client.get("/api/drivers", headers=browser).get_data(as_text=True)
    for driver in ("mock", "ec2"):
        assert f'action="http://localhost/api/drivers/{driver}/use"' in index
    assert 'id="field-ec2-provider"' in index  # ec2's regions in a select
    assert '<option value="eu-west-1">eu-west-1</option>' in index
    assert 'id="field-mock-other_provider"' in index  # free text for the rest
    one = client.get("/api/drivers/ec2", headers=browser).get_data(as_text=True)
    assert TOKEN.search(one)
    assert "Use ec2" in one
    entry = client.get("/api", headers=browser).get_data(as_text=True)
    assert 'action="http://localhost/api/drivers/mock/use"' in entry


def test_picked_provider_applies_to_later_pages(client, browser):
    pick(client, browser, "mock", other_provider="eu")
    page = client.get("/api/realms", headers=browser)
    assert page.status_code == 200
    assert page.headers["X-Deltacloud-Provider"] == "eu"
    assert header_bar(page.get_data(as_text=True)).split() == [
        "driver", "mock", "·", "provider", "eu", "·", "change"
    ]  # fmt: skip
    again = client.get("/api/drivers/mock", headers=browser).get_data(as_text=True)
    assert 'value="eu"' in again  # the form shows the choice in effect


def test_picked_driver_applies_and_links_keep_working(both_app, browser):
    client = both_app.test_client()
    pick(client, browser, "ec2", provider="us-east-1")
    page = client.get("/api/realms", headers=EC2_BROWSER)
    assert page.status_code == 200, page.get_data(as_text=True)
    assert page.headers["X-Deltacloud-Driver"] == "ec2"
    html = page.get_data(as_text=True)
    assert "us-east-1a" in html
    link = re.search(r'href="http://localhost(/api/realms/[^"]+)"', html)
    assert link, "no link to a realm"
    followed = client.get(link.group(1), headers=EC2_BROWSER)
    assert followed.status_code == 200
    assert followed.headers["X-Deltacloud-Driver"] == "ec2"


def test_explicit_driver_or_provider_wins_over_the_pick(client, browser):
    pick(client, browser, "ec2", provider="eu-west-1")
    named = {**browser, "X-Deltacloud-Driver": "mock"}
    header = client.get("/api/realms", headers=named)
    assert header.headers["X-Deltacloud-Driver"] == "mock"
    assert "X-Deltacloud-Provider" not in header.headers  # the pick's is ec2's
    matrix = client.get("/api;driver=mock/realms", headers=browser)
    assert matrix.status_code == 200
    assert matrix.headers["X-Deltacloud-Driver"] == "mock"
    provider_only = client.get("/api;provider=us-west-2", headers=browser)
    assert provider_only.headers["X-Deltacloud-Driver"] == "ec2"
    assert provider_only.headers["X-Deltacloud-Provider"] == "us-west-2"


def test_html_links_keep_the_driver_the_url_chose(client, browser, json_headers):
    page = client.get("/api;driver=mock;provider=eu/realms", headers=browser)
    html = page.get_data(as_text=True)
    assert 'href="http://localhost/api;driver=mock;provider=eu/realms/us"' in html
    assert 'href="http://localhost/api;driver=mock;provider=eu/drivers"' in html
    api = client.get("/api;driver=mock;provider=eu/realms", headers=json_headers)
    assert api.get_json()["realms"][0]["href"] == "http://localhost/api/realms/us"


def test_api_clients_are_not_affected(app, browser, xml):
    picker = app.test_client()
    pick(picker, browser, "ec2", provider="eu-west-1")
    other = app.test_client()  # keeps its own cookie jar, never picked
    for _ in range(2):
        response = other.get("/api/realms", headers=xml)
        assert response.status_code == 200
        assert response.headers["X-Deltacloud-Driver"] == "mock"
        assert "X-Deltacloud-Provider" not in response.headers
        assert "Set-Cookie" not in response.headers
        assert "Cookie" not in response.headers.get("Vary", "")
    assert other.get("/api", headers=xml).headers["X-Deltacloud-Driver"] == "mock"


def test_picking_needs_the_csrf_token(client, browser):
    token_from(client, "/api/drivers", browser)
    refused = client.post(
        "/api/drivers/mock/use", data={"other_provider": "eu"}, headers=browser
    )
    assert refused.status_code == 403
    html = refused.get_data(as_text=True)
    assert "security token is missing or wrong" in html
    assert TOKEN.search(html)  # the form again, to submit properly
    page = client.get("/api/realms", headers=browser)
    assert "X-Deltacloud-Provider" not in page.headers


def test_cross_site_pick_is_refused(client, browser):
    token = token_from(client, "/api/drivers", browser)
    refused = client.post(
        "/api/drivers/mock/use",
        data={"_csrf_token": token, "other_provider": "eu"},
        headers={**browser, **CROSS_SITE},
    )
    assert refused.status_code == 403
    assert "X-Deltacloud-Provider" not in client.get("/api", headers=browser).headers


def test_bad_provider_is_shown_beside_the_field(client, browser):
    token = token_from(client, "/api/drivers", browser)
    refused = client.post(
        "/api/drivers/mock/use",
        data={"_csrf_token": token, "other_provider": "no such place!"},
        headers=browser,
    )
    assert refused.status_code == 400
    assert "letters, digits" in field_error(refused, "mock-other_provider")
    bad_region = client.post(
        "/api/drivers/ec2/use",
        data={"_csrf_token": token, "provider": "mars-north-1"},
        headers=browser,
    )
    assert bad_region.status_code == 400
    assert field_error(bad_region, "ec2-provider") == (
        "Choose one of the offered values."
    )
    assert "X-Deltacloud-Provider" not in client.get("/api", headers=browser).headers


def test_picker_is_for_browsers_only(client, browser, xml):
    token = token_from(client, "/api/drivers", browser)
    answer = client.post(
        "/api/drivers/mock/use", data={"_csrf_token": token}, headers=xml
    )
    assert answer.status_code == 406


def test_unknown_and_unavailable_drivers_get_a_friendly_page(tmp_path, browser):
    app = create_app(
        {"TESTING": True, "MOCK_STORAGE": str(tmp_path), "EXTRA_PLUGINS": [Ghost()]}
    )
    client = app.test_client()
    index = client.get("/api/drivers", headers=browser).get_data(as_text=True)
    assert "/api/drivers/ghost/use" not in index  # no form for it
    token = token_from(client, "/api/drivers", browser)
    for driver in ("ghost", "nosuch"):
        refused = client.post(
            f"/api/drivers/{driver}/use", data={"_csrf_token": token}, headers=browser
        )
        assert refused.status_code == 404
        html = refused.get_data(as_text=True)
        assert f"Driver &#39;{driver}&#39;" in html
        assert 'href="http://localhost/api/drivers">Choose a driver' in html
    ghost = client.get("/api/drivers/ghost", headers=browser)
    assert ghost.status_code == 200
    reason = (
        "Unavailable: it failed to load (No module named &#39;ghost_cloud_sdk&#39;)"
    )
    assert reason in ghost.get_data(as_text=True)


def test_a_pick_that_went_away_gets_a_friendly_page(client, browser):
    pick(client, browser, "mock")
    with client.session_transaction() as session:  # e.g. the plugin was removed
        session["api_driver"] = {"driver": "gone", "provider": ""}
    page = client.get("/api/realms", headers=browser)
    assert page.status_code == 404
    html = page.get_data(as_text=True)
    assert "Driver &#39;gone&#39; is not available" in html
    assert "Choose a driver" in html
    assert client.get("/api/drivers", headers=browser).status_code == 200
    pick(client, browser, "mock")  # and the way back works
    assert client.get("/api/realms", headers=browser).status_code == 200


def test_a_failing_driver_gets_a_friendly_page(mock_storage, browser):
    app = create_app(
        {
            "TESTING": True,
            "MOCK_STORAGE": str(mock_storage),
            "EC2_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}",  # nobody there
        }
    )
    client = app.test_client()
    pick(client, browser, "ec2", provider="eu-west-1")
    assert client.get("/api", headers=browser).status_code == 200
    page = client.get("/api/realms", headers=browser)
    assert page.status_code == 502
    html = page.get_data(as_text=True)
    assert "Cannot reach" in html
    assert "Traceback" not in html
    assert "Choose a driver" in html


def test_browser_is_asked_for_the_new_drivers_credentials(both_app):
    client = both_app.test_client()
    pick(client, EC2_BROWSER, "mock")
    anonymous = client.get("/api/instances", headers=BROWSER)
    assert anonymous.status_code == 401
    assert anonymous.headers["WWW-Authenticate"] == 'Basic realm="mock-deltacloud@"'
    rejected = client.get(
        "/api/instances", headers={**BROWSER, "Authorization": WRONG_PASSWORD}
    )
    assert rejected.status_code == 401  # a browser is asked again ...
    assert rejected.headers["WWW-Authenticate"] == 'Basic realm="mock-deltacloud@"'
    pick(client, EC2_BROWSER, "ec2", provider="us-east-1")
    anonymous = client.get("/api/instances", headers=BROWSER)
    assert anonymous.status_code == 401  # ... in another realm for another driver
    assert anonymous.headers["WWW-Authenticate"] == 'Basic realm="ec2-deltacloud@"'


def test_api_clients_keep_the_bare_401_for_rejected_credentials(client):
    wrong = {"Authorization": WRONG_PASSWORD, "Accept": "application/xml"}
    rejected = client.get("/api/instances", headers=wrong)
    assert rejected.status_code == 401
    assert "WWW-Authenticate" not in rejected.headers
