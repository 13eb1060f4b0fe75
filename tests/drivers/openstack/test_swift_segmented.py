"""Segmented blobs of the openstack driver as Swift static large objects, as the
seed post "Segmenting Huge Blobs" describes: segments in any order, a
manifest naming them, abort removing them. Checked with openstacksdk as the
same user against a real Swift behind a real Keystone."""

from __future__ import annotations

import time
import tracemalloc
from typing import Any

import pytest
from flask.testing import FlaskClient

from deltaflask.plugins.openstack.swift_calls import SEGMENTS
from deltaflask.testing.api import answer
from deltaflask.testing.api import error_message
from deltaflask.testing.target import DriverUnderTest
from tests.support.blobs import SEGMENTED
from tests.support.blobs import complete
from tests.support.blobs import initiate
from tests.support.blobs import put_segment
from tests.support.blobs import segment
from tests.support.ec2_driver_storage import Pattern
from tests.support.ec2_driver_storage import digest
from tests.support.swift import REGION
from tests.support.swift import Account
from tests.support.swift import SwiftCloud

pytestmark = pytest.mark.xdist_group("openstack")
MIB = 1024 * 1024
URL = "/api/buckets/uploads/movie.mp4"


@pytest.fixture
def user_swift(swift: SwiftCloud, swift_account: Account) -> Any:
    """Swift as the test's user sees it, with an empty container ``uploads``."""
    store = swift.connect(swift_account).object_store
    store.create_container("uploads")
    return store


def waiting(store: Any) -> list[str]:
    """The names in the segments container (uploads in progress, segments)."""
    return [item.name for item in store.objects(SEGMENTS)]


def test_out_of_order_segments_become_one_static_large_object(
    swift_client: FlaskClient, swift_auth: dict[str, str], user_swift: Any
) -> None:
    started = swift_client.put(
        URL,
        headers={
            **swift_auth,
            **SEGMENTED,
            "Content-Type": "video/mp4",
            "X-Deltacloud-Blobmeta-Title": "holiday",
        },
    )
    assert started.status_code == 204, started.get_data(as_text=True)
    upload = started.headers["X-Deltacloud-SegmentedBlob"]
    parts = {1: b"a" * (MIB + 3), 2: b"b" * 17, 3: b"c" * (2 * MIB), 4: b"unused"}
    ids = {
        order: segment(swift_client, swift_auth, upload, order, parts[order], URL)
        for order in (3, 1, 4, 2)
    }
    assert len(waiting(user_swift)) == 5  # the record and four segments
    done = complete(
        swift_client, swift_auth, upload, f"2={ids[2]}, 3={ids[3]}, 1={ids[1]}", URL
    )
    blob = answer(done, 200)["blob"]
    joined = parts[1] + parts[2] + parts[3]
    assert blob["content_length"] == len(joined)
    assert (blob["content_type"], blob["user_metadata"]) == (
        "video/mp4",
        {"title": "holiday"},
    )
    head = user_swift.get_object_metadata("movie.mp4", "uploads")
    assert head.is_static_large_object
    assert head.content_type == "video/mp4"
    content = swift_client.get(f"{URL}/content", headers=swift_auth)
    assert content.get_data() == joined
    # the record and the segment the manifest left out are gone
    assert sorted(waiting(user_swift)) == [f"{upload}/{n:04d}" for n in (1, 2, 3)]
    listed = answer(swift_client.get("/api/buckets", headers=swift_auth))
    assert [b["id"] for b in listed["buckets"]] == ["uploads"]
    late = put_segment(swift_client, swift_auth, upload, 1, b"x", URL)
    assert "completed or aborted" in error_message(late, 404)

    answer(swift_client.delete(URL, headers=swift_auth), 204)
    assert waiting(user_swift) == []
    assert list(user_swift.objects("uploads")) == []


def test_abort_removes_the_segments_and_the_upload(
    swift_client: FlaskClient, swift_auth: dict[str, str], user_swift: Any
) -> None:
    upload = initiate(swift_client, swift_auth, URL)
    for order in (2, 1):
        segment(swift_client, swift_auth, upload, order, b"x" * 1024, URL)
    other = initiate(swift_client, swift_auth, URL)
    segment(swift_client, swift_auth, other, 1, b"kept", URL)
    aborted = swift_client.delete(
        URL, headers={**swift_auth, "X-Deltacloud-SegmentedBlob": upload}
    )
    assert aborted.status_code == 204, aborted.get_data(as_text=True)
    assert sorted(waiting(user_swift)) == [other, f"{other}/0001"]
    error_message(put_segment(swift_client, swift_auth, upload, 3, b"y", URL), 404)
    error_message(complete(swift_client, swift_auth, upload, "1=abc", URL), 404)
    error_message(swift_client.get(URL, headers=swift_auth), 404)
    assert list(user_swift.objects("uploads")) == []


