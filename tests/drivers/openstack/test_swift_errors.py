"""Swift's refusals through the openstack driver, against a real Swift behind a
real Keystone: each is the contract's typed error in /api's JSON error
document, never a 500; and names Swift must see quoted arrive intact."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient

from deltaflask.testing.api import answer
from deltaflask.testing.api import error_message
from deltaflask.testing.target import DriverUnderTest
from tests.support.moto_server import free_port
from tests.support.swift import REGION
from tests.support.swift import Account
from tests.support.swift import SwiftCloud

pytestmark = pytest.mark.xdist_group("openstack")


def client_as(
    swift: SwiftCloud, account: Account, password: str, region: str = REGION
) -> Any:
    """A test client and headers of the openstack driver as ``account``."""
    target = DriverUnderTest(
        "openstack",
        credentials=(account.username, password),
        provider=f"{swift.identity_url};{region}",
    )
    return target.app().test_client(), target.auth_headers()


def test_a_wrong_password_is_401(swift: SwiftCloud, swift_account: Account) -> None:
    client, headers = client_as(swift, swift_account, "not-the-password")
    response = client.get("/api/buckets", headers=headers)
    error_message(response, 401)
    assert swift_account.password not in response.get_data(as_text=True)


def test_a_user_swift_does_not_let_in_gets_403(swift: SwiftCloud) -> None:
    reader = swift.new_account(role="reader")
    client, headers = client_as(swift, reader, reader.password)
    error_message(client.get("/api/buckets", headers=headers), 403)
    created = client.post("/api/buckets", data={"name": "mine"}, headers=headers)
    error_message(created, 403)


def test_an_unreachable_swift_is_502(swift: SwiftCloud, swift_account: Account) -> None:
    admin = swift.admin()
    region = admin.identity.create_region(id=f"Nowhere-{secrets.token_hex(4)}")
    service = next(s for s in admin.identity.services() if s.type == "object-store")
    admin.identity.create_endpoint(
        service_id=service.id,
        interface="public",
        url=f"http://127.0.0.1:{free_port()}/v1/AUTH_$(project_id)s",
        region_id=region.id,
    )
    client, headers = client_as(swift, swift_account, swift_account.password, region.id)
    assert "reach" in error_message(client.get("/api/buckets", headers=headers), 502)


def test_names_reach_swift_quoted_and_come_back_intact(
    swift: SwiftCloud,
    swift_account: Account,
    swift_client: FlaskClient,
    swift_auth: dict[str, str],
) -> None:
    bucket, blob = "fotos ü%20&?", "über 100%.txt"
    created = swift_client.post(
        "/api/buckets", data={"name": bucket}, headers=swift_auth
    )
    assert answer(created, 201)["bucket"]["id"] == bucket
    url = f"/api/buckets/{quote(bucket, safe='')}/{quote(blob, safe='')}"
    answer(swift_client.put(url, data=b"x", headers=swift_auth), 200)
    store = swift.connect(swift_account).object_store
    assert [c.name for c in store.containers()] == [bucket]
    # (openstacksdk's objects() does not quote the container name itself)
    listed = store.get(f"{quote(bucket, safe='')}?format=json").json()
    assert [o["name"] for o in listed] == [blob]
    shown = answer(swift_client.get(url, headers=swift_auth))["blob"]
    assert (shown["id"], shown["bucket"]["id"]) == (blob, bucket)
    assert swift_client.get(f"{url}/content", headers=swift_auth).get_data() == b"x"
    answer(swift_client.delete(url, headers=swift_auth), 204)
    bucket_url = f"/api/buckets/{quote(bucket, safe='')}"
    answer(swift_client.delete(bucket_url, headers=swift_auth), 204)
    assert list(store.containers()) == []
