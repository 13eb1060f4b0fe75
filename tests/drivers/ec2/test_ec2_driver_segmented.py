"""Segmented blobs on S3 multipart uploads through /api, checked with boto3."""

from __future__ import annotations

import hashlib
import tracemalloc
from functools import partial
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.support import blobs as mock_segments
from tests.support.ec2_driver import aws_client
from tests.support.ec2_driver_storage import Pattern
from tests.support.ec2_driver_storage import digest
from tests.support.moto_server import MotoServer

MIB = 1024 * 1024
URL = "/api/buckets/uploads/movie.mp4"
SEGMENTED = {"X-Deltacloud-BlobType": "segmented"}
# the mock's segmented-upload calls, aimed at this module's blob
put_segment = partial(mock_segments.put_segment, url=URL)
segment = partial(mock_segments.segment, url=URL)
complete = partial(mock_segments.complete, url=URL)


@pytest.fixture
def s3(aws: MotoServer) -> Any:
    """A plain boto3 S3 client of moto with the bucket ``uploads``."""
    client = aws_client(aws, "s3")
    client.create_bucket(Bucket="uploads")
    return client


def initiate(client: FlaskClient, auth: dict[str, str], **headers: str) -> str:
    response = client.put(URL, headers={**auth, **SEGMENTED, **headers})
    assert response.status_code == 204, response.get_data(as_text=True)
    return response.headers["X-Deltacloud-SegmentedBlob"]


def abort(client: FlaskClient, auth: dict[str, str], upload: str) -> Any:
    return client.delete(URL, headers={**auth, "X-Deltacloud-SegmentedBlob": upload})


def error_message(response: Any, status: int) -> str:
    assert response.status_code == status, response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)
    return str(response.get_json()["message"])


def test_segments_in_any_order_become_one_blob(
    ec2_client: FlaskClient, ec2_auth: dict[str, str], s3: Any
) -> None:
    upload = initiate(
        ec2_client,
        ec2_auth,
        **{"Content-Type": "video/mp4", "X-Deltacloud-Blobmeta-Title": "Holiday"},
    )
    assert [
        u["UploadId"] for u in s3.list_multipart_uploads(Bucket="uploads")["Uploads"]
    ] == [upload]
    parts = {
        1: b"\x01" * (5 * MIB),
        2: b"\x02" * (5 * MIB),
        3: b"\x03" * (5 * MIB + 17),
        4: b"tail end",
    }
    ids = {
        order: segment(ec2_client, ec2_auth, upload, order, parts[order])
        for order in (3, 1, 4, 2)
    }
    assert ids[1] == hashlib.md5(parts[1]).hexdigest()  # S3's ETag of a part
    manifest = ", ".join(f"{order}={ids[order]}" for order in (2, 4, 1, 3))
    done = complete(ec2_client, ec2_auth, upload, manifest)
    assert done.status_code == 200, done.get_data(as_text=True)
    expected = b"".join(parts[order] for order in (1, 2, 3, 4))
    blob = done.get_json()["blob"]
    assert blob["content_length"] == len(expected)
    assert blob["content_type"] == "video/mp4"
    assert blob["user_metadata"] == {"title": "Holiday"}

    stored = s3.get_object(Bucket="uploads", Key="movie.mp4")
    data = stored["Body"].read()
    assert hashlib.sha256(data).digest() == hashlib.sha256(expected).digest()
    assert stored["ContentType"] == "video/mp4"
    assert stored["Metadata"] == {"title": "Holiday"}
    assert "Uploads" not in s3.list_multipart_uploads(Bucket="uploads")


