"""How the mock keeps blobs and segmented uploads in files (the default backend).

Layout under the store root::

    buckets/<bucket>.json               the bucket (an entity of the store)
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
Nothing lives in process memory, so the segments of one upload may reach
different worker processes, in any order and of any size. An upload nobody
has touched for ``SEGMENT_MAX_AGE`` seconds (default a day) is swept away, as
are temporary files nobody has written to for ``TMP_MAX_AGE`` (an hour): when
the mock plugin starts and on uploads, at most once a minute per process.

Nothing is fsynced: the mock is a test cloud and trades durability across a
power cut for speed (an fsync per blob would cost more than the transfer);
the renames still make every blob appear whole or not at all while the
machine runs.
"""

from __future__ import annotations

import json
import math
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from typing import BinaryIO

from deltaflask.errors import ObjectNotFound
from deltaflask.files import locked
from deltaflask.files import private_dir
from deltaflask.files import sweep
from deltaflask.plugins.mock.blob_store import SEGMENT_ID
from deltaflask.plugins.mock.blob_store import SEGMENT_MAX_AGE
from deltaflask.plugins.mock.blob_store import UPLOAD_ID
from deltaflask.plugins.mock.blob_store import BlobStore
from deltaflask.plugins.mock.blob_store import Entity
from deltaflask.plugins.mock.blob_store import blob_entity
from deltaflask.plugins.mock.blob_store import ended
from deltaflask.plugins.mock.blob_store import unknown_segment
from deltaflask.plugins.mock.store import MockStore
from deltaflask.plugins.mock.store import check_id
from deltaflask.plugins.mock.store import natural_key
from deltaflask.plugins.mock.store import write_json

#: Bytes per read when streaming a body to disk or a blob back to the client.
CHUNK = 1024 * 1024
PARTS_PREFIX = ".parts-"


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


