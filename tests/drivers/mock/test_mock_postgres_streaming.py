"""A 256 MiB blob streamed through a live deltaflask (gunicorn, the README's
production configuration) into the mock kept in PostgreSQL and back: the bytes
arrive intact, every chunk row is 1 MiB, and the worker's memory stays flat
(a few chunks at most) whatever the blob's size, both ways."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from tests.support.auth import MOCK_AUTH
from tests.support.ec2_driver_storage import Pattern
from tests.support.ec2_driver_storage import digest
from tests.support.gunicorn_server import PRODUCTION
from tests.support.gunicorn_server import gunicorn
from tests.support.streaming import MIB
from tests.support.streaming import get
from tests.support.streaming import put
from tests.support.streaming import worker_peak

pytestmark = pytest.mark.xdist_group("postgres")

#: what the worker may grow by between a 64 MiB and a 256 MiB blob: were the
#: blob held in memory, it would grow by 192 MiB
FLAT = 24 * MIB


def test_a_256_mib_blob_streams_both_ways_in_flat_memory(
    tmp_path: Path, database_url: str
) -> None:
    env = {
        "DELTAFLASK_DATA": str(tmp_path / "data"),
        "DELTACLOUD_MOCK_STORAGE": str(tmp_path / "mock"),
        "DELTAFLASK_DATABASE_URL": database_url,
    }
    with gunicorn(tmp_path, env, *PRODUCTION, "--timeout", "600", workers=1) as live:
        url = "/api/buckets/bucket1/"
        small, big = 64 * MIB, 256 * MIB
        assert put(live, f"{url}warm.img", small, MOCK_AUTH)["content_length"] == small
        expected = (small, digest(Pattern(small)))
        assert get(live, f"{url}warm.img/content", MOCK_AUTH) == expected
        warm = worker_peak(live)

        blob = put(live, f"{url}disk.img", big, MOCK_AUTH)
        assert (blob["content_length"], blob["content_type"]) == (
            big,
            "application/x-disk-image",
        )
        expected = (big, digest(Pattern(big)))
        assert get(live, f"{url}disk.img/content", MOCK_AUTH) == expected
        peak = worker_peak(live)
    with psycopg.connect(database_url) as connection:
        sizes = connection.execute(
            "SELECT count(*), min(octet_length(data)), max(octet_length(data))"
            " FROM deltaflask_chunks WHERE content = (SELECT contents[1]"
            " FROM deltaflask_blobs WHERE name = 'disk.img')"
        ).fetchone()
    assert sizes == (256, MIB, MIB)
    assert not (tmp_path / "mock").exists()
    assert peak - warm < FLAT, f"worker grew from {warm} to {peak} bytes"
    assert peak < 128 * MIB, f"worker peak {peak} bytes"
