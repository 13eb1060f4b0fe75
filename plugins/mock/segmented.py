"""Segmented (multi-part) blob uploads of the mock: initiate, segments, complete, abort.

An upload is a folder ``segmented/<upload id>/`` holding ``upload.json`` and
one file per segment. Nothing lives in process memory, so the segments of one
upload may reach different worker processes, in any order and of any size.
Completing renames the folder into the bucket (see ``blob_files``): the
segments become the blob's bytes without being copied again. An upload nobody
has touched for ``SEGMENT_MAX_AGE`` seconds (default a day) is swept away, as
are temporary files nobody has written to for ``TMP_MAX_AGE`` (an hour): when
the mock plugin starts and on uploads, at most once a minute per process.
"""

from __future__ import annotations

import math
import os
import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from typing import BinaryIO

from deltaflask.drivers import BlobCreate
from deltaflask.drivers.storage_ops import manifest_in_order
from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ValidationFailure
from deltaflask.files import locked
from deltaflask.files import private_dir
from deltaflask.files import sweep
from deltaflask.models import Blob
from deltaflask.plugins.mock.blob_files import PARTS_PREFIX
from deltaflask.plugins.mock.blob_files import BlobFiles
from deltaflask.plugins.mock.blob_files import copy_stream
from deltaflask.plugins.mock.blob_files import lower_keys
from deltaflask.plugins.mock.blob_files import now
from deltaflask.plugins.mock.blob_files import read_json
from deltaflask.plugins.mock.store import check_id
from deltaflask.plugins.mock.store import write_json

MAX_SEGMENTS = 10000
_ENDED = "Segmented blob upload '{}' was completed or aborted"
UPLOAD_ID = re.compile(r"^[0-9a-f]{32}$")
SEGMENT_ID = re.compile(r"^[0-9a-f]{16}$")
#: seconds an unfinished upload may stay untouched (setting ``SEGMENT_MAX_AGE``)
SEGMENT_MAX_AGE = 24 * 3600.0


def sweep_stale(root: Path, settings: Mapping[str, Any]) -> None:
    """Sweep the mock store ``root`` unless this process did within a minute:
    stale temporary files, then uploads untouched for ``SEGMENT_MAX_AGE``."""
    if sweep(root, settings):
        sweep_uploads(root, float(settings.get("SEGMENT_MAX_AGE", SEGMENT_MAX_AGE)))


def sweep_uploads(root: Path, max_age: float) -> int:
    """Remove the uploads under ``root`` whose folder and files nobody has
    changed for ``max_age`` seconds; return how many."""
    cutoff = time.time() - max_age
    try:
        names = os.listdir(root / "segmented")
    except FileNotFoundError:
        return 0
    removed = 0
    for name in filter(UPLOAD_ID.match, names):
        folder = root / "segmented" / name
        with locked(root):  # completing renames the folder under this lock
            if _last_change(folder) < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
    return removed


def _last_change(folder: Path) -> float:
    """When ``folder`` or a file in it last changed (infinity while one is
    being renamed or the folder is gone: nothing to sweep then)."""
    try:
        return max(
            [folder.stat().st_mtime]
            + [entry.stat().st_mtime for entry in os.scandir(folder)]
        )
    except FileNotFoundError:
        return math.inf


