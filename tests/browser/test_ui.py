"""The HTML interface in a real browser (headless Chromium via Playwright)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser import live
from tests.browser.live import LiveServer
from tests.browser.steps import api_json
from tests.browser.steps import click_through
from tests.browser.steps import fill_in


def test_log_in_and_browse(page: Any, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/api")
    expect(page.locator("header")).to_contain_text("driver mock")
    nav = page.get_by_role("navigation", name="Collections")
    nav.get_by_role("link", name="instances", exact=True).click()
    expect(page.get_by_role("heading", name="Instances")).to_be_visible()
    expect(page.locator("table")).to_contain_text("inst0")
    expect(page.get_by_role("navigation", name="Breadcrumbs")).to_contain_text(
        "instances"
    )
    page.get_by_role("link", name="inst0").click()
    for heading in ("Addresses", "Volumes", "Network bindings"):
        expect(page.get_by_role("heading", name=heading)).to_be_visible()


def test_create_stop_and_destroy_an_instance(
    page: Any, live_server: LiveServer
) -> None:
    page.goto(f"{live_server.url}/api/images")
    page.get_by_role("link", name="Launch…").first.click()
    page.get_by_label("Hardware profile").select_option("m1-large")
    page.get_by_role("button", name="Show this profile's settings").click()
    expect(page.get_by_label("Memory (MB)")).to_have_attribute("max", "15360")
    fill_in(
        page,
        {"Instance name": "from-the-browser", "Memory (MB)": "8192"},
        {"Storage (GB)": "1024", "Realm": "eu"},
    )
    page.get_by_role("button", name="Launch instance").click()

    expect(page.get_by_role("heading", name="from-the-browser")).to_be_visible()
    expect(page.locator("h2 .state")).to_have_text("RUNNING")
    expect(page.locator("dl.props")).to_contain_text("memory=8192")
    instance_url = page.url

    page.get_by_role("button", name="Stop").click()
    expect(page.locator("h2 .state")).to_have_text("STOPPED")
    page.get_by_role("link", name="Destroy…").click()
    page.get_by_role("button", name="Destroy instance").click()
    expect(page.get_by_role("heading", name="Instances")).to_be_visible()
    expect(page.locator("table")).not_to_contain_text("from-the-browser")
    gone = page.request.get(instance_url, headers={"Accept": "application/json"})
    assert gone.status == 404


def test_upload_and_download_a_blob(
    page: Any, live_server: LiveServer, tmp_path: Path
) -> None:
    upload = tmp_path / "hello.txt"
    upload.write_bytes(b"hello from chromium\n" * 100)
    page.goto(f"{live_server.url}/api/buckets/bucket1")
    page.get_by_role("link", name="Upload new blob…").click()
    page.get_by_label("File").set_input_files(str(upload))
    typed = {"Blob name": "greeting", "Metadata name 1": "colour"}
    fill_in(page, {**typed, "Metadata value 1": "blue"}, {})
    page.get_by_role("button", name="Upload").click()

    expect(page.get_by_role("heading", name="greeting")).to_be_visible()
    expect(page.locator("dl.props")).to_contain_text("colour: blue")
    expect(page.locator("dl.props")).to_contain_text("2000 bytes")
    with page.expect_download() as started:
        page.get_by_role("link", name="Download").click()
    download = started.value
    saved = tmp_path / "downloaded.txt"
    download.save_as(saved)
    assert saved.read_bytes() == upload.read_bytes()


@pytest.mark.parametrize(
    ("form", "typed", "button", "field", "message", "collection"),
    [
        (
            "/api/instances/new?image_id=img1&hwp_id=m1-large",
            {"Memory (MB)": "99999"},
            "Launch instance",
            "hwp_memory",
            "Must be between 7680 and 15360.",
            "instances",
        ),
        ("/api/keys/new", {}, "Create key", "name", "This field is required.", "keys"),
        (
            "/api/storage_volumes/new",
            {"Capacity (GB)": "0"},
            "Create volume",
            "capacity",
            "Must be at least 1.",
            "storage_volumes",
        ),
    ],
    ids=["out-of-range", "empty-required", "bad-capacity"],
)
def test_bad_value_shows_the_message_beside_the_field(
    page: Any, live_server: LiveServer, form, typed, button, field, message, collection
) -> None:
    listing = f"{live_server.url}/api/{collection}"
    before = api_json(page, listing)
    page.goto(f"{live_server.url}{form}")
    fill_in(page, typed, {})
    assert click_through(page, page.get_by_role("button", name=button)) == 400
    expect(page.locator(f"#field-{field}-error")).to_have_text(message)
    for label, text in typed.items():  # what was typed is kept and marked
        expect(page.get_by_label(label)).to_have_value(text)
        expect(page.get_by_label(label)).to_have_attribute("aria-invalid", "true")
    assert api_json(page, listing) == before


def test_cross_site_form_post_is_refused(
    page: Any, live_server: LiveServer, attacker: LiveServer
) -> None:
    page.goto(attacker.url)
    assert click_through(page, page.locator("#win")) == 403
    expect(page.locator(".error h2")).to_have_text("403")
    keys = api_json(page, f"{live_server.url}/api/keys")["keys"]
    assert "planted" not in {key["id"] for key in keys}


def test_pages_run_under_the_content_security_policy(
    page: Any, live_server: LiveServer
) -> None:
    violations: list[str] = []

    def watch(message: Any) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    page.on("console", watch)
    for path in ("/api", "/api/instances/new", "/api/hardware_profiles/m1-large"):
        response = page.goto(f"{live_server.url}{path}")
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        background = page.locator("header").evaluate(
            "element => getComputedStyle(element).backgroundColor"
        )
        assert background == "rgb(31, 95, 139)"  # the packaged stylesheet applied
    assert violations == []


def test_switch_provider_from_the_drivers_page(
    page: Any, live_server: LiveServer
) -> None:
    page.goto(f"{live_server.url}/api/realms")
    expect(page.locator("header")).to_contain_text("provider default")
    page.locator("header").get_by_role("link", name="change").click()
    expect(page.get_by_role("heading", name="Drivers")).to_be_visible()
    picker = page.locator("form", has=page.get_by_role("button", name="Use mock"))
    picker.get_by_label("Provider").fill("eu")
    picker.get_by_role("button", name="Use mock").click()

    expect(page.get_by_role("heading", name="Collections")).to_be_visible()
    expect(page.locator("header")).to_contain_text("driver mock · provider eu")
    nav = page.get_by_role("navigation", name="Collections")
    nav.get_by_role("link", name="realms", exact=True).click()
    expect(page.get_by_role("heading", name="Realms")).to_be_visible()
    expect(page.locator("header")).to_contain_text("provider eu")  # links keep it
    api = page.request.get(
        f"{live_server.url}/api/realms", headers={"Accept": "application/json"}
    )
    assert api.headers["x-deltacloud-provider"] == "eu"  # the session's choice


def test_register_an_instance_with_a_load_balancer(
    page: Any, live_server: LiveServer
) -> None:
    page.goto(f"{live_server.url}/api/load_balancers/lb1")
    registered = api_json(page, f"{live_server.url}/api/load_balancers/lb1")
    before = {i["id"] for i in registered["load_balancer"]["instances"]}
    choice = page.get_by_label("Instance")
    value = choice.locator("option").first.get_attribute("value")
    choice.select_option(value)
    page.get_by_role("button", name="Register", exact=True).click()
    expect(page.locator("table")).to_contain_text(value)
    after = api_json(page, f"{live_server.url}/api/load_balancers/lb1")
    assert {i["id"] for i in after["load_balancer"]["instances"]} == before | {value}


def test_a_missing_browser_fails_instead_of_skipping(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(live, "CHROMIUM", tmp_path / "chromium")
    assert "is missing" in (live.missing_browser() or "")
