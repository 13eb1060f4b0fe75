"""Segmented (multi-part) blob uploads of the mock: initiate, segments, complete, abort.

The mixin checks each request; the blob store (files or database, see
``blob_store``) keeps the upload and its segments where every worker process
(and, with a database, every node) finds them, so the segments of one upload
may arrive anywhere, in any order and of any size. Completing makes the
chosen segments the blob's bytes without copying them again.
"""

from __future__ import annotations

import secrets
from typing import Any
from typing import BinaryIO

from deltaflask.drivers import BlobCreate
from deltaflask.drivers.storage_ops import check_segment_order
from deltaflask.drivers.storage_ops import manifest_in_order
from deltaflask.errors import ObjectNotFound
from deltaflask.models import Blob
from deltaflask.plugins.mock.base import MockBase
from deltaflask.plugins.mock.blob_store import UPLOAD_ID
from deltaflask.plugins.mock.blob_store import lower_keys
from deltaflask.plugins.mock.blob_store import now
from deltaflask.plugins.mock.blob_store import to_blob
from deltaflask.plugins.mock.store import check_id

MAX_SEGMENTS = 10000


class MockSegmentedUploads(MockBase):
    """Segmented-upload operations of the mock driver (a base of ``MockBlobs``)."""

    def _require_bucket(self, bucket_id: str) -> None:
        check_id(bucket_id, "bucket name")
        if not self.store.exists("buckets", bucket_id):
            raise ObjectNotFound(f"Bucket '{bucket_id}' not found")

    def init_segmented_blob(self, request: BlobCreate) -> str:
        """Record a new upload; return its id."""
        bucket_id, blob_id = request.bucket_id, request.blob_id
        self.user()
        self.blobs.sweep(self.settings)
        self._require_bucket(bucket_id)
        check_id(blob_id, "blob name")
        upload_id = secrets.token_hex(16)
        self.blobs.begin_upload(
            {
                "id": upload_id,
                "bucket": bucket_id,
                "blob": blob_id,
                "content_type": request.content_type or "",
                "user_metadata": lower_keys(request.metadata),
                "started": now(),
            }
        )
        return upload_id

    def _upload(self, bucket_id: str, blob_id: str, upload_id: str) -> dict[str, Any]:
        data = (
            self.blobs.upload(upload_id) if UPLOAD_ID.match(upload_id or "") else None
        )
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
        """Stream one segment (any size) in; return its id."""
        self.user()
        self.blobs.sweep(self.settings)
        check_segment_order(order, MAX_SEGMENTS)
        self._upload(bucket_id, blob_id, upload_id)
        return self.blobs.write_segment(upload_id, order, body)

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
        chosen = manifest_in_order(manifest)
        entity = self.blobs.complete(
            upload, chosen, lambda: self._require_bucket(bucket_id)
        )
        return to_blob(entity)

    def abort_segmented_blob(
        self, bucket_id: str, blob_id: str, upload_id: str
    ) -> None:
        """Abandon an upload and remove every part written so far."""
        self.user()
        self._upload(bucket_id, blob_id, upload_id)
        self.blobs.abort(upload_id)
