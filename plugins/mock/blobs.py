"""Mock object storage: buckets and blobs (segmented uploads: ``segmented.py``).

Buckets are entities of the mock's store; blobs live in its blob store (files
or database rows: see ``blob_store``), which streams their bytes both ways
and publishes each atomically.
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Mapping
from typing import Any
from typing import BinaryIO

from deltaflask.drivers import BlobCreate
from deltaflask.drivers.base import as_list
from deltaflask.errors import Conflict
from deltaflask.errors import Forbidden
from deltaflask.errors import ObjectNotFound
from deltaflask.models import Blob
from deltaflask.models import Bucket
from deltaflask.plugins.mock.blob_store import lower_keys
from deltaflask.plugins.mock.blob_store import now
from deltaflask.plugins.mock.blob_store import to_blob
from deltaflask.plugins.mock.segmented import MockSegmentedUploads
from deltaflask.plugins.mock.store import check_id


class MockBlobs(MockSegmentedUploads):
    """Bucket and blob operations of the mock driver (mixed into ``MockDriver``)."""

    def _existing_blob(self, bucket_id: str, blob_id: str) -> dict[str, Any]:
        data = self.blobs.load(bucket_id, blob_id)
        if data is None:
            raise ObjectNotFound(f"Blob '{blob_id}' not found in bucket '{bucket_id}'")
        return data

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
                blob_ids = self.blobs.blob_ids(bucket_id)
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
            self.blobs.make_bucket(name)
            entity = {"id": name, "name": name, "location": location, "created": now()}
            self.store.save("buckets", entity)
        return Bucket(id=name, name=name, location=location)

    def delete_bucket(self, bucket_id: str) -> None:
        """Delete an empty bucket (403 while it holds blobs)."""
        self.user()
        with self.store.transaction():
            self._require_bucket(bucket_id)
            if self.blobs.blob_ids(bucket_id):
                raise Forbidden("Delete operation not valid for non-empty bucket")
            self.store.delete("buckets", bucket_id)
            self.blobs.drop_bucket(bucket_id)

    # blobs ---------------------------------------------------------------------
    def blob(self, bucket_id: str, blob_id: str) -> Blob | None:
        """A blob's attributes, or ``None``."""
        self.user()
        data = self.blobs.load(bucket_id, blob_id)
        return None if data is None else to_blob(data)

    def blob_data(self, bucket_id: str, blob_id: str) -> Iterator[bytes]:
        """The blob's bytes in 1 MiB chunks (opened at once: 404 before the
        answer starts)."""
        self.user()
        return self.blobs.open(bucket_id, blob_id)

    def blob_file(self, bucket_id: str, blob_id: str) -> BinaryIO | None:
        """The open data file of a blob stored in one file (``None`` for one
        stored otherwise, which ``blob_data`` streams in turn)."""
        self.user()
        chunks = self.blobs.open(bucket_id, blob_id)
        handle = chunks.only_file()
        if handle is None:
            chunks.close()
        return handle

    def create_blob(self, request: BlobCreate, body: BinaryIO) -> Blob:
        """Stream ``body`` into the blob store, then publish it atomically."""
        bucket_id, blob_id = request.bucket_id, request.blob_id
        self.user()
        self.blobs.sweep(self.settings)
        self._require_bucket(bucket_id)
        check_id(blob_id, "blob name")
        attrs = {
            "content_type": request.content_type or "",
            "user_metadata": lower_keys(request.metadata),
        }
        entity = self.blobs.write(
            bucket_id, blob_id, body, attrs, lambda: self._require_bucket(bucket_id)
        )
        return to_blob(entity)

    def delete_blob(self, bucket_id: str, blob_id: str) -> None:
        """Delete a blob and its bytes."""
        self.user()
        with self.store.transaction():
            self._existing_blob(bucket_id, blob_id)
            self.blobs.delete(bucket_id, blob_id)

    def update_blob_metadata(
        self, bucket_id: str, blob_id: str, metadata: Mapping[str, str]
    ) -> dict[str, str]:
        """Replace the user metadata (names lower-cased, as the original mock)."""
        self.user()
        with self.store.transaction():
            data = self._existing_blob(bucket_id, blob_id)
            data["user_metadata"] = lower_keys(metadata)
            self.blobs.save(bucket_id, data)
        return dict(data["user_metadata"])
