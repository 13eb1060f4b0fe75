"""Segmented (multi-part) blob uploads: initiate, segments, complete, abort.

Two apps on one mock store stand in for two worker processes: an upload
started on one continues on the other, so nothing lives in process memory.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from deltaflask import create_app
from tests.support.blobs import SEGMENTED
from tests.support.blobs import URL
from tests.support.blobs import complete
from tests.support.blobs import initiate
from tests.support.blobs import put_segment
from tests.support.blobs import recording_file_wrapper
from tests.support.blobs import segment
from tests.support.helpers import assert_error
from tests.support.helpers import parse_xml


def test_segments_in_any_order_and_size(
    client: FlaskClient, xml: dict[str, str], auth: dict[str, str], mock_storage: Path
) -> None:
    upload = initiate(
        client,
        {**xml, "Content-Type": "text/plain", "X-Deltacloud-Blobmeta-Part": "yes"},
    )
    parts = {1: b"a", 2: b"", 3: b"c" * 300_000}
    ids = {
        order: segment(client, xml, upload, order, parts[order]) for order in (3, 1, 2)
    }
    manifest = ", ".join(f"{order}={ids[order]}" for order in (2, 3, 1))
    response = complete(client, xml, upload, manifest)
    assert response.status_code == 200, response.get_data(as_text=True)
    blob = parse_xml(response)
    expected = b"".join(parts[order] for order in (1, 2, 3))
    assert blob.findtext("content_length") == str(len(expected))
    assert blob.findtext("content_type") == "text/plain"
    assert blob.find("user_metadata/entry").get("key") == "part"
    content = client.get(f"{URL}/content", headers=auth)
    assert content.get_data() == expected
    assert not (mock_storage / "segmented" / upload).exists()


def test_upload_spans_worker_processes(
    mock_storage: Path, json_headers: dict[str, str], auth: dict[str, str]
) -> None:
    first = create_app({"TESTING": True, "MOCK_STORAGE": str(mock_storage)})
    second = create_app({"TESTING": True, "MOCK_STORAGE": str(mock_storage)})
    one, two = first.test_client(), second.test_client()
    upload = initiate(one, json_headers)
    id1 = segment(two, json_headers, upload, 1, b"hello ")
    id2 = segment(one, json_headers, upload, 2, b"world")
    response = complete(two, json_headers, upload, f"1={id1}, 2={id2}")
    assert response.status_code == 200
    assert response.get_json()["blob"]["content"] == "hello world"
    assert one.get(f"{URL}/content", headers=auth).get_data() == b"hello world"


def test_query_parameter_variant(
    client: FlaskClient, json_headers: dict[str, str]
) -> None:
    started = client.put(f"{URL}?blob_type=segmented", headers=json_headers)
    upload = started.headers["X-Deltacloud-SegmentedBlob"]
    put = client.put(
        f"{URL}?segmented_blob={upload}&segment_order=1",
        data=b"q",
        headers=json_headers,
    )
    segment_id = put.headers["X-Deltacloud-BlobSegmentId"]
    done = client.put(
        f"{URL}?segmented_blob={upload}", data=f"1={segment_id}", headers=json_headers
    )
    assert done.status_code == 200
    assert done.get_json()["blob"]["content_length"] == 1


@pytest.mark.parametrize(
    ("manifest", "words"),
    [
        ("1=0123456789abcdef", "Unknown segment"),
        ("1=../../etc/passwd", "Unknown segment"),
        ("1", "ORDER=SEGMENT_ID"),
        ("one=abc", "ORDER=SEGMENT_ID"),
        ("", "needs a manifest"),
        ("1=KNOWN, 1=KNOWN", "twice"),
    ],
)
def test_bad_manifest_leaves_no_blob(
    client: FlaskClient,
    json_headers: dict[str, str],
    mock_storage: Path,
    manifest: str,
    words: str,
) -> None:
    upload = initiate(client, json_headers)
    known = segment(client, json_headers, upload, 1, b"data")
    response = complete(client, json_headers, upload, manifest.replace("KNOWN", known))
    assert words in assert_error(response, 400, "json")
    assert client.get(URL, headers=json_headers).status_code == 404
    assert not list((mock_storage / "blobs" / "bucket1").glob(".tmp-*"))
    assert complete(client, json_headers, upload, f"1={known}").status_code == 200


@pytest.mark.parametrize("order", ["0", "abc", "-1", "10001"])
def test_bad_segment_order(
    client: FlaskClient, json_headers: dict[str, str], order: str
) -> None:
    upload = initiate(client, json_headers)
    response = put_segment(client, json_headers, upload, order, b"x")
    assert_error(response, 400, "json")


@pytest.mark.parametrize("upload", ["nosuch", "0" * 32, "../segmented"])
def test_wrong_upload_id(
    client: FlaskClient, json_headers: dict[str, str], upload: str
) -> None:
    assert_error(complete(client, json_headers, upload, "1=abc"), 404, "json")
    response = client.put(
        URL,
        data=b"x",
        headers={
            **json_headers,
            "X-Deltacloud-SegmentedBlob": upload,
            "X-Deltacloud-SegmentOrder": "1",
        },
    )
    assert_error(response, 404, "json")


def test_upload_id_belongs_to_its_blob(
    client: FlaskClient, json_headers: dict[str, str]
) -> None:
    upload = initiate(client, json_headers, "/api/buckets/bucket1/other")
    assert_error(complete(client, json_headers, upload, "1=abc"), 404, "json")


def test_abort_removes_parts(
    client: FlaskClient, json_headers: dict[str, str], mock_storage: Path
) -> None:
    upload = initiate(client, json_headers)
    part = segment(client, json_headers, upload, 1, b"x" * 1000)
    assert list((mock_storage / "segmented" / upload).glob("*.part"))
    aborted = client.delete(
        URL, headers={**json_headers, "X-Deltacloud-SegmentedBlob": upload}
    )
    assert aborted.status_code == 204
    assert not (mock_storage / "segmented" / upload).exists()
    assert_error(complete(client, json_headers, upload, f"1={part}"), 404, "json")
    again = client.delete(
        URL, headers={**json_headers, "X-Deltacloud-SegmentedBlob": upload}
    )
    assert_error(again, 404, "json")


def test_initiate_needs_a_bucket_and_a_safe_name(
    client: FlaskClient, json_headers: dict[str, str]
) -> None:
    missing = client.put(
        "/api/buckets/nosuch/seg", headers={**json_headers, **SEGMENTED}
    )
    assert_error(missing, 404, "json")
    bad = client.put("/api/buckets/bucket1/a..b", headers={**json_headers, **SEGMENTED})
    assert_error(bad, 400, "json")


def _upload_blob(
    client: FlaskClient, headers: dict[str, str], parts: list[bytes]
) -> str:
    upload = initiate(client, headers)
    ids = [segment(client, headers, upload, n, data) for n, data in enumerate(parts, 1)]
    manifest = ", ".join(f"{n}={segment_id}" for n, segment_id in enumerate(ids, 1))
    assert complete(client, headers, upload, manifest).status_code == 200
    return upload


def test_completion_keeps_the_segments_without_copying(
    client: FlaskClient, xml: dict[str, str], auth: dict[str, str], mock_storage: Path
) -> None:
    bucket = mock_storage / "blobs" / "bucket1"
    upload = _upload_blob(client, xml, [b"one ", b"two ", b"three"])
    parts = bucket / f".parts-{upload}"
    assert sorted(p.name.split(".")[0] for p in parts.iterdir()) == ["1", "2", "3"]
    assert not (bucket / "seg.data").exists()
    assert client.get(f"{URL}/content", headers=auth).get_data() == b"one two three"
    wrapper, wrapped = recording_file_wrapper()
    with client.get(
        f"{URL}/content", headers=auth, environ_overrides={"wsgi.file_wrapper": wrapper}
    ) as streamed:
        assert streamed.get_data() == b"one two three"
    assert wrapped == []  # several files: chunks, not the server's file wrapper
    replaced = client.put(URL, data=b"plain", headers=xml)
    assert replaced.status_code == 200
    assert not parts.exists()
    assert client.get(f"{URL}/content", headers=auth).get_data() == b"plain"
    again = _upload_blob(client, xml, [b"seg", b"mented"])
    assert not (bucket / "seg.data").exists()
    assert client.get(f"{URL}/content", headers=auth).get_data() == b"segmented"
    assert client.delete(URL, headers=xml).status_code == 204
    assert not (bucket / f".parts-{again}").exists()
    assert client.get("/api/buckets/bucket1", headers=xml).status_code == 200
    assert [p.name for p in bucket.iterdir() if "seg" in p.name] == []


def test_segment_body_shorter_than_its_length_is_refused(
    client: FlaskClient, json_headers: dict[str, str], mock_storage: Path
) -> None:
    upload = initiate(client, json_headers)
    response = put_segment(
        client,
        json_headers,
        upload,
        1,
        b"x" * 10,
        environ_overrides={"CONTENT_LENGTH": "100", "wsgi.input_terminated": True},
    )
    assert "ended 90 bytes before" in assert_error(response, 400, "json")
    assert not list((mock_storage / "segmented" / upload).glob("*.part"))
