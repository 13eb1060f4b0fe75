"""Mock object storage: buckets and blobs (segmented uploads: ``segmented.py``).

The on-disk layout and how blobs are published atomically are described in
``blob_files.py``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from typing import BinaryIO

from deltaflask.drivers import BlobCreate
from deltaflask.drivers.base import as_list
from deltaflask.errors import Conflict
from deltaflask.errors import Forbidden
from deltaflask.files import private_dir
from deltaflask.models import Blob
from deltaflask.models import Bucket
from deltaflask.plugins.mock.blob_files import copy_stream
from deltaflask.plugins.mock.blob_files import lower_keys
from deltaflask.plugins.mock.blob_files import now
from deltaflask.plugins.mock.blob_files import to_blob
from deltaflask.plugins.mock.segmented import MockSegmentedUploads
from deltaflask.plugins.mock.store import check_id
from deltaflask.plugins.mock.store import natural_key
from deltaflask.plugins.mock.store import write_json


class MockBlobs(MockSegmentedUploads):
    """Bucket and blob operations of the mock driver (mixed into ``MockDriver``)."""

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
            private_dir(self._bucket_dir(name))
            entity = {"id": name, "name": name, "location": location, "created": now()}
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
        return None if data is None else to_blob(data)

    def blob_data(self, bucket_id: str, blob_id: str) -> Iterator[bytes]:
        """The blob's bytes in 1 MiB chunks (its first file is opened at once)."""
        self.user()
        return self._open_bytes(bucket_id, blob_id)

    def blob_file(self, bucket_id: str, blob_id: str) -> BinaryIO | None:
        """The open data file of a blob stored in one piece (``None`` for one
        stored as segments, which ``blob_data`` streams in turn)."""
        self.user()
        chunks = self._open_bytes(bucket_id, blob_id)
        handle = chunks.only_file()
        if handle is None:
            chunks.close()
        return handle

    def create_blob(self, request: BlobCreate, body: BinaryIO) -> Blob:
        """Stream ``body`` to a temporary file, then publish it atomically."""
        bucket_id, blob_id = request.bucket_id, request.blob_id
        content_type, metadata = request.content_type, request.metadata
        self.user()
        self._sweep()
        self._require_bucket(bucket_id)
        check_id(blob_id, "blob name")
        folder = self._bucket_dir(bucket_id)
        private_dir(folder)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        try:
            with os.fdopen(handle, "wb") as stream:
                length = copy_stream(body, stream)
            return self._publish(
                bucket_id,
                blob_id,
                Path(temporary),
                {
                    "content_length": length,
                    "content_type": content_type or "",
                    "user_metadata": lower_keys(metadata),
                },
            )
        finally:
            Path(temporary).unlink(missing_ok=True)

    def delete_blob(self, bucket_id: str, blob_id: str) -> None:
        """Delete a blob and its bytes."""
        self.user()
        with self.store.transaction():
            data = self._existing_blob(bucket_id, blob_id)
            self._blob_path(bucket_id, blob_id, ".json").unlink()
            self._blob_path(bucket_id, blob_id, ".data").unlink(missing_ok=True)
            self._drop_parts(bucket_id, data)

    def update_blob_metadata(
        self, bucket_id: str, blob_id: str, metadata: Mapping[str, str]
    ) -> dict[str, str]:
        """Replace the user metadata (names lower-cased, as the original mock)."""
        self.user()
        with self.store.transaction():
            data = self._existing_blob(bucket_id, blob_id)
            data["user_metadata"] = lower_keys(metadata)
            write_json(self._blob_path(bucket_id, blob_id, ".json"), data)
        return dict(data["user_metadata"])
