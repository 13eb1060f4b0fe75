"""Buckets and blobs of the openstack driver against a real Swift behind a real
Keystone: what /api does is checked with openstacksdk as the same user."""

from __future__ import annotations

import hashlib
import tracemalloc
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from deltaflask.errors import DeltaflaskError
from deltaflask.models import Blob
from deltaflask.models import Bucket
from deltaflask.plugins.openstack.swift_calls import SEGMENTS
from deltaflask.testing.api import answer
from deltaflask.testing.api import error_message
from deltaflask.testing.target import DriverUnderTest
from tests.support.ec2_driver_storage import Pattern
from tests.support.ec2_driver_storage import digest
from tests.support.swift import Account
from tests.support.swift import SwiftCloud

pytestmark = pytest.mark.xdist_group("openstack")
MIB = 1024 * 1024


@pytest.fixture
def user_swift(swift: SwiftCloud, swift_account: Account) -> Any:
    """Swift as the test's user sees it through openstacksdk."""
    return swift.connect(swift_account).object_store


def test_buckets_live_in_the_users_account_found_through_the_catalogue(
    swift_client: FlaskClient, swift_auth: dict[str, str], user_swift: Any
) -> None:
    created = swift_client.post(
        "/api/buckets", data={"name": "photos"}, headers=swift_auth
    )
    assert answer(created, 201)["bucket"]["id"] == "photos"
    assert [c.name for c in user_swift.containers()] == ["photos"]
    assert user_swift.get_endpoint().split("/")[-1].startswith("AUTH_")
    user_swift.create_container("made-by-sdk")
    listed = answer(swift_client.get("/api/buckets", headers=swift_auth))
    assert sorted(b["id"] for b in listed["buckets"]) == ["made-by-sdk", "photos"]
    again = swift_client.post(
        "/api/buckets", data={"name": "photos"}, headers=swift_auth
    )
    assert "already exists" in error_message(again, 409)
    reserved = swift_client.post(
        "/api/buckets", data={"name": SEGMENTS}, headers=swift_auth
    )
    assert "reserved" in error_message(reserved, 400)
    error_message(swift_client.get("/api/buckets/nosuch", headers=swift_auth), 404)
    error_message(swift_client.delete("/api/buckets/nosuch", headers=swift_auth), 404)
    answer(swift_client.delete("/api/buckets/photos", headers=swift_auth), 204)
    assert [c.name for c in user_swift.containers()] == ["made-by-sdk"]


def test_driver_object_lists_models_and_finds_them_again(
    swift_driver: DriverUnderTest, swift_app: Flask, user_swift: Any
) -> None:
    user_swift.create_container("docs")
    user_swift.create_object("docs", "a.txt", data=b"a")
    with swift_app.test_request_context("/api"):
        driver = swift_driver.driver(swift_app)
        buckets = driver.buckets({})
        assert buckets == [Bucket(id="docs", name="docs", size=1, blob_ids=["a.txt"])]
        assert driver.bucket("docs") == buckets[0]
        for unknown in ("nosuch", SEGMENTS, "a/b"):
            assert driver.bucket(unknown) is None, unknown
            assert driver.blob(unknown, "a.txt") is None, unknown
        blob = driver.blob("docs", "a.txt")
        assert isinstance(blob, Blob)
        assert (blob.content_length, blob.last_modified[:2]) == (1, "20")
        with pytest.raises(DeltaflaskError) as raised:
            driver.delete_bucket("nosuch")
        assert raised.value.status == 404