class MockSegmentedUploads(BlobFiles):
    """Segmented-upload operations of the mock driver (a base of ``MockBlobs``)."""

    def _sweep(self) -> None:
        """Sweep what killed or abandoned uploads left (see :func:`sweep_stale`)."""
        sweep_stale(self.store.root, self.settings)

    def _upload_dir(self, upload_id: str) -> Path:
        if not UPLOAD_ID.match(upload_id or ""):
            raise ObjectNotFound(f"Segmented blob upload '{upload_id}' not found")
        return self.store.root / "segmented" / upload_id

    def init_segmented_blob(self, request: BlobCreate) -> str:
        """Record a new upload on disk; return its id."""
        bucket_id, blob_id = request.bucket_id, request.blob_id
        content_type, metadata = request.content_type, request.metadata
        self.user()
        self._sweep()
        self._require_bucket(bucket_id)
        check_id(blob_id, "blob name")
        upload_id = secrets.token_hex(16)
        folder = self._upload_dir(upload_id)
        private_dir(folder.parent)
        folder.mkdir(mode=0o700)
        write_json(
            folder / "upload.json",
            {
                "id": upload_id,
                "bucket": bucket_id,
                "blob": blob_id,
                "content_type": content_type or "",
                "user_metadata": lower_keys(metadata),
                "started": now(),
            },
        )
        return upload_id

    def _upload(self, bucket_id: str, blob_id: str, upload_id: str) -> dict[str, Any]:
        try:
            data = read_json(self._upload_dir(upload_id) / "upload.json")
        except FileNotFoundError:
            data = None
        if data is None or (data.get("bucket"), data.get("blob")) != (
            bucket_id,
            blob_id,
        ):
            raise ObjectNotFound(
                f"Segmented blob upload '{upload_id}' not found for "
                f"'{bucket_id}/{blob_id}'"
            )
        return data

    def upload_blob_segment(
        self, bucket_id: str, blob_id: str, upload_id: str, order: int, body: BinaryIO
    ) -> str:
        """Stream one segment (any size) to its own file; return its id."""
        self.user()
        self._sweep()
        if not 1 <= order <= MAX_SEGMENTS:
            raise ValidationFailure(
                f"Segment order must be between 1 and {MAX_SEGMENTS}"
            )
        self._upload(bucket_id, blob_id, upload_id)
        folder = self._upload_dir(upload_id)
        segment_id = secrets.token_hex(8)
        try:
            handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        except FileNotFoundError as exc:
            raise ObjectNotFound(_ENDED.format(upload_id)) from exc
        try:
            with os.fdopen(handle, "wb") as stream:
                copy_stream(body, stream)
            os.replace(temporary, folder / f"{order}.{segment_id}.part")
        except FileNotFoundError as exc:
            raise ObjectNotFound(_ENDED.format(upload_id)) from exc
        finally:
            Path(temporary).unlink(missing_ok=True)
        return segment_id

    def complete_segmented_blob(
        self,
        bucket_id: str,
        blob_id: str,
        upload_id: str,
        manifest: list[tuple[int, str]],
    ) -> Blob:
        """Make the named segments, in order, the blob's bytes (no copy)."""
        self.user()
        upload = self._upload(bucket_id, blob_id, upload_id)
        folder = self._upload_dir(upload_id)
        with self.store.transaction():
            parts = _manifest_parts(folder, manifest)
            self._require_bucket(bucket_id)
            for entry in os.scandir(folder):
                if entry.name not in parts:
                    os.unlink(entry.path)
            try:
                return self._publish(
                    bucket_id,
                    blob_id,
                    folder,
                    {
                        "content_length": sum(
                            (folder / name).stat().st_size for name in parts
                        ),
                        "content_type": upload.get("content_type") or "",
                        "user_metadata": upload.get("user_metadata") or {},
                        "parts_dir": f"{PARTS_PREFIX}{upload_id}",
                        "parts": parts,
                    },
                )
            except FileNotFoundError as exc:
                raise ObjectNotFound(_ENDED.format(upload_id)) from exc

    def abort_segmented_blob(
        self, bucket_id: str, blob_id: str, upload_id: str
    ) -> None:
        """Abandon an upload and remove every part written so far."""
        self.user()
        self._upload(bucket_id, blob_id, upload_id)
        shutil.rmtree(self._upload_dir(upload_id), ignore_errors=True)


def _manifest_parts(folder: Path, manifest: list[tuple[int, str]]) -> list[str]:
    """The segment file names ``manifest`` names, in order (400 when wrong)."""
    chosen = manifest_in_order(manifest)
    parts = []
    for order, segment_id in chosen:
        name = f"{order}.{segment_id}.part"
        if not SEGMENT_ID.match(segment_id) or not (folder / name).is_file():
            raise ValidationFailure(
                f"Unknown segment '{segment_id}' for order {order} in the manifest"
            )
        parts.append(name)
    return parts
