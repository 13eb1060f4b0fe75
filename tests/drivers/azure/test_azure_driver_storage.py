"""Buckets and blobs on the azure driver against Azurite: metadata, HEAD,
content types, block lists for large uploads, page and append blobs, an
upload cut short, and the pages in XML and HTML."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from flask.testing import FlaskClient

from deltaflask.testing.api import error_message
from tests.support.azurite import Azurite
from tests.support.ec2_driver_storage import Pattern
from tests.support.ec2_driver_storage import digest

pytestmark = pytest.mark.xdist_group("azurite")

MIB = 1024 * 1024


@pytest.fixture
def docs(azurite_blob: Azurite) -> Any:
    """The container ``docs`` (its SDK client)."""
    return azurite_blob.service().create_container("docs")


def test_blob_metadata_head_content_type_and_update(
    azure_client: FlaskClient, azure_auth: dict[str, str], docs: Any
) -> None:
    put = azure_client.put(
        "/api/buckets/docs/readme",
        data=b"# read me",
        headers={
            **azure_auth,
            "Content-Type": "text/markdown",
            "X-Deltacloud-Blobmeta-Author": "ann",
            "X-Deltacloud-Blobmeta-Draft-No": "3",
        },
    )
    assert put.status_code == 200, put.get_data(as_text=True)
    blob = put.get_json()["blob"]
    assert blob["content_type"] == "text/markdown"
    assert blob["user_metadata"] == {"author": "ann", "draft_no": "3"}
    stored = docs.get_blob_client("readme").get_blob_properties()
    assert stored.metadata == {"author": "ann", "draft_no": "3"}
    assert stored.blob_type == "BlockBlob"

    head = azure_client.head("/api/buckets/docs/readme", headers=azure_auth)
    assert head.status_code == 204
    assert head.headers["X-Deltacloud-Blobmeta-author"] == "ann"
    updated = azure_client.post(
        "/api/buckets/docs/readme",
        headers={**azure_auth, "X-Deltacloud-Blobmeta-Stage": "final"},
    )
    assert updated.status_code == 204
    assert updated.headers["X-Deltacloud-Blobmeta-stage"] == "final"
    shown = azure_client.get("/api/buckets/docs/readme", headers=azure_auth)
    assert shown.get_json()["blob"]["user_metadata"] == {"stage": "final"}
    assert shown.get_json()["blob"]["content_type"] == "text/markdown"
    content = azure_client.get("/api/buckets/docs/readme/content", headers=azure_auth)
    assert content.get_data() == b"# read me"
    assert content.headers["Content-Type"].startswith("text/markdown")

    for name, value in (("9lives", "v"), ("a.b", "v"), ("place", "caf\u00e9")):
        refused = azure_client.put(
            "/api/buckets/docs/other",
            data=b"x",
            headers={**azure_auth, f"X-Deltacloud-Blobmeta-{name}": value},
        )
        assert "Azure" in error_message(refused, 400)
    assert [b.name for b in docs.list_blobs()] == ["readme"]


def test_large_upload_is_a_block_list_and_reads_back(
    azure_client: FlaskClient, azure_auth: dict[str, str], docs: Any
) -> None:
    size = 20 * MIB + 5
    put = azure_client.put(
        "/api/buckets/docs/disk.img",
        input_stream=Pattern(size),
        headers={**azure_auth, "X-Deltacloud-Blobmeta-Kind": "disk"},
    )
    assert put.status_code == 200, put.get_data(as_text=True)
    assert put.get_json()["blob"]["content_length"] == size
    assert put.get_json()["blob"]["user_metadata"] == {"kind": "disk"}
    blob = docs.get_blob_client("disk.img")
    committed, waiting = blob.get_block_list("all")
    assert [block.size for block in committed] == [8 * MIB, 8 * MIB, 4 * MIB + 5]
    assert waiting == []
    download = azure_client.get(
        "/api/buckets/docs/disk.img/content", headers=azure_auth, buffered=False
    )
    found = hashlib.sha256()
    for chunk in download.response:
        assert len(chunk) <= 4 * MIB
        found.update(chunk)
    download.close()
    assert found.hexdigest() == digest(Pattern(size))


class Truncated(Pattern):
    """Claims ``size`` bytes but ends after ``end`` (a client that went away)."""

    def __init__(self, size: int, end: int) -> None:
        super().__init__(size)
        self.end = end

    def readinto(self, buffer: Any) -> int:
        if self.pos >= self.end:
            return 0
        return super().readinto(memoryview(buffer)[: self.end - self.pos])


def test_an_upload_cut_short_changes_nothing(
    azure_client: FlaskClient, azure_auth: dict[str, str], docs: Any
) -> None:
    docs.upload_blob("kept", b"old bytes")
    for size, end in ((1000, 10), (20 * MIB, 12 * MIB)):
        for name in ("kept", "new"):
            response = azure_client.put(
                f"/api/buckets/docs/{name}",
                input_stream=Truncated(size, end),
                headers=azure_auth,
            )
            error_message(response, 400)
    assert [b.name for b in docs.list_blobs()] == ["kept"]
    assert docs.get_blob_client("kept").download_blob().readall() == b"old bytes"


def test_page_and_append_blobs_are_listed_shown_and_readable(
    azure_client: FlaskClient, azure_auth: dict[str, str], docs: Any
) -> None:
    page = docs.get_blob_client("disk.vhd")
    page.create_page_blob(2048, metadata={"format": "vhd"})
    page.upload_page(b"p" * 512, offset=512, length=512)
    log = docs.get_blob_client("events.log")
    log.create_append_blob()
    log.append_block(b"one\n")
    log.append_block(b"two\n")

    bucket = azure_client.get("/api/buckets/docs", headers=azure_auth).get_json()
    assert sorted(b["id"] for b in bucket["bucket"]["blob_list"]) == [
        "disk.vhd",
        "events.log",
    ]
    shown = azure_client.get("/api/buckets/docs/disk.vhd", headers=azure_auth)
    assert shown.get_json()["blob"]["content_length"] == 2048
    assert shown.get_json()["blob"]["user_metadata"] == {"format": "vhd"}
    pages = azure_client.get("/api/buckets/docs/disk.vhd/content", headers=azure_auth)
    assert pages.get_data() == bytes(512) + b"p" * 512 + bytes(1024)
    appended = azure_client.get(
        "/api/buckets/docs/events.log/content", headers=azure_auth
    )
    assert appended.get_data() == b"one\ntwo\n"
    head = azure_client.head("/api/buckets/docs/disk.vhd", headers=azure_auth)
    assert head.headers["X-Deltacloud-Blobmeta-format"] == "vhd"
    updated = azure_client.post(
        "/api/buckets/docs/events.log",
        headers={**azure_auth, "X-Deltacloud-Blobmeta-Rotated": "no"},
    )
    assert updated.status_code == 204
    assert log.get_blob_properties().metadata == {"rotated": "no"}
    too_big = azure_client.put(
        "/api/buckets/docs/disk.vhd", input_stream=Pattern(8 * MIB), headers=azure_auth
    )
    assert "InvalidBlobType" in error_message(too_big, 409)
    assert page.get_blob_properties().blob_type == "PageBlob"
    deleted = azure_client.delete("/api/buckets/docs/disk.vhd", headers=azure_auth)
    assert deleted.status_code == 204
    replaced = azure_client.put(
        "/api/buckets/docs/events.log", data=b"fresh", headers=azure_auth
    )
    assert replaced.status_code == 200
    assert log.get_blob_properties().blob_type == "BlockBlob"
    assert [b.name for b in docs.list_blobs()] == ["events.log"]


def test_storage_pages_render_as_xml_and_html(
    azure_client: FlaskClient, azure_auth: dict[str, str], docs: Any
) -> None:
    docs.upload_blob("page.txt", b"text")
    basic = {"Authorization": azure_auth["Authorization"]}
    for url in ("/api/buckets", "/api/buckets/docs", "/api/buckets/docs/page.txt"):
        for fmt in ("xml", "html"):
            response = azure_client.get(f"{url}?format={fmt}", headers=basic)
            assert response.status_code == 200, (url, fmt)
            assert "Traceback" not in response.get_data(as_text=True)
    for collection in ("instances", "storage_volumes", "realms", "images"):
        error_message(azure_client.get(f"/api/{collection}", headers=azure_auth), 412)
