"""Rough edges of the HTML interface a person met, each kept fixed in a real
browser: the picked profile counts, actions say what they did, deletions ask
first, empty and narrow pages read well, and the mock's login is hinted."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.live import LiveServer
from tests.browser.steps import api_json


def launch_page(page: Any, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/api/instances/new?image_id=img1")
    expect(page.get_by_label("Hardware profile")).to_have_value("m1-small")


def test_the_picked_profile_counts_without_showing_its_settings(
    page: Any, live_server: LiveServer
) -> None:
    launch_page(page, live_server)
    page.get_by_label("Hardware profile").select_option("m1-xlarge")
    page.get_by_label("Instance name").fill("picked-xlarge")
    page.get_by_role("button", name="Launch instance").click()

    expect(page.get_by_role("heading", name="picked-xlarge")).to_be_visible()
    profile = page.locator("dl.props dd", has=page.get_by_role("link", name="m1-"))
    expect(profile).to_contain_text("m1-xlarge")
    instance = api_json(page, page.url)["instance"]
    assert instance["hardware_profile"]["id"] == "m1-xlarge"


def test_show_this_profiles_settings_keeps_the_choice_and_launches_nothing(
    page: Any, live_server: LiveServer
) -> None:
    before = api_json(page, f"{live_server.url}/api/instances")["instances"]
    launch_page(page, live_server)
    page.get_by_label("Instance name").fill("kept")
    page.get_by_label("Hardware profile").select_option("m1-large")
    page.get_by_role("button", name="Show this profile's settings").click()

    expect(page.get_by_label("Hardware profile")).to_have_value("m1-large")
    expect(page.get_by_label("Memory (MB)")).to_have_attribute("max", "15360")
    expect(page.get_by_label("Memory (MB)")).to_have_value("10240")
    expect(page.get_by_label("Instance name")).to_have_value("kept")
    after = api_json(page, f"{live_server.url}/api/instances")["instances"]
    assert len(after) == len(before)


def test_a_setting_the_picked_profile_does_not_allow_is_refused(
    page: Any, live_server: LiveServer
) -> None:
    page.goto(f"{live_server.url}/api/instances/new?image_id=img1&hwp_id=m1-large")
    page.get_by_label("Memory (MB)").fill("8192")  # fine for m1-large ...
    page.get_by_label("Hardware profile").select_option("m1-xlarge")  # ... not here
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Launch instance").click()
    assert navigation.value.status == 400
    expect(page.locator("#field-hwp_memory-error")).to_have_text(
        "Must be between 12288 and 32768."
    )
    expect(page.get_by_label("Hardware profile")).to_have_value("m1-xlarge")


def test_settings_of_another_profile_that_the_picked_one_fixes_are_dropped(
    page: Any, live_server: LiveServer
) -> None:
    page.goto(f"{live_server.url}/api/instances/new?image_id=img1&hwp_id=m1-large")
    page.get_by_label("Memory (MB)").fill("14000")  # fits both profiles
    page.get_by_label("Storage (GB)").select_option("1024")  # so does this
    page.get_by_label("Hardware profile").select_option("m1-xlarge")  # fixes cpu
    page.get_by_label("Instance name").fill("switched")
    page.get_by_role("button", name="Launch instance").click()

    expect(page.get_by_role("heading", name="switched")).to_be_visible()
    instance = api_json(page, page.url)["instance"]
    assert instance["hardware_profile"]["id"] == "m1-xlarge"
    expect(page.locator("dl.props")).to_contain_text("memory=14000")


def test_launch_stop_and_destroy_say_what_they_did_and_destroy_asks_first(
    page: Any, live_server: LiveServer
) -> None:
    launch_page(page, live_server)
    page.get_by_label("Instance name").fill("told")
    page.get_by_role("button", name="Launch instance").click()
    expect(page.locator(".flash")).to_have_text("Instance told launched (RUNNING).")
    instance_url = page.url
    instance_id = instance_url.rsplit("/", 1)[1]

    page.get_by_role("button", name="Stop").click()
    expect(page.locator(".flash")).to_have_text(
        f"Instance {instance_id}: stop requested; it is now STOPPED."
    )
    page.reload()  # a message is shown once
    expect(page.locator(".flash")).to_have_count(0)

    page.get_by_role("link", name="Destroy…").click()
    expect(page.get_by_role("heading", name="Destroy instance told?")).to_be_visible()
    assert page.request.get(instance_url).status == 200  # asking destroyed nothing
    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("heading", name="told")).to_be_visible()

    page.get_by_role("link", name="Destroy…").click()
    page.get_by_role("button", name="Destroy instance").click()
    expect(page.get_by_role("heading", name="Instances")).to_be_visible()
    expect(page.locator(".flash")).to_have_text(f"Instance {instance_id} deleted.")
    expect(page.locator("table")).not_to_contain_text("told")


def test_an_empty_bucket_says_so_and_deleting_it_asks_first(
    page: Any, live_server: LiveServer
) -> None:
    page.goto(f"{live_server.url}/api/buckets/new")
    page.get_by_label("Name").fill("scratch")
    page.get_by_role("button", name="Create bucket").click()
    expect(page.locator(".flash")).to_have_text("Bucket scratch created.")
    expect(page.locator("main")).to_contain_text("This bucket is empty.")
    expect(page.locator("main table")).to_have_count(0)

    page.get_by_role("link", name="Delete bucket…").click()
    expect(page.get_by_role("heading", name="Delete bucket scratch?")).to_be_visible()
    buckets = api_json(page, f"{live_server.url}/api/buckets")["buckets"]
    assert "scratch" in {b["id"] for b in buckets}
    page.get_by_role("button", name="Delete bucket").click()
    expect(page.locator(".flash")).to_have_text("Bucket scratch deleted.")
    buckets = api_json(page, f"{live_server.url}/api/buckets")["buckets"]
    assert "scratch" not in {b["id"] for b in buckets}


def test_pages_fit_a_390_pixel_screen(page: Any, live_server: LiveServer) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    for path in ("/api", "/api/instances", "/api/instances/inst0", "/api/realms"):
        page.goto(f"{live_server.url}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (path, width)
    page.goto(f"{live_server.url}/api/instances")
    table = page.locator("main table")
    assert table.evaluate("t => t.scrollWidth > t.clientWidth")  # scrolls itself
    assert table.evaluate("t => t.getBoundingClientRect().right") <= 390


def test_features_are_shown_with_readable_labels(
    page: Any, live_server: LiveServer
) -> None:
    page.goto(f"{live_server.url}/api")
    card = page.locator("ul.cards li", has=page.get_by_role("link", name="instances"))
    expect(card).to_contain_text("User-defined name")
    expect(card).to_contain_text("SSH key pair authentication")
    for raw in ("user_name", "user name", "authentication_key", "realm_filter"):
        expect(card).not_to_contain_text(raw)


def test_the_mock_login_page_names_its_credentials(
    browser: Any, live_server: LiveServer
) -> None:
    wrong = {"username": "someone", "password": "guess"}
    context = browser.new_context(http_credentials=wrong)
    try:
        tab = context.new_page()
        response = tab.goto(f"{live_server.url}/api/instances")
        assert response.status == 401
        expect(tab.locator(".login-hint")).to_contain_text("mockuser / mockpassword")
    finally:
        context.close()
