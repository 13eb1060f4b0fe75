"""Segmented blobs on the google driver against gcp-storage-emulator: parts
are objects under ``.deltaflask-uploads/``, joined with ``compose`` (a tree
of composes past 32 parts), in the manifest's order; abort and completion
leave nothing behind."""

from __future__ import annotations

import io

import pytest
from flask.testing import FlaskClient

from deltaflask.drivers import BlobCreate
from deltaflask.drivers import Credentials
from deltaflask.errors import ValidationFailure
from deltaflask.plugins.google.driver import GoogleDriver
from tests.support.blobs import complete
from tests.support.blobs import initiate
from tests.support.blobs import put_segment
from tests.support.blobs import segment
from tests.support.gcs_emulator import GOOGLE_AUTH
from tests.support.gcs_emulator import PROJECT
from tests.support.gcs_emulator import GcsEmulator
from tests.support.gcs_emulator import google_client
from tests.support.gcs_emulator import sdk_client

pytestmark = pytest.mark.xdist_group("gcs")

URL = "/api/buckets/parts/joined.bin"
UPLOADS = ".deltaflask-uploads/"


@pytest.fixture
def api(gcs: GcsEmulator) -> FlaskClient:
    """The /api of a google driver on the emulator, with bucket ``parts``."""
    sdk_client(gcs).create_bucket("parts")
    return google_client(gcs.endpoint)


def left_in(gcs: GcsEmulator, bucket: str = "parts") -> list[str]:
    """Every object name in ``bucket``, as the SDK lists it."""
    return sorted(item.name for item in sdk_client(gcs).list_blobs(bucket))


def test_parts_uploaded_out_of_order_join_in_the_manifests_order(
    api: FlaskClient, gcs: GcsEmulator
) -> None:
    upload = initiate(
        api,
        {**GOOGLE_AUTH, "Content-Type": "text/csv", "X-Deltacloud-Blobmeta-Kind": "ab"},
        URL,
    )
    data = {1: b"first,", 2: b"x", 3: b"third" * 1000}  # any sizes, even 1 byte
    ids = {
        order: segment(api, GOOGLE_AUTH, upload, order, data[order], URL)
        for order in (3, 1, 2)
    }
    assert all(value.isdigit() for value in ids.values())  # object generations
    done = complete(
        api, GOOGLE_AUTH, upload, ", ".join(f"{o}={ids[o]}" for o in (2, 3, 1)), URL
    )
    assert done.status_code == 200, done.get_data(as_text=True)
    blob = done.get_json()["blob"]
    whole = data[1] + data[2] + data[3]
    assert blob["content_length"] == len(whole)
    assert blob["content_type"] == "text/csv"
    assert blob["user_metadata"] == {"kind": "ab"}
    assert api.get(f"{URL}/content", headers=GOOGLE_AUTH).get_data() == whole
    stored = sdk_client(gcs).bucket("parts").get_blob("joined.bin")
    assert (stored.size, stored.content_type) == (len(whole), "text/csv")
    assert left_in(gcs) == ["joined.bin"]  # parts and upload.json are gone


def test_more_parts_than_one_compose_takes_are_composed_as_a_tree(
    api: FlaskClient, gcs: GcsEmulator
) -> None:
    upload = initiate(api, GOOGLE_AUTH, URL)
    parts = {order: f"<{order:03d}>".encode() * order for order in range(1, 71)}
    ids = {
        order: segment(api, GOOGLE_AUTH, upload, order, part, URL)
        for order, part in reversed(parts.items())
    }
    manifest = ", ".join(f"{order}={ids[order]}" for order in parts)
    done = complete(api, GOOGLE_AUTH, upload, manifest, URL)
    assert done.status_code == 200, done.get_data(as_text=True)
    whole = b"".join(parts[order] for order in sorted(parts))
    assert api.get(f"{URL}/content", headers=GOOGLE_AUTH).get_data() == whole
    assert left_in(gcs) == ["joined.bin"]


def test_parts_the_manifest_leaves_out_are_dropped(
    api: FlaskClient, gcs: GcsEmulator
) -> None:
    upload = initiate(api, GOOGLE_AUTH, URL)
    kept = segment(api, GOOGLE_AUTH, upload, 1, b"kept", URL)
    segment(api, GOOGLE_AUTH, upload, 2, b"left out", URL)
    done = complete(api, GOOGLE_AUTH, upload, f"1={kept}", URL)
    assert done.get_json()["blob"]["content_length"] == 4
    assert left_in(gcs) == ["joined.bin"]