class FileBlobStore(BlobStore):
    """Blobs and uploads in files under the root of ``store``."""

    def __init__(self, store: MockStore) -> None:
        self.store = store
        self.root = store.root

    # -- paths -------------------------------------------------------------------
    def _bucket_dir(self, bucket_id: str) -> Path:
        return self.root / "blobs" / check_id(bucket_id, "bucket name")

    def _blob_path(self, bucket_id: str, blob_id: str, suffix: str) -> Path:
        return self._bucket_dir(bucket_id) / f"{check_id(blob_id, 'blob name')}{suffix}"

    def _parts_folder(self, bucket_id: str, name: str) -> Path:
        """The folder of a blob stored as segments (its name checked first)."""
        if not name.startswith(PARTS_PREFIX):
            raise ValueError(f"bad segment folder name {name!r}")
        check_id(name.removeprefix(PARTS_PREFIX), "segment folder")
        return self._bucket_dir(bucket_id) / name

    def _upload_dir(self, upload_id: str) -> Path:
        if not UPLOAD_ID.match(upload_id):
            raise ValueError(f"bad upload id {upload_id!r}")
        return self.root / "segmented" / upload_id

    # -- blobs -------------------------------------------------------------------
    def blob_ids(self, bucket_id: str) -> list[str]:
        """The names of ``<bucket>/*.json``, in natural order."""
        try:
            names = [
                entry.name[:-5]
                for entry in os.scandir(self._bucket_dir(bucket_id))
                if entry.name.endswith(".json") and not entry.name.startswith(".")
            ]
        except FileNotFoundError:
            return []
        return sorted(names, key=natural_key)

    def load(self, bucket_id: str, blob_id: str) -> Entity | None:
        """The blob's JSON, or ``None``."""
        try:
            return read_json(self._blob_path(bucket_id, blob_id, ".json"))
        except FileNotFoundError:
            return None

    def write(
        self,
        bucket_id: str,
        blob_id: str,
        body: BinaryIO,
        attrs: Mapping[str, Any],
        check: Callable[[], None],
    ) -> Entity:
        """Stream ``body`` to a temporary file, then publish it atomically."""
        folder = self._bucket_dir(bucket_id)
        check_id(blob_id, "blob name")
        private_dir(folder)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        try:
            with os.fdopen(handle, "wb") as stream:
                length = copy_stream(body, stream)
            return self._publish(
                bucket_id,
                blob_id,
                Path(temporary),
                {**attrs, "content_length": length},
                check,
            )
        finally:
            Path(temporary).unlink(missing_ok=True)

    def _publish(
        self,
        bucket_id: str,
        blob_id: str,
        content: Path,
        attrs: Mapping[str, Any],
        check: Callable[[], None],
    ) -> Entity:
        """Make ``content`` the blob's bytes and ``attrs`` its attributes.

        ``content`` is a file, renamed to ``<blob>.data``; or, when ``attrs``
        names a ``parts_dir``, the folder of segment files renamed to it.
        """
        entity = blob_entity(bucket_id, blob_id, attrs)
        parts_dir = entity.get("parts_dir")
        with self.store.transaction():
            check()
            old = self.load(bucket_id, blob_id)
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
        return entity

    def _drop_parts(self, bucket_id: str, data: Entity) -> None:
        """Remove the segment folder of a blob stored as segments, if it is one."""
        if data.get("parts_dir"):
            folder = self._parts_folder(bucket_id, data["parts_dir"])
            shutil.rmtree(folder, ignore_errors=True)

    def open(self, bucket_id: str, blob_id: str) -> FileChunks:
        """The blob's bytes, its first file opened now (404 when it has none)."""
        data = self.load(bucket_id, blob_id)
        if data is None:
            raise ObjectNotFound(f"Blob '{blob_id}' not found in bucket '{bucket_id}'")
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

    def save(self, bucket_id: str, entity: Entity) -> None:
        """Rewrite the blob's JSON."""
        write_json(self._blob_path(bucket_id, entity["id"], ".json"), entity)

    def delete(self, bucket_id: str, blob_id: str) -> None:
        """Remove the blob's JSON and its bytes."""
        data = self.load(bucket_id, blob_id) or {}
        self._blob_path(bucket_id, blob_id, ".json").unlink(missing_ok=True)
        self._blob_path(bucket_id, blob_id, ".data").unlink(missing_ok=True)
        self._drop_parts(bucket_id, data)

    def make_bucket(self, bucket_id: str) -> None:
        """Make the bucket's folder (0700)."""
        private_dir(self._bucket_dir(bucket_id))

    def drop_bucket(self, bucket_id: str) -> None:
        """Remove the bucket's folder."""
        shutil.rmtree(self._bucket_dir(bucket_id), ignore_errors=True)

    # -- segmented uploads -------------------------------------------------------
    def begin_upload(self, record: Entity) -> None:
        """Make ``segmented/<id>/`` and its ``upload.json``."""
        folder = self._upload_dir(record["id"])
        private_dir(folder.parent)
        folder.mkdir(mode=0o700)
        write_json(folder / "upload.json", record)

    def upload(self, upload_id: str) -> Entity | None:
        """The upload's ``upload.json``, or ``None``."""
        try:
            return read_json(self._upload_dir(upload_id) / "upload.json")
        except FileNotFoundError:
            return None

    def write_segment(self, upload_id: str, order: int, body: BinaryIO) -> str:
        """Stream one segment (any size) to its own file; return its id."""
        folder = self._upload_dir(upload_id)
        segment_id = secrets.token_hex(8)
        try:
            handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        except FileNotFoundError as exc:
            raise ObjectNotFound(ended(upload_id)) from exc
        try:
            with os.fdopen(handle, "wb") as stream:
                copy_stream(body, stream)
            os.replace(temporary, folder / f"{order}.{segment_id}.part")
        except FileNotFoundError as exc:
            raise ObjectNotFound(ended(upload_id)) from exc
        finally:
            Path(temporary).unlink(missing_ok=True)
        return segment_id

    def complete(
        self,
        upload: Entity,
        chosen: list[tuple[int, str]],
        check: Callable[[], None],
    ) -> Entity:
        """Make the chosen segment files, in order, the blob's bytes (no copy:
        the upload's folder is renamed into the bucket)."""
        upload_id, bucket_id = upload["id"], upload["bucket"]
        folder = self._upload_dir(upload_id)
        with self.store.transaction():
            parts = _chosen_parts(folder, chosen)
            check()
            for entry in os.scandir(folder):
                if entry.name not in parts:
                    os.unlink(entry.path)
            try:
                return self._publish(
                    bucket_id,
                    upload["blob"],
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
                    check,
                )
            except FileNotFoundError as exc:
                raise ObjectNotFound(ended(upload_id)) from exc

    def abort(self, upload_id: str) -> None:
        """Remove the upload's folder."""
        shutil.rmtree(self._upload_dir(upload_id), ignore_errors=True)

    def sweep(self, settings: Mapping[str, Any]) -> None:
        """Sweep the store's folder (see :func:`sweep_stale`)."""
        sweep_stale(self.root, settings)


def _chosen_parts(folder: Path, chosen: list[tuple[int, str]]) -> list[str]:
    """The segment file names of ``chosen`` (400 for one not written)."""
    parts = []
    for order, segment_id in chosen:
        name = f"{order}.{segment_id}.part"
        if not SEGMENT_ID.match(segment_id) or not (folder / name).is_file():
            raise unknown_segment(order, segment_id)
        parts.append(name)
    return parts


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
