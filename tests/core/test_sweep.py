"""What killed workers and abandoned uploads leave behind is swept: temporary
files nobody has written to for ``TMP_MAX_AGE`` seconds and segmented uploads
untouched for ``SEGMENT_MAX_AGE``, when the app starts and on uploads (at most
once per ``SWEEP_INTERVAL`` per process); work in progress is kept."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from flask.testing import FlaskClient

from deltaflask import create_app
from deltaflask.files import sweep
from tests.support.auth import MOCK_AUTH
from tests.support.blobs import URL
from tests.support.blobs import complete
from tests.support.blobs import initiate
from tests.support.blobs import segment

AUTH = {"Authorization": MOCK_AUTH}
HOUR = 3600


def _age(path: Path, seconds: float) -> None:
    """Make ``path`` (and, for a folder, its files) look ``seconds`` old."""
    when = time.time() - seconds
    for entry in [*path.iterdir()] if path.is_dir() else []:
        os.utime(entry, (when, when))
    os.utime(path, (when, when))


def _leftovers(client: FlaskClient, storage: Path) -> tuple[dict[str, Path], str]:
    """Temporary files and uploads, stale and fresh, in the mock store; and
    the fresh upload's manifest so far."""
    fresh_upload = initiate(client, AUTH)
    manifest = f"1={segment(client, AUTH, fresh_upload, 1, b'kept')}"
    stale_upload = initiate(client, AUTH)
    segment(client, AUTH, stale_upload, 1, b"abandoned")
    bucket = storage / "blobs" / "bucket1"
    paths = {
        "stale tmp": bucket / ".tmp-killed",
        "fresh tmp": bucket / ".tmp-writing",
        "stale tmp in an upload": storage / "segmented" / fresh_upload / ".tmp-old",
        "stale upload": storage / "segmented" / stale_upload,
        "fresh upload": storage / "segmented" / fresh_upload,
    }
    for name in ("stale tmp", "fresh tmp", "stale tmp in an upload"):
        paths[name].write_bytes(b"x" * 1000)
    _age(paths["stale tmp"], 2 * HOUR)
    _age(paths["stale tmp in an upload"], 2 * HOUR)
    _age(paths["stale upload"], 25 * HOUR)
    os.utime(paths["fresh upload"])  # the .tmp-old written into it just now
    return paths, manifest


def _swept_as_expected(paths: dict[str, Path]) -> None:
    assert not paths["stale tmp"].exists()
    assert not paths["stale tmp in an upload"].exists()
    assert not paths["stale upload"].exists()
    assert paths["fresh tmp"].exists()
    assert paths["fresh upload"].is_dir()


def test_swept_when_the_app_starts(tmp_path: Path) -> None:
    """A new server process (here: ``create_app`` in a fresh interpreter)
    sweeps with the default ages: an hour for temporary files, a day for
    uploads."""
    storage = tmp_path / "mock"
    client = create_app({"TESTING": True, "MOCK_STORAGE": str(storage)}).test_client()
    paths, manifest = _leftovers(client, storage)
    started = subprocess.run(
        [sys.executable, "-c", "from deltaflask import create_app; create_app()"],
        env={**os.environ, "DELTACLOUD_MOCK_STORAGE": str(storage)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert started.returncode == 0, started.stderr
    _swept_as_expected(paths)
    upload = paths["fresh upload"].name
    manifest += f", 2={segment(client, AUTH, upload, 2, b'!')}"
    assert complete(client, AUTH, upload, manifest).status_code == 200
    assert client.get(f"{URL}/content", headers=AUTH).get_data() == b"kept!"


def test_swept_on_uploads_with_configured_ages(tmp_path: Path) -> None:
    storage = tmp_path / "mock"
    config = {
        "TESTING": True,
        "MOCK_STORAGE": str(storage),
        "SWEEP_INTERVAL": 0,
        "TMP_MAX_AGE": 60,
        "SEGMENT_MAX_AGE": 120,
    }
    client = create_app(config).test_client()
    paths, _ = _leftovers(client, storage)
    _age(paths["fresh tmp"], 30)
    _age(paths["stale upload"], 130)
    response = client.put("/api/buckets/bucket1/new", data=b"1", headers=AUTH)
    assert response.status_code == 200
    _swept_as_expected(paths)


def test_cimi_temporaries_swept(tmp_path: Path) -> None:
    storage = tmp_path / "mock"
    config = {
        "TESTING": True,
        "MOCK_STORAGE": str(storage),
        "FRONTENDS": ["cimi"],
        "SWEEP_INTERVAL": 0,
    }
    client = create_app(config).test_client()
    assert client.get("/cimi/systems", headers=AUTH).status_code == 200
    # the first write gives the user's scope its own copy of the seed
    assert client.delete("/cimi/systems/system1", headers=AUTH).status_code == 200
    (pristine, scope) = sorted((storage / ".cimi").iterdir())
    assert pristine.name.startswith(".seed-")
    stale, fresh = scope / "systems" / ".tmp-stale", scope / "systems" / ".tmp-fresh"
    stale.write_bytes(b"{")
    fresh.write_bytes(b"{")
    _age(stale, 2 * HOUR)
    assert client.get("/cimi/systems", headers=AUTH).status_code == 200
    assert not stale.exists()
    assert fresh.exists()


def test_a_process_sweeps_a_folder_at_most_once_per_interval(tmp_path: Path) -> None:
    stale = tmp_path / ".tmp-stale"
    settings = {"SWEEP_INTERVAL": 60}
    assert sweep(tmp_path, settings)
    stale.write_bytes(b"x")
    _age(stale, 2 * HOUR)
    assert not sweep(tmp_path, settings)
    assert stale.exists()
    assert sweep(tmp_path, {"SWEEP_INTERVAL": 0})
    assert not stale.exists()