def test_uploads_in_progress_stay_out_of_listings_but_keep_the_bucket(
    api: FlaskClient, gcs: GcsEmulator
) -> None:
    upload = initiate(api, GOOGLE_AUTH, URL)
    segment(api, GOOGLE_AUTH, upload, 1, b"pending", URL)
    bucket = api.get("/api/buckets/parts", headers=GOOGLE_AUTH).get_json()["bucket"]
    assert bucket["blob_list"] == [] and bucket["size"] == 0
    # /api refuses names with '/'; the driver itself hides the folder too
    driver = GoogleDriver(Credentials(PROJECT, "any"), None, gcs.config())
    assert driver.blob("parts", f"{UPLOADS}{upload}/upload.json") is None
    with pytest.raises(ValidationFailure, match="kept for segmented uploads"):
        driver.create_blob(BlobCreate("parts", f"{UPLOADS}x"), io.BytesIO(b"x"))
    kept = api.delete("/api/buckets/parts", headers=GOOGLE_AUTH)
    assert kept.status_code == 409
    assert "abort its segmented uploads" in kept.get_json()["message"]


def test_abort_removes_every_part_and_ends_the_upload(
    api: FlaskClient, gcs: GcsEmulator
) -> None:
    upload = initiate(api, GOOGLE_AUTH, URL)
    for order in (2, 1):
        segment(api, GOOGLE_AUTH, upload, order, b"part" * 100, URL)
    assert len(left_in(gcs)) == 3  # two parts and upload.json
    aborted = api.delete(
        URL, headers={**GOOGLE_AUTH, "X-Deltacloud-SegmentedBlob": upload}
    )
    assert aborted.status_code == 204, aborted.get_data(as_text=True)
    assert left_in(gcs) == []
    again = put_segment(api, GOOGLE_AUTH, upload, 3, b"late", URL)
    assert again.status_code == 404
    assert "was completed or aborted" in again.get_json()["message"]
    assert left_in(gcs) == []
    assert complete(api, GOOGLE_AUTH, upload, "1=1", URL).status_code == 404
    assert api.get(URL, headers=GOOGLE_AUTH).status_code == 404


def test_a_replaced_part_is_named_by_its_new_id(
    api: FlaskClient, gcs: GcsEmulator
) -> None:
    upload = initiate(api, GOOGLE_AUTH, URL)
    old = segment(api, GOOGLE_AUTH, upload, 1, b"old", URL)
    new = segment(api, GOOGLE_AUTH, upload, 1, b"new", URL)
    assert old != new
    stale = complete(api, GOOGLE_AUTH, upload, f"1={old}", URL)
    assert stale.status_code == 400
    assert f"Unknown segment '{old}' for order 1" in stale.get_json()["message"]
    done = complete(api, GOOGLE_AUTH, upload, f"1={new}", URL)
    assert done.status_code == 200, done.get_data(as_text=True)
    assert api.get(f"{URL}/content", headers=GOOGLE_AUTH).get_data() == b"new"


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        ("", "needs a manifest"),
        ("1={id}, 1={id}", "order twice"),
        ("2={id}", "Unknown segment"),
    ],
)
def test_bad_manifests_are_400_and_keep_the_upload(
    api: FlaskClient, gcs: GcsEmulator, manifest: str, message: str
) -> None:
    upload = initiate(api, GOOGLE_AUTH, URL)
    part = segment(api, GOOGLE_AUTH, upload, 1, b"x", URL)
    refused = complete(api, GOOGLE_AUTH, upload, manifest.format(id=part), URL)
    assert refused.status_code == 400, refused.get_data(as_text=True)
    assert message in refused.get_json()["message"]
    done = complete(api, GOOGLE_AUTH, upload, f"1={part}", URL)
    assert done.status_code == 200, done.get_data(as_text=True)


@pytest.mark.parametrize("upload", ["0" * 32, "not-an-upload", "../../etc"])
def test_unknown_uploads_are_404(api: FlaskClient, upload: str) -> None:
    assert put_segment(api, GOOGLE_AUTH, upload, 1, b"x", URL).status_code == 404
    aborted = api.delete(
        URL, headers={**GOOGLE_AUTH, "X-Deltacloud-SegmentedBlob": upload}
    )
    assert aborted.status_code == 404


def test_an_upload_belongs_to_its_blob(api: FlaskClient) -> None:
    upload = initiate(api, GOOGLE_AUTH, URL)
    other = put_segment(api, GOOGLE_AUTH, upload, 1, b"x", "/api/buckets/parts/other")
    assert other.status_code == 404


def test_segment_orders_outside_the_range_are_400(api: FlaskClient) -> None:
    upload = initiate(api, GOOGLE_AUTH, URL)
    for order in (0, 10001):
        refused = put_segment(api, GOOGLE_AUTH, upload, order, b"x", URL)
        assert refused.status_code == 400, refused.get_data(as_text=True)


def test_an_upload_into_a_missing_bucket_is_404(api: FlaskClient) -> None:
    started = api.put(
        "/api/buckets/no-such-bucket/x",
        headers={**GOOGLE_AUTH, "X-Deltacloud-BlobType": "segmented"},
    )
    assert started.status_code == 404, started.get_data(as_text=True)
