"""Mock object storage: buckets, blobs and segmented (multi-part) uploads.

Layout under the store root::

    buckets/<bucket>.json               the bucket
    blobs/<bucket>/<blob>.json          a blob's attributes (its existence = the blob's)
    blobs/<bucket>/<blob>.data          its bytes
    segmented/<upload id>/upload.json   an upload in progress
    segmented/<upload id>/<order>.<segment id>.part

Bytes are streamed into a hidden temporary file beside the target and renamed
into place under the store lock, so a reader never sees a partial blob and an
interrupted upload leaves nothing visible. Uploads keep no state in memory, so
the segments of one upload may reach different worker processes.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterator
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from typing import BinaryIO

from deltaflask.drivers.base import as_list
from deltaflask.errors import Conflict
from deltaflask.errors import Forbidden
from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ValidationFailure
from deltaflask.models import Blob
from deltaflask.models import Bucket
from deltaflask.plugins.mock.store import MockStore
from deltaflask.plugins.mock.store import check_id
from deltaflask.plugins.mock.store import natural_key

CHUNK = 1024 * 1024
READ_CHUNK = 64 * 1024
MAX_SEGMENTS = 10000
_ENDED = "Segmented blob upload '{}' was completed or aborted"
UPLOAD_ID = re.compile(r"^[0-9a-f]{32}$")
SEGMENT_ID = re.compile(r"^[0-9a-f]{16}$")


def _now() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S +0000", time.gmtime())


def _lower(metadata: Mapping[str, str]) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in metadata.items()}


class MockBlobs:
    """Bucket and blob operations of the mock driver (mixed into ``MockDriver``)."""

    store: MockStore

    def user(self) -> str:
        """The authenticated user (raises 401 otherwise)."""
        raise NotImplementedError

    # paths ---------------------------------------------------------------------
    def _bucket_dir(self, bucket_id: str) -> Path:
        return self.store.root / "blobs" / check_id(bucket_id, "bucket name")

    def _blob_path(self, bucket_id: str, blob_id: str, suffix: str) -> Path:
        return self._bucket_dir(bucket_id) / f"{check_id(blob_id, 'blob name')}{suffix}"

    def _upload_dir(self, upload_id: str) -> Path:
        if not UPLOAD_ID.match(upload_id or ""):
            raise ObjectNotFound(f"Segmented blob upload '{upload_id}' not found")
        return self.store.root / "segmented" / upload_id

    def _write_json(self, path: Path, entity: dict[str, Any]) -> None:
        payload = json.dumps(entity, indent=1, sort_keys=True).encode("utf-8")
        self.store.write_bytes_atomic(path, payload)

    def _require_bucket(self, bucket_id: str) -> None:
        check_id(bucket_id, "bucket name")
        if not self.store.exists("buckets", bucket_id):
            raise ObjectNotFound(f"Bucket '{bucket_id}' not found")

    def _blob_ids(self, bucket_id: str) -> list[str]:
        try:
            names = [
                entry.name[:-5]
                for entry in os.scandir(self._bucket_dir(bucket_id))
                if entry.name.endswith(".json") and not entry.name.startswith(".")
            ]
        except FileNotFoundError:
            return []
        return sorted(names, key=natural_key)

    # buckets -------------------------------------------------------------------
    def buckets(self, filters: Mapping[str, Any]) -> list[Bucket]:
        """Buckets filtered by id, each with its blob ids."""
        self.user()
        ids = as_list(filters["id"]) if filters.get("id") else self.store.ids("buckets")
        found = []
        for bucket_id in ids:
            check_id(bucket_id, "bucket name")
            data = self.store.load("buckets", bucket_id)
            if data is not None:
                blob_ids = self._blob_ids(bucket_id)
                found.append(
                    Bucket(
                        id=bucket_id,
                        name=data.get("name") or bucket_id,
                        size=len(blob_ids),
                        blob_ids=blob_ids,
                        location=data.get("location"),
                    )
                )
        return found

    def create_bucket(self, name: str, location: str | None = None) -> Bucket:
        """An empty bucket named ``name``."""
        self.user()
        check_id(name, "bucket name")
        with self.store.transaction():
            if self.store.exists("buckets", name):
                raise Conflict(f"Bucket '{name}' already exists")
            self._bucket_dir(name).mkdir(parents=True, exist_ok=True)
            entity = {"id": name, "name": name, "location": location, "created": _now()}
            self.store.save("buckets", entity)
        return Bucket(id=name, name=name, location=location)

    def delete_bucket(self, bucket_id: str) -> None:
        """Delete an empty bucket (403 while it holds blobs)."""
        self.user()
        with self.store.transaction():
            self._require_bucket(bucket_id)
            if self._blob_ids(bucket_id):
                raise Forbidden("Delete operation not valid for non-empty bucket")
            self.store.delete("buckets", bucket_id)
            shutil.rmtree(self._bucket_dir(bucket_id), ignore_errors=True)

    # blobs ---------------------------------------------------------------------
    def blob(self, bucket_id: str, blob_id: str) -> Blob | None:
        """A blob's attributes, or ``None``."""
        self.user()
        data = self._load_blob(bucket_id, blob_id)
        return None if data is None else _to_blob(data)

    def _load_blob(self, bucket_id: str, blob_id: str) -> dict[str, Any] | None:
        path = self._blob_path(bucket_id, blob_id, ".json")
        try:
            return _read_json(path)
        except FileNotFoundError:
            return None

    def blob_data(self, bucket_id: str, blob_id: str) -> Iterator[bytes]:
        """The blob's bytes in 64 KiB chunks (the file is opened at once)."""
        self.user()
        if self._load_blob(bucket_id, blob_id) is None:
            raise ObjectNotFound(f"Blob '{blob_id}' not found in bucket '{bucket_id}'")
        try:
            descriptor = os.open(
                self._blob_path(bucket_id, blob_id, ".data"), os.O_RDONLY
            )
        except FileNotFoundError as exc:
            raise ObjectNotFound(f"Blob '{blob_id}' has no content") from exc
        return _FileChunks(descriptor)

    def create_blob(
        self,
        bucket_id: str,
        blob_id: str,
        body: BinaryIO,
        content_type: str | None,
        metadata: Mapping[str, str],
    ) -> Blob:
        """Stream ``body`` to a temporary file, then publish it atomically."""
        self.user()
        self._require_bucket(bucket_id)
        check_id(blob_id, "blob name")
        folder = self._bucket_dir(bucket_id)
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        try:
            with os.fdopen(handle, "wb") as stream:
                length = _copy(body, stream)
            return self._publish(
                bucket_id,
                blob_id,
                Path(temporary),
                {
                    "content_length": length,
                    "content_type": content_type or "",
                    "user_metadata": _lower(metadata),
                },
            )
        finally:
            Path(temporary).unlink(missing_ok=True)

    def _publish(
        self, bucket_id: str, blob_id: str, data_file: Path, attrs: dict[str, Any]
    ) -> Blob:
        entity = {
            "id": blob_id,
            "name": blob_id,
            "bucket": bucket_id,
            "last_modified": _now(),
            **attrs,
        }
        with self.store.transaction():
            self._require_bucket(bucket_id)
            os.replace(data_file, self._blob_path(bucket_id, blob_id, ".data"))
            self._write_json(self._blob_path(bucket_id, blob_id, ".json"), entity)
        return _to_blob(entity)

    def delete_blob(self, bucket_id: str, blob_id: str) -> None:
        """Delete a blob and its bytes."""
        self.user()
        with self.store.transaction():
            if self._load_blob(bucket_id, blob_id) is None:
                raise ObjectNotFound(
                    f"Blob '{blob_id}' not found in bucket '{bucket_id}'"
                )
            self._blob_path(bucket_id, blob_id, ".json").unlink()
            self._blob_path(bucket_id, blob_id, ".data").unlink(missing_ok=True)

    def update_blob_metadata(
        self, bucket_id: str, blob_id: str, metadata: Mapping[str, str]
    ) -> dict[str, str]:
        """Replace the user metadata (names lower-cased, as the original mock)."""
        self.user()
        with self.store.transaction():
            data = self._load_blob(bucket_id, blob_id)
            if data is None:
                raise ObjectNotFound(
                    f"Blob '{blob_id}' not found in bucket '{bucket_id}'"
                )
            data["user_metadata"] = _lower(metadata)
            self._write_json(self._blob_path(bucket_id, blob_id, ".json"), data)
        return dict(data["user_metadata"])

    # segmented blobs -------------------------------------------------------------
    def init_segmented_blob(
        self,
        bucket_id: str,
        blob_id: str,
        content_type: str | None,
        metadata: Mapping[str, str],
    ) -> str:
        """Record a new upload on disk; return its id."""
        self.user()
        self._require_bucket(bucket_id)
        check_id(blob_id, "blob name")
        upload_id = secrets.token_hex(16)
        folder = self._upload_dir(upload_id)
        folder.mkdir(parents=True, mode=0o700)
        self._write_json(
            folder / "upload.json",
            {
                "id": upload_id,
                "bucket": bucket_id,
                "blob": blob_id,
                "content_type": content_type or "",
                "user_metadata": _lower(metadata),
                "started": _now(),
            },
        )
        return upload_id

    def _upload(self, bucket_id: str, blob_id: str, upload_id: str) -> dict[str, Any]:
        folder = self._upload_dir(upload_id)
        try:
            data = _read_json(folder / "upload.json")
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
                _copy(body, stream)
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
        """Join the named segments, in order, into the blob; remove the parts."""
        self.user()
        upload = self._upload(bucket_id, blob_id, upload_id)
        folder = self._upload_dir(upload_id)
        parts = self._manifest_parts(folder, manifest)
        self._require_bucket(bucket_id)
        target_dir = self._bucket_dir(bucket_id)
        target_dir.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target_dir, prefix=".tmp-")
        try:
            length = 0
            with os.fdopen(handle, "wb") as stream:
                for part in parts:
                    with open(part, "rb") as source:
                        length += _append(source, stream)
            blob = self._publish(
                bucket_id,
                blob_id,
                Path(temporary),
                {
                    "content_length": length,
                    "content_type": upload.get("content_type") or "",
                    "user_metadata": upload.get("user_metadata") or {},
                },
            )
        finally:
            Path(temporary).unlink(missing_ok=True)
        shutil.rmtree(folder, ignore_errors=True)
        return blob

    @staticmethod
    def _manifest_parts(folder: Path, manifest: list[tuple[int, str]]) -> list[Path]:
        if not manifest:
            raise ValidationFailure("The manifest names no segments")
        orders = [order for order, _ in manifest]
        if len(set(orders)) != len(orders):
            raise ValidationFailure("The manifest names a segment order twice")
        parts = []
        for order, segment_id in sorted(manifest):
            part = folder / f"{order}.{segment_id}.part"
            if not SEGMENT_ID.match(segment_id) or not part.is_file():
                raise ValidationFailure(
                    f"Unknown segment '{segment_id}' for order {order} in the manifest"
                )
            parts.append(part)
        return parts

    def abort_segmented_blob(
        self, bucket_id: str, blob_id: str, upload_id: str
    ) -> None:
        """Abandon an upload and remove every part written so far."""
        self.user()
        self._upload(bucket_id, blob_id, upload_id)
        shutil.rmtree(self._upload_dir(upload_id), ignore_errors=True)


