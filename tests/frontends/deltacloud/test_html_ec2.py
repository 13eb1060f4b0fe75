"""The HTML interface on the ec2 driver (against a real moto server): forms
follow the driver's features, a long image list is paged, a new key's private
key is shown the one time EC2 hands it out."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from tests.support.auth import EC2_AUTH
from tests.support.html import BROWSER
from tests.support.html import EC2_BROWSER
from tests.support.html import field_error
from tests.support.html import offered
from tests.support.html import submit
from tests.support.html_pages import Page

API = {"Authorization": EC2_AUTH, "Accept": "application/json"}
IMAGE = "ami-fa7cdd89"


def names(client: FlaskClient, path: str, headers: dict[str, str]) -> set[str]:
    """The names of the inputs of the form page ``path``."""
    html = client.get(path, headers=headers).get_data(as_text=True)
    return set(re.findall(r' name="([^"]+)"', html)) - {"_csrf_token"}


def test_forms_follow_each_drivers_features(ec2_client, client, auth) -> None:
    mock = {**auth, **BROWSER}
    for path, ec2_only in (
        (
            f"/api/instances/new?image_id={IMAGE}",
            {"user_data", "instance_count", "firewalls1", "load_balancer_id"},
        ),
        ("/api/keys/new", {"public_key"}),
        ("/api/buckets/new", {"location"}),
        ("/api/storage_volumes/new", {"name", "description"}),
        ("/api/images/new", {"name", "description"}),
    ):
        on_ec2 = names(ec2_client, path, EC2_BROWSER)
        on_mock = names(client, path.replace(IMAGE, "img1"), mock)
        assert ec2_only <= on_ec2, path
        assert not ec2_only & on_mock, path


def test_long_image_list_is_paged_and_filtered(ec2_client) -> None:
    everything = ec2_client.get("/api/images", headers=API).get_json()["images"]
    assert len(everything) > 100  # moto's catalogue; XML and JSON list them all
    as_xml = ec2_client.get(
        "/api/images", headers={**API, "Accept": "application/xml"}
    ).get_data(as_text=True)
    assert as_xml.count("<image ") == len(everything)
    first = ec2_client.get("/api/images", headers=EC2_BROWSER).get_data(as_text=True)
    assert first.count("Launch…") == 100
    assert f"Images 1–100 of {len(everything)}" in first
    assert 'rel="next" ' not in first and 'rel="next">' in first
    last_page = -(-len(everything) // 100)
    last = ec2_client.get(
        f"/api/images?page={last_page}", headers=EC2_BROWSER
    ).get_data(as_text=True)
    assert f"Page {last_page} of {last_page}" in last and 'rel="prev"' in last
    owner = everything[0]["owner"]
    mine = ec2_client.get(
        f"/api/images?owner_id={owner}&page=1", headers=EC2_BROWSER
    ).get_data(as_text=True)
    expected = sum(1 for i in everything if i["owner"] == owner)
    assert mine.count("Launch…") == min(expected, 100)
    assert f'id="field-filter-owner_id" name="owner_id" value="{owner}"' in mine


def test_launch_form_offers_the_chosen_image_only(ec2_client) -> None:
    html = ec2_client.get(
        f"/api/instances/new?image_id={IMAGE}", headers=EC2_BROWSER
    ).get_data(as_text=True)
    assert offered(html, "field-image_id") == [IMAGE]
    refused = submit(
        ec2_client,
        "/api/instances/new?image_id=nosuch",
        "/api/instances",
        {"image_id": "nosuch"},
        EC2_BROWSER,
    )
    assert refused.status_code == 400
    assert field_error(refused, "image_id") == "Choose one of the offered values."


def test_launch_with_the_forms_defaults(ec2_client) -> None:
    path = f"/api/instances/new?image_id={IMAGE}"
    html = ec2_client.get(path, headers=EC2_BROWSER).get_data(as_text=True)
    with ec2_client.session_transaction() as session:
        form = Page(f"http://localhost{path}", session["csrf_token"])
    form.feed(html)
    launch = next(f for f in form.forms if f.method == "post")
    assert launch.has_token and launch.inputs["hwp_architecture"] == "i386"
    launched = ec2_client.post(
        "/api/instances",
        data={**launch.inputs, "_csrf_token": session["csrf_token"]},
        headers=EC2_BROWSER,
    )
    assert launched.status_code == 303, launched.get_data(as_text=True)
    page = ec2_client.get(launched.headers["Location"], headers=EC2_BROWSER)
    assert page.status_code == 200
    assert ">Stop</button>" in page.get_data(as_text=True)
    assert "/run" not in page.get_data(as_text=True)  # ec2 can't run commands
    run_form = ec2_client.get(
        launched.headers["Location"] + "/run", headers=EC2_BROWSER
    )
    assert run_form.status_code == 412


def test_new_keys_private_key_is_shown_once(ec2_client) -> None:
    key = {"name": "team/laptop"}
    created = submit(ec2_client, "/api/keys/new", "/api/keys", key, EC2_BROWSER)
    assert created.status_code == 201
    assert "PRIVATE KEY" in created.get_data(as_text=True)
    location = created.headers["Location"]
    assert location.endswith("/api/keys/team%2Flaptop")
    again = ec2_client.get(location, headers=EC2_BROWSER)  # a slash in the name
    assert again.status_code == 200
    assert "PRIVATE KEY" not in again.get_data(as_text=True)  # EC2 keeps no copy
