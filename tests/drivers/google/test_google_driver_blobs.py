"""Blobs of the google driver called directly, against gcp-storage-emulator:
a download is one stream handed over in pieces, and a reader that goes away
stops it; metadata updates replace the old names."""

from __future__ import annotations

import io
import threading
import time

import pytest

from deltaflask.drivers import BlobCreate
from deltaflask.drivers import Credentials
from deltaflask.plugins.google.driver import GoogleDriver
from tests.support.gcs_emulator import PROJECT
from tests.support.gcs_emulator import GcsEmulator
from tests.support.gcs_emulator import sdk_client

pytestmark = pytest.mark.xdist_group("gcs")

MIB = 1024 * 1024


@pytest.fixture
def driver(gcs: GcsEmulator) -> GoogleDriver:
    sdk_client(gcs).create_bucket("blobs")
    return GoogleDriver(Credentials(PROJECT, "any"), None, gcs.config())


def downloads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "gcs-download"]


def test_a_download_comes_in_bounded_pieces_in_order(driver: GoogleDriver) -> None:
    data = bytes(range(256)) * (20 * MIB // 256 + 7)
    driver.create_blob(BlobCreate("blobs", "big.bin"), io.BytesIO(data))
    pieces = list(driver.blob_data("blobs", "big.bin"))
    assert b"".join(pieces) == data
    assert max(len(piece) for piece in pieces) < 2 * MIB
    assert list(driver.blob_data("blobs", "big.bin"))  # again, from the start


def test_an_empty_blob_is_no_chunks(driver: GoogleDriver) -> None:
    driver.create_blob(BlobCreate("blobs", "empty"), io.BytesIO(b""))
    assert driver.blob("blobs", "empty").content_length == 0
    assert list(driver.blob_data("blobs", "empty")) == []


def test_closing_a_download_stops_its_thread(driver: GoogleDriver) -> None:
    driver.create_blob(BlobCreate("blobs", "big.bin"), io.BytesIO(b"z" * 40 * MIB))
    chunks = driver.blob_data("blobs", "big.bin")
    assert next(chunks)
    assert downloads()
    chunks.close()
    deadline = time.monotonic() + 10
    while downloads() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert downloads() == []


def test_a_metadata_update_replaces_every_name(driver: GoogleDriver) -> None:
    request = BlobCreate("blobs", "doc", "text/plain", {"Owner": "qa", "Stage": "1"})
    made = driver.create_blob(request, io.BytesIO(b"text"))
    assert made.user_metadata == {"owner": "qa", "stage": "1"}
    kept = driver.update_blob_metadata("blobs", "doc", {"Stage": "2"})
    assert kept == {"stage": "2"}
    shown = driver.blob("blobs", "doc")
    assert (shown.user_metadata, shown.content_type) == ({"stage": "2"}, "text/plain")


def test_a_listed_bucket_whose_blobs_cannot_be_read_is_left_out(
    driver: GoogleDriver, gcs: GcsEmulator
) -> None:
    # the emulator takes a name Cloud Storage refuses, then 404s its objects:
    # what a bucket deleted between the two requests of a listing looks like
    sdk_client(gcs).create_bucket("gone bucket")
    assert [bucket.id for bucket in driver.buckets({})] == ["blobs"]
