"""How the mock keeps blob bytes on disk, shared by blobs and segmented uploads.

Layout under the store root::

    buckets/<bucket>.json               the bucket
    blobs/<bucket>/<blob>.json          a blob's attributes (its existence = the blob's)
    blobs/<bucket>/<blob>.data          the bytes of a blob stored in one piece
    blobs/<bucket>/.parts-<upload id>/  the segments of a blob uploaded in segments
                                        (its JSON names ``parts_dir`` and ``parts``)
    segmented/<upload id>/upload.json   an upload in progress
    segmented/<upload id>/<order>.<segment id>.part

Bytes are streamed into a hidden temporary file (or upload folder) and renamed
into place under the store lock, so a reader never sees a partial blob and an
interrupted upload leaves nothing visible. A completed segmented upload is
published by renaming its folder: its bytes are never copied a second time.

Nothing is fsynced: the mock is a test cloud and trades durability across a
power cut for speed (an fsync per blob would cost more than the transfer);
the renames still make every blob appear whole or not at all while the
machine runs.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from typing import BinaryIO

from deltaflask.errors import ObjectNotFound
from deltaflask.header_values import check_metadata
from deltaflask.models import Blob
from deltaflask.plugins.mock.base import MockBase
from deltaflask.plugins.mock.store import check_id
from deltaflask.plugins.mock.store import write_json

#: Bytes per read when streaming a body to disk or a blob back to the client.
CHUNK = 1024 * 1024
PARTS_PREFIX = ".parts-"


def now() -> str:
    """The current time as the mock shows it."""
    return time.strftime("%Y-%m-%d %H:%M:%S +0000", time.gmtime())


def lower_keys(metadata: Mapping[str, str]) -> dict[str, str]:
    """User metadata with lower-cased names, as the original mock stored it;
    metadata no response header could carry is refused (400), nothing stored."""
    check_metadata(metadata)
    return {k.lower(): v for k, v in metadata.items()}


def read_json(path: Path) -> dict[str, Any]:
    """A JSON object from ``path`` (``FileNotFoundError`` when missing)."""
    with open(path, encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def copy_stream(source: BinaryIO, target: BinaryIO) -> int:
    """Copy ``source`` to ``target`` in ``CHUNK`` pieces; return the byte count.

    A source with ``readinto`` (werkzeug's server) fills one buffer again and
    again, so nothing is allocated per piece; others (gunicorn's body, which
    hands over 1 MiB pieces) are read into new ``bytes`` each time.
    """
    length = 0
    readinto = getattr(source, "readinto", None)
    if readinto is None:
        while chunk := source.read(CHUNK):
            target.write(chunk)
            length += len(chunk)
        return length
    view = memoryview(bytearray(CHUNK))
    while count := readinto(view):
        target.write(view[:count])
        length += count
    return length


def to_blob(data: dict[str, Any]) -> Blob:
    """The model of a blob's stored attributes."""
    return Blob(
        id=data["id"],
        bucket=data["bucket"],
        content_length=int(data.get("content_length") or 0),
        content_type=data.get("content_type") or "",
        last_modified=data.get("last_modified"),
        user_metadata=dict(data.get("user_metadata") or {}),
    )


class BlobFiles(MockBase):
    """Paths, loading and atomic publication of blobs (a base of the mixins)."""

    def _bucket_dir(self, bucket_id: str) -> Path:
        return self.store.root / "blobs" / check_id(bucket_id, "bucket name")

    def _blob_path(self, bucket_id: str, blob_id: str, suffix: str) -> Path:
        return self._bucket_dir(bucket_id) / f"{check_id(blob_id, 'blob name')}{suffix}"

    def _require_bucket(self, bucket_id: str) -> None:
        check_id(bucket_id, "bucket name")
        if not self.store.exists("buckets", bucket_id):
            raise ObjectNotFound(f"Bucket '{bucket_id}' not found")

    def _load_blob(self, bucket_id: str, blob_id: str) -> dict[str, Any] | None:
        try:
            return read_json(self._blob_path(bucket_id, blob_id, ".json"))
        except FileNotFoundError:
            return None

    def _existing_blob(self, bucket_id: str, blob_id: str) -> dict[str, Any]:
        data = self._load_blob(bucket_id, blob_id)
        if data is None:
            raise ObjectNotFound(f"Blob '{blob_id}' not found in bucket '{bucket_id}'")
        return data

    def _publish(
        self, bucket_id: str, blob_id: str, content: Path, attrs: dict[str, Any]
    ) -> Blob:
        """Make ``content`` the blob's bytes and ``attrs`` its attributes.

        ``content`` is a file, renamed to ``<blob>.data``; or, when ``attrs``
        names a ``parts_dir``, the folder of segment files renamed to it.
        """
        entity = {
            "id": blob_id,
            "name": blob_id,
            "bucket": bucket_id,
            "last_modified": now(),
            **attrs,
        }
        parts_dir = entity.get("parts_dir")
        with self.store.transaction():
            self._require_bucket(bucket_id)
            old = self._load_blob(bucket_id, blob_id)
            data_file = self._blob_path(bucket_id, blob_id, ".data")
            if parts_dir:
                content.rename(self._parts_folder(bucket_id, parts_dir))
            else:
                os.replace(content, data_file)
            write_json(self._blob_path(bucket_id, blob_id, ".json"), entity)
            if parts_dir:
                data_file.unlink(missing_ok=True)
            if old and old.get("parts_dir") != parts_dir:
                self._drop_parts(bucket_id, old)
        return to_blob(entity)

    def _parts_folder(self, bucket_id: str, name: str) -> Path:
        """The folder of a blob stored as segments (its name checked first)."""
        if not name.startswith(PARTS_PREFIX):
            raise ValueError(f"bad segment folder name {name!r}")
        check_id(name.removeprefix(PARTS_PREFIX), "segment folder")
        return self._bucket_dir(bucket_id) / name

    def _drop_parts(self, bucket_id: str, data: dict[str, Any]) -> None:
        """Remove the segment folder of a blob stored as segments, if it is one."""
        if data.get("parts_dir"):
            folder = self._parts_folder(bucket_id, data["parts_dir"])
            shutil.rmtree(folder, ignore_errors=True)

    def _open_bytes(self, bucket_id: str, blob_id: str) -> FileChunks:
        """The blob's bytes, its first file opened now (404 when it has none)."""
        data = self._existing_blob(bucket_id, blob_id)
        parts_dir = data.get("parts_dir")
        if parts_dir:
            folder = self._parts_folder(bucket_id, parts_dir)
            names = [check_id(name, "segment") for name in data.get("parts") or []]
        else:
            folder, names = self._bucket_dir(bucket_id), [f"{blob_id}.data"]
        try:
            return FileChunks(folder, names)
        except FileNotFoundError as exc:
            raise ObjectNotFound(f"Blob '{blob_id}' has no content") from exc


class FileChunks:
    """The bytes of files in ``CHUNK`` pieces, one file after the other.

    The first file is opened at once (so a missing blob fails before the
    answer starts); the others as they are reached. ``close()`` (which a WSGI
    server calls when the response ends) releases the open file.
    """

    def __init__(self, folder: Path, names: list[str]) -> None:
        self._folder = folder
        self._names = list(reversed(names))
        self._handle: BinaryIO | None = self._next_file()

    def _next_file(self) -> BinaryIO | None:
        return open(self._folder / self._names.pop(), "rb") if self._names else None

    def only_file(self) -> BinaryIO | None:
        """The open file, when the bytes are that one file (else ``None``)."""
        return None if self._names else self._handle

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        while self._handle is not None:
            chunk = self._handle.read(CHUNK)
            if chunk:
                return chunk
            self._handle.close()
            self._handle = self._next_file()
        raise StopIteration

    def close(self) -> None:
        """Release the open file."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        self._names.clear()