def _read_json(path: Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def _append(source: BinaryIO, target: BinaryIO) -> int:
    """Copy a whole file into ``target`` in the kernel where it can."""
    length = 0
    try:
        while copied := os.copy_file_range(source.fileno(), target.fileno(), 1 << 30):
            length += copied
    except OSError:
        return length + _copy(source, target)
    return length


def _copy(source: BinaryIO, target: BinaryIO) -> int:
    length = 0
    while chunk := source.read(CHUNK):
        target.write(chunk)
        length += len(chunk)
    return length


class _FileChunks:
    """The bytes of an open file in chunks; closed at the end or by ``close()``."""

    def __init__(self, descriptor: int) -> None:
        self._handle = os.fdopen(descriptor, "rb")

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        chunk = self._handle.read(READ_CHUNK)
        if not chunk:
            self.close()
            raise StopIteration
        return chunk

    def close(self) -> None:
        """Release the file (a WSGI server calls this when the response ends)."""
        self._handle.close()


def _to_blob(data: dict[str, Any]) -> Blob:
    return Blob(
        id=data["id"],
        bucket=data["bucket"],
        content_length=int(data.get("content_length") or 0),
        content_type=data.get("content_type") or "",
        last_modified=data.get("last_modified"),
        user_metadata=dict(data.get("user_metadata") or {}),
    )
