"""Storage, keys and addresses through the HTML interface in a real browser."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.live import LiveServer
from tests.browser.steps import api_json
from tests.browser.steps import fill_in


def test_create_a_volume_attach_it_and_snapshot_it(
    page: Any, live_server: LiveServer
) -> None:
    page.goto(f"{live_server.url}/api/storage_volumes")
    page.get_by_role("link", name="Create new volume…").click()
    fill_in(page, {"Capacity (GB)": "3"}, {"Realm": "us"})
    page.get_by_role("button", name="Create volume").click()
    expect(page.locator("dl.props")).to_contain_text("3 GB")
    volume_id = page.url.rsplit("/", 1)[1]

    page.get_by_role("link", name="Attach to instance…").click()
    fill_in(page, {"Device": "/dev/sdh"}, {"Instance": "inst0"})
    page.get_by_role("button", name="Attach").click()
    expect(page.locator("dl.props")).to_contain_text("inst0 at /dev/sdh")

    page.get_by_role("link", name="inst0").click()
    volumes = page.locator("table", has=page.get_by_role("columnheader", name="Device"))
    expect(volumes).to_contain_text(volume_id)
    expect(volumes).to_contain_text("/dev/sdh")
    volumes.get_by_role("link", name=volume_id).click()

    page.get_by_role("button", name="Detach").click()
    expect(page.get_by_role("link", name="Attach to instance…")).to_be_visible()
    page.get_by_role("link", name="Create snapshot…").click()
    expect(page.get_by_label("Volume")).to_have_value(volume_id)
    page.get_by_role("button", name=re.compile("Create snapshot")).click()
    expect(page.get_by_role("heading", level=2)).to_be_visible()
    snapshot = api_json(page, page.url)["storage_snapshot"]
    assert snapshot["storage_volume"]["id"] == volume_id


def test_create_a_key_and_see_its_private_key(
    page: Any, live_server: LiveServer
) -> None:
    page.goto(f"{live_server.url}/api/keys")
    page.get_by_role("link", name="Create new key…").click()
    page.get_by_label("Name").fill("laptop")
    page.get_by_role("button", name="Create key").click()
    expect(page.get_by_role("heading", name="laptop")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Save this private key now")
    expect(page.locator("#pem")).to_contain_text("PRIVATE KEY")
    page.get_by_role("button", name="Destroy").click()
    expect(page.get_by_role("heading", name="Keys")).to_be_visible()
    expect(page.locator("table")).not_to_contain_text("laptop")


def test_associate_an_address_with_an_instance(
    page: Any, live_server: LiveServer
) -> None:
    page.goto(f"{live_server.url}/api/addresses")
    page.get_by_role("button", name="Allocate new address").click()
    address = page.get_by_role("heading", level=2).inner_text()
    page.get_by_role("link", name="Associate…").click()
    page.get_by_label("Instance").select_option("inst1")
    page.get_by_role("button", name="Associate").click()
    expect(page.locator("dl.props")).to_contain_text("inst1")
    expect(page.get_by_role("button", name="Release")).to_have_count(0)

    page.get_by_role("link", name="inst1").click()
    addresses = page.locator("table", has=page.get_by_role("columnheader", name="Kind"))
    expect(addresses).to_contain_text(address)
    page.go_back()
    page.get_by_role("button", name="Disassociate").click()
    expect(page.locator("dl.props")).to_contain_text("none")
    page.get_by_role("button", name="Release").click()
    expect(page.locator("table")).not_to_contain_text(address)


def test_create_a_firewall_and_add_a_rule(page: Any, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/api/firewalls/new")
    fill_in(page, {"Name": "web", "Description": "web servers"}, {})
    page.get_by_role("button", name="Create firewall").click()
    expect(page.get_by_role("heading", name="web")).to_be_visible()
    page.get_by_role("link", name="Add rule…").click()
    rule = {"From port": "443", "To port": "443", "Source address (CIDR)": "10.0.0.0/8"}
    fill_in(page, rule, {})
    page.get_by_role("button", name=re.compile("Add rule")).click()
    rules = page.locator("table")
    expect(rules).to_contain_text("443–443")
    expect(rules).to_contain_text("10.0.0.0/8")
    page.get_by_role("button", name="Delete rule").click()
    expect(rules).not_to_contain_text("443–443")
