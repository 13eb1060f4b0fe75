"""A 256 MiB blob streamed through a live deltaflask (gunicorn, the README's
production configuration) on the google driver to gcp-storage-emulator and
back: the bytes arrive intact, and the server's memory stays flat, holding a
few chunks at most, whatever the blob's size."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from tests.support.ec2_driver_storage import Pattern
from tests.support.ec2_driver_storage import digest
from tests.support.gcs_emulator import PROJECT
from tests.support.gcs_emulator import GcsEmulator
from tests.support.gcs_emulator import sdk_client
from tests.support.gunicorn_server import PRODUCTION
from tests.support.gunicorn_server import gunicorn
from tests.support.streaming import MIB
from tests.support.streaming import get
from tests.support.streaming import put
from tests.support.streaming import worker_peak

pytestmark = pytest.mark.xdist_group("gcs")

AUTH = "Basic " + base64.b64encode(f"{PROJECT}:any".encode()).decode()
#: what the worker may grow by between a 64 MiB and a 256 MiB blob: were the
#: blob held in memory, it would grow by 192 MiB
FLAT = 24 * MIB


def test_a_256_mib_blob_streams_both_ways_in_flat_memory(
    gcs: GcsEmulator, tmp_path: Path
) -> None:
    sdk_client(gcs).create_bucket("big-blobs")
    env = {
        "API_DRIVER": "google",
        "GOOGLE_ENDPOINT_URL": gcs.endpoint,
        "DELTAFLASK_DATA": str(tmp_path / "data"),
    }
    with gunicorn(tmp_path, env, *PRODUCTION, "--timeout", "600", workers=1) as live:
        url = "/api/buckets/big-blobs/"
        small, big = 64 * MIB, 256 * MIB
        assert put(live, f"{url}warm.img", small, AUTH)["content_length"] == small
        assert get(live, f"{url}warm.img/content", AUTH) == (
            small,
            digest(Pattern(small)),
        )
        warm = worker_peak(live)

        blob = put(live, f"{url}disk.img", big, AUTH)
        assert (blob["content_length"], blob["content_type"]) == (
            big,
            "application/x-disk-image",
        )
        assert get(live, f"{url}disk.img/content", AUTH) == (big, digest(Pattern(big)))
        peak = worker_peak(live)
    stored = sdk_client(gcs).bucket("big-blobs").get_blob("disk.img")
    assert stored.size == big
    assert peak - warm < FLAT, f"worker grew from {warm} to {peak} bytes"
    assert peak < 128 * MIB, f"worker peak {peak} bytes"
