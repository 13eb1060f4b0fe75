"""Segmented blobs on the azure driver: Put Block / Put Block List on Azurite.

The manifest's order numbers decide the committed block list, whatever order
the segments came in; a segment larger than one block is staged as several;
abort leaves no committed blob (and never touches one that was there)."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from flask.testing import FlaskClient

from deltaflask.testing.api import error_message
from tests.support.azurite import Azurite
from tests.support.blobs import complete
from tests.support.blobs import initiate
from tests.support.blobs import put_segment
from tests.support.blobs import segment

pytestmark = pytest.mark.xdist_group("azurite")

MIB = 1024 * 1024
URL = "/api/buckets/parts/joined.bin"


@pytest.fixture
def bucket(azurite_blob: Azurite) -> Any:
    """The container ``parts`` (its SDK client)."""
    return azurite_blob.service().create_container("parts")


def test_out_of_order_segments_join_in_manifest_order(
    azure_client: FlaskClient, azure_auth: dict[str, str], bucket: Any
) -> None:
    headers = {**azure_auth, "Content-Type": "application/x-tar"}
    upload = initiate(
        azure_client, {**headers, "X-Deltacloud-Blobmeta-Origin": "tape"}, URL
    )
    # any size: one byte, several 8 MiB blocks, a few KiB (Azure has no minimum)
    parts = {1: b"a", 2: bytes(range(256)) * (80 * 1024), 3: b"c" * 3000, 4: b"d"}
    ids = {}
    for order in (4, 2, 3, 1):
        ids[order] = segment(azure_client, azure_auth, upload, order, parts[order], URL)
    # order 3 again: the manifest picks which of the two is used
    replaced = segment(azure_client, azure_auth, upload, 3, b"C" * 10, URL)
    manifest = f"4={ids[4]}, 1={ids[1]}, 3={replaced}, 2={ids[2]}"
    done = complete(azure_client, azure_auth, upload, manifest, URL)
    assert done.status_code == 200, done.get_data(as_text=True)
    blob = done.get_json()["blob"]
    expected = parts[1] + parts[2] + b"C" * 10 + parts[4]
    assert blob["content_length"] == len(expected)
    assert blob["content_type"] == "application/x-tar"
    assert blob["user_metadata"] == {"origin": "tape"}
    content = azure_client.get(f"{URL}/content", headers=azure_auth)
    assert content.get_data() == expected

    committed, waiting = bucket.get_blob_client("joined.bin").get_block_list("all")
    assert len(committed) == 1 + 3 + 1 + 1  # segment 2 took three 8 MiB blocks
    assert waiting == []  # the marker, the unused segment: dropped
    again = put_segment(azure_client, azure_auth, upload, 5, b"late", URL)
    error_message(again, 404)


def test_manifest_mistakes_are_400_and_keep_the_upload_open(
    azure_client: FlaskClient, azure_auth: dict[str, str], bucket: Any
) -> None:
    upload = initiate(azure_client, azure_auth, URL)
    first = segment(azure_client, azure_auth, upload, 1, b"one", URL)
    for manifest in (
        "1=0000000000000000",
        f"2={first}",
        f"1={first}, 1={first}",
        "1=../../etc",
    ):
        refused = complete(azure_client, azure_auth, upload, manifest, URL)
        error_message(refused, 400)
    error_message(put_segment(azure_client, azure_auth, upload, 0, b"x", URL), 400)
    error_message(put_segment(azure_client, azure_auth, upload, 2, b"", URL), 400)
    done = complete(azure_client, azure_auth, upload, f"1={first}", URL)
    assert done.get_json()["blob"]["content_length"] == 3


def test_abort_leaves_no_committed_blob(
    azure_client: FlaskClient, azure_auth: dict[str, str], bucket: Any
) -> None:
    upload = initiate(azure_client, azure_auth, URL)
    segment(azure_client, azure_auth, upload, 1, b"x" * 1024, URL)
    aborted = azure_client.delete(
        URL, headers={**azure_auth, "X-Deltacloud-SegmentedBlob": upload}
    )
    assert aborted.status_code == 204
    assert [b.name for b in bucket.list_blobs(include=["uncommittedblobs"])] == []
    error_message(put_segment(azure_client, azure_auth, upload, 2, b"y", URL), 404)
    error_message(complete(azure_client, azure_auth, upload, "1=x", URL), 404)
    error_message(azure_client.get(URL, headers=azure_auth), 404)


def test_abort_keeps_a_blob_that_was_there(
    azure_client: FlaskClient, azure_auth: dict[str, str], bucket: Any
) -> None:
    kept = azure_client.put(URL, data=b"original", headers=azure_auth)
    assert kept.status_code == 200
    upload = initiate(azure_client, azure_auth, URL)
    segment(azure_client, azure_auth, upload, 1, b"replacement", URL)
    aborted = azure_client.delete(
        URL, headers={**azure_auth, "X-Deltacloud-SegmentedBlob": upload}
    )
    assert aborted.status_code == 204
    error_message(put_segment(azure_client, azure_auth, upload, 2, b"y", URL), 404)
    content = azure_client.get(f"{URL}/content", headers=azure_auth)
    assert content.get_data() == b"original"


def test_unknown_or_foreign_upload_ids_are_404(
    azure_client: FlaskClient, azure_auth: dict[str, str], bucket: Any
) -> None:
    upload = initiate(azure_client, azure_auth, URL)
    other = "/api/buckets/parts/other.bin"
    for upload_id, url in (
        ("0123456789abcdef.e30", URL),
        ("not an id", URL),
        (upload, other),
        (upload[:16] + ".!!", URL),
        (upload[:16] + "." + _encoded("[" * 5000), URL),
        (upload[:16] + "." + _encoded('{"type": 5, "meta": {}}'), URL),
        (upload[:16] + "." + _encoded('{"type": null, "meta": {"a": []}}'), URL),
    ):
        refused = put_segment(azure_client, azure_auth, upload_id, 1, b"x", url)
        error_message(refused, 404)
    error_message(
        azure_client.put(
            "/api/buckets/nobucket/x",
            headers={**azure_auth, "X-Deltacloud-BlobType": "segmented"},
        ),
        404,
    )


def _encoded(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")