def test_blob_type_metadata_and_update_as_swift_keeps_them(
    swift_client: FlaskClient, swift_auth: dict[str, str], user_swift: Any
) -> None:
    user_swift.create_container("docs")
    url = "/api/buckets/docs/report.csv"
    put = swift_client.put(
        url,
        data=b"a,b\n1,2\n",
        headers={
            **swift_auth,
            "Content-Type": "text/csv",
            "X-Deltacloud-Blobmeta-Owner": "qa",
            "X-Deltacloud-Blobmeta-Place": "caf\u00e9".encode().decode("latin-1"),
        },
    )
    blob = answer(put, 200)["blob"]
    assert (blob["content_type"], blob["content_length"]) == ("text/csv", 8)
    stored = user_swift.get_object_metadata("report.csv", "docs")
    assert stored.content_type == "text/csv"
    assert stored.metadata["owner"] == "qa"
    head = swift_client.head(url, headers=swift_auth)
    assert head.headers["X-Deltacloud-Blobmeta-owner"] == "qa"

    updated = swift_client.post(
        url, headers={**swift_auth, "X-Deltacloud-Blobmeta-Stage": "final"}
    )
    assert updated.status_code == 204, updated.get_data(as_text=True)
    stored = user_swift.get_object_metadata("report.csv", "docs")
    assert stored.metadata == {"stage": "final"}
    assert stored.content_type == "text/csv"
    content = swift_client.get(f"{url}/content", headers=swift_auth)
    assert content.get_data() == b"a,b\n1,2\n"
    assert content.headers["Content-Type"].startswith("text/csv")

    user_swift.create_object("docs", "other", data=b"x")
    for path in ("/api/buckets/docs/gone", "/api/buckets/docs/gone/content"):
        error_message(swift_client.get(path, headers=swift_auth), 404)
    error_message(
        swift_client.delete("/api/buckets/docs/gone", headers=swift_auth), 404
    )
    missing_meta = swift_client.post(
        "/api/buckets/docs/gone",
        headers={**swift_auth, "X-Deltacloud-Blobmeta-A": "b"},
    )
    error_message(missing_meta, 404)
    no_bucket = swift_client.put("/api/buckets/nosuch/x", data=b"x", headers=swift_auth)
    assert "nosuch" in error_message(no_bucket, 404)
    refused = swift_client.delete("/api/buckets/docs", headers=swift_auth)
    assert "not empty" in error_message(refused, 409)
    answer(swift_client.delete(url, headers=swift_auth), 204)
    assert [o.name for o in user_swift.objects("docs")] == ["other"]


def test_large_blob_streams_both_ways_in_bounded_memory(
    swift_client: FlaskClient, swift_auth: dict[str, str], user_swift: Any
) -> None:
    size = 64 * MIB
    user_swift.create_container("big")
    expected = digest(Pattern(size))
    tracemalloc.start()
    try:
        put = swift_client.put(
            "/api/buckets/big/disk.img",
            input_stream=Pattern(size),
            headers={**swift_auth, "Content-Type": "application/octet-stream"},
        )
        upload_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        download = swift_client.get(
            "/api/buckets/big/disk.img/content", headers=swift_auth, buffered=False
        )
        found, length = hashlib.sha256(), 0
        for chunk in download.response:
            found.update(chunk)
            length += len(chunk)
        download.close()
        download_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert put.status_code == 200, put.get_data(as_text=True)
    assert put.get_json()["blob"]["content_length"] == size
    assert (length, found.hexdigest()) == (size, expected)
    stored = hashlib.sha256()
    for chunk in user_swift.stream_object("disk.img", "big", chunk_size=MIB):
        stored.update(chunk)
    assert stored.hexdigest() == expected
    # chunks of 64 KiB go through; nothing grows with the blob's 64 MiB
    assert upload_peak < 4 * MIB, f"upload held {upload_peak} bytes"
    assert download_peak < 4 * MIB, f"download held {download_peak} bytes"


class Truncated(Pattern):
    """Claims ``size`` bytes but ends after ``end`` (a client that went away)."""

    def __init__(self, size: int, end: int) -> None:
        super().__init__(size)
        self.end = end

    def readinto(self, buffer: Any) -> int:
        if self.pos >= self.end:
            return 0
        return super().readinto(memoryview(buffer)[: self.end - self.pos])


def test_truncated_upload_stores_nothing(
    swift_client: FlaskClient, swift_auth: dict[str, str], user_swift: Any
) -> None:
    user_swift.create_container("cut")
    for size, end in ((1000, 10), (20 * MIB, 12 * MIB)):
        response = swift_client.put(
            "/api/buckets/cut/partial",
            input_stream=Truncated(size, end),
            headers=swift_auth,
        )
        error_message(response, 400)
        assert list(user_swift.objects("cut")) == []


def test_storage_pages_render_as_xml_and_html(
    swift_client: FlaskClient, swift_auth: dict[str, str], user_swift: Any
) -> None:
    basic = {"Authorization": swift_auth["Authorization"]}
    user_swift.create_container("pages")
    swift_client.put("/api/buckets/pages/page.txt", data=b"text", headers=swift_auth)
    for url in ("/api/buckets", "/api/buckets/pages", "/api/buckets/pages/page.txt"):
        for fmt in ("xml", "html"):
            response = swift_client.get(f"{url}?format={fmt}", headers=basic)
            assert response.status_code == 200, (url, fmt)
            assert "Traceback" not in response.get_data(as_text=True)