def test_small_segment_is_refused_with_the_reason_then_abort_cleans_up(
    ec2_client: FlaskClient, ec2_auth: dict[str, str], s3: Any
) -> None:
    upload = initiate(ec2_client, ec2_auth)
    first = segment(ec2_client, ec2_auth, upload, 1, b"a" * 1024)
    second = segment(ec2_client, ec2_auth, upload, 2, b"b" * 1024)
    refused = complete(ec2_client, ec2_auth, upload, f"1={first}, 2={second}")
    message = error_message(refused, 400)
    assert "at least 5 MiB" in message and "Segment 1 has 1024 bytes" in message
    listed = s3.list_multipart_uploads(Bucket="uploads")["Uploads"]
    assert [u["UploadId"] for u in listed] == [upload]

    aborted = abort(ec2_client, ec2_auth, upload)
    assert aborted.status_code == 204, aborted.get_data(as_text=True)
    assert "Uploads" not in s3.list_multipart_uploads(Bucket="uploads")
    again = put_segment(ec2_client, ec2_auth, upload, 3, b"c")
    assert "completed or aborted" in error_message(again, 404)


def test_a_single_small_segment_is_a_whole_blob(
    ec2_client: FlaskClient, ec2_auth: dict[str, str], s3: Any
) -> None:
    upload = initiate(ec2_client, ec2_auth)
    only = segment(ec2_client, ec2_auth, upload, 1, b"just this")
    done = complete(ec2_client, ec2_auth, upload, f"1={only}")
    assert done.status_code == 200, done.get_data(as_text=True)
    assert s3.get_object(Bucket="uploads", Key="movie.mp4")["Body"].read() == (
        b"just this"
    )


def test_unknown_uploads_and_segments_are_clear_errors(
    ec2_client: FlaskClient, ec2_auth: dict[str, str], s3: Any
) -> None:
    bogus = "no-such-upload"
    for response in (
        put_segment(ec2_client, ec2_auth, bogus, 1, b"x"),
        complete(ec2_client, ec2_auth, bogus, "1=abc"),
        abort(ec2_client, ec2_auth, bogus),
    ):
        assert f"upload '{bogus}' not found" in error_message(response, 404)

    upload = initiate(ec2_client, ec2_auth)
    known = segment(ec2_client, ec2_auth, upload, 1, b"x")
    for manifest, words in (
        ("1=0123456789abcdef0123456789abcdef", "Unknown segment"),
        (f"1={known}, 2=ffff", "Unknown segment 'ffff' for order 2"),
        (f"1={known}, 1={known}", "order twice"),
        ("1", "is not ORDER=SEGMENT_ID"),
    ):
        response = complete(ec2_client, ec2_auth, upload, manifest)
        assert words in error_message(response, 400)
    for order in ("0", "10001"):
        response = put_segment(ec2_client, ec2_auth, upload, int(order), b"x")
        assert "between 1 and 10000" in error_message(response, 400)
    no_bucket = ec2_client.put(
        "/api/buckets/nosuchbucket/x", headers={**ec2_auth, **SEGMENTED}
    )
    error_message(no_bucket, 404)


def test_a_large_segment_is_spooled_not_held_in_memory(
    ec2_client: FlaskClient, ec2_auth: dict[str, str], s3: Any
) -> None:
    size = 24 * MIB
    upload = initiate(ec2_client, ec2_auth)
    tracemalloc.start()
    try:
        response = ec2_client.put(
            URL,
            input_stream=Pattern(size),
            headers={
                **ec2_auth,
                **SEGMENTED,
                "X-Deltacloud-SegmentedBlob": upload,
                "X-Deltacloud-SegmentOrder": "1",
            },
        )
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert response.status_code == 204, response.get_data(as_text=True)
    assert peak < 8 * MIB, f"a {size}-byte segment held {peak} bytes"
    part = response.headers["X-Deltacloud-BlobSegmentId"]
    done = complete(ec2_client, ec2_auth, upload, f"1={part}")
    assert done.status_code == 200, done.get_data(as_text=True)
    stored = s3.get_object(Bucket="uploads", Key="movie.mp4")["Body"]
    assert digest(stored) == digest(Pattern(size))