def test_wrong_manifests_and_uploads_are_refused(
    swift_client: FlaskClient, swift_auth: dict[str, str], user_swift: Any
) -> None:
    upload = initiate(swift_client, swift_auth, URL)
    first = segment(swift_client, swift_auth, upload, 1, b"one", URL)
    for manifest, words in (
        ("1=0123456789abcdef0123456789abcdef", "Unknown segment"),
        (f"2={first}", "Unknown segment"),
        (f"1={first}, 1={first}", "twice"),
    ):
        response = complete(swift_client, swift_auth, upload, manifest, URL)
        assert words in error_message(response, 400)
    for order in (0, 1001):
        response = put_segment(swift_client, swift_auth, upload, order, b"x", URL)
        assert "between 1 and 1000" in error_message(response, 400)
    elsewhere = "/api/buckets/uploads/other.bin"
    user_swift.create_object(SEGMENTS, "e" * 32, data=b"not an upload record")
    for upload_id in (upload, "f" * 32, "e" * 32, "../" + upload):
        response = put_segment(swift_client, swift_auth, upload_id, 2, b"x", elsewhere)
        error_message(response, 404)
    no_bucket = swift_client.put(
        "/api/buckets/nosuch/x", headers={**swift_auth, **SEGMENTED}
    )
    error_message(no_bucket, 404)
    # the refused requests changed nothing: the upload completes as before
    done = complete(swift_client, swift_auth, upload, f"1={first}", URL)
    assert answer(done, 200)["blob"]["content_length"] == 3


def test_a_large_segment_streams_through_in_bounded_memory(
    swift_client: FlaskClient, swift_auth: dict[str, str], user_swift: Any
) -> None:
    size = 24 * MIB
    upload = initiate(swift_client, swift_auth, URL)
    tracemalloc.start()
    try:
        response = put_segment(
            swift_client, swift_auth, upload, 1, b"", URL, input_stream=Pattern(size)
        )
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert response.status_code == 204, response.get_data(as_text=True)
    assert peak < 4 * MIB, f"a {size}-byte segment held {peak} bytes"
    part = response.headers["X-Deltacloud-BlobSegmentId"]
    answer(complete(swift_client, swift_auth, upload, f"1={part}", URL), 200)
    stored = swift_client.get(f"{URL}/content", headers=swift_auth, buffered=False)
    assert digest(_Reader(stored.response)) == digest(Pattern(size))
    stored.close()


class _Reader:
    """``read`` over an iterable of chunks (for :func:`digest`)."""

    def __init__(self, chunks: Any) -> None:
        self._chunks = iter(chunks)

    def read(self, _size: int) -> bytes:
        return next(self._chunks, b"")


def test_an_upload_expires_after_segment_max_age_but_a_completed_blob_stays(
    swift: SwiftCloud, swift_account: Account, user_swift: Any
) -> None:
    target = DriverUnderTest(
        "openstack",
        credentials=(swift_account.username, swift_account.password),
        provider=f"{swift.identity_url};{REGION}",
        config={"SEGMENT_MAX_AGE": 3},
    )
    client, auth = target.app().test_client(), target.auth_headers()
    kept = initiate(client, auth, URL)
    first = segment(client, auth, kept, 1, b"kept", URL)
    answer(complete(client, auth, kept, f"1={first}", URL), 200)
    left = initiate(client, auth, "/api/buckets/uploads/left.bin")
    segment(client, auth, left, 1, b"left", "/api/buckets/uploads/left.bin")
    stored = user_swift.get_object_metadata(f"{left}/0001", SEGMENTS)
    assert stored.delete_at is not None
    assert user_swift.get_object_metadata(f"{kept}/0001", SEGMENTS).delete_at is None
    time.sleep(4.5)
    late = put_segment(client, auth, left, 2, b"x", "/api/buckets/uploads/left.bin")
    error_message(late, 404)
    assert client.get(f"{URL}/content", headers=auth).get_data() == b"kept"
