"""Segmented blobs as Swift static large objects (SLO).

As the seed post "Segmenting Huge Blobs" describes for Swift: the segments
are uploaded as objects of their own, in any order, and a manifest naming
them makes the blob. Here they wait in the account's ``.deltaflask-segments``
container as ``<upload id>/<order>``, next to the upload's record
``<upload id>`` (a small JSON object: bucket, blob, content type and user
metadata). A segment streams to Swift chunked, whatever its size, and its id
is the ETag Swift computed (its MD5). Completing checks the manifest against
the stored segments, then puts the SLO manifest (path, ETag and size of each
segment, in order) as the blob with the recorded type and metadata, and
removes the record and any segment the manifest left out; the segments then
belong to the blob and go when it is deleted. Aborting removes the record and
every segment. A manifest may name at most 1000 segments (Swift's default
``max_manifest_segments``). An upload not completed within ``SEGMENT_MAX_AGE``
seconds of its start (a day by default) expires: its record and segments carry
that deadline as Swift's ``X-Delete-At``, which completing removes from the
segments the blob keeps (before the manifest is put, so a failure can leave
segments behind but never a blob whose segments will vanish).
"""

from __future__ import annotations

import json
import re
import secrets
import time
from typing import Any
from typing import BinaryIO

from deltaflask.drivers import BlobCreate
from deltaflask.drivers.storage_ops import check_segment_order
from deltaflask.drivers.storage_ops import manifest_in_order
from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ValidationFailure
from deltaflask.models import Blob
from deltaflask.plugins.openstack.object_storage import OpenStackObjectStorage
from deltaflask.plugins.openstack.swift_calls import DEFAULT_TYPE
from deltaflask.plugins.openstack.swift_calls import SEGMENTS
from deltaflask.plugins.openstack.swift_calls import container_path
from deltaflask.plugins.openstack.swift_calls import meta_headers
from deltaflask.plugins.openstack.swift_calls import object_path
from deltaflask.plugins.openstack.swift_calls import read_chunks

MAX_SEGMENTS = 1000
#: seconds an upload may take (setting ``SEGMENT_MAX_AGE``), as for the mock
SEGMENT_MAX_AGE = 24 * 3600.0
UPLOAD_ID = re.compile(r"^[0-9a-f]{32}$")


def _segment_name(upload_id: str, order: int) -> str:
    return f"{upload_id}/{order:04d}"


class OpenStackSegmented(OpenStackObjectStorage):
    """Segmented blob operations of the openstack driver."""

    def init_segmented_blob(self, request: BlobCreate) -> str:
        """Record a new upload in the segments container; return its id."""
        if self.head(container_path(request.bucket_id)) is None:
            raise ObjectNotFound(f"Bucket '{request.bucket_id}' not found")
        self.swift("PUT", container_path(SEGMENTS, segments=True))
        upload_id = secrets.token_hex(16)
        max_age = float(self.settings.get("SEGMENT_MAX_AGE", SEGMENT_MAX_AGE))
        record = {
            "bucket": request.bucket_id,
            "blob": request.blob_id,
            "content_type": request.content_type or DEFAULT_TYPE,
            "metadata": dict(request.metadata),
            "delete_at": str(int(time.time() + max_age) + 1),
        }
        self.swift(
            "PUT",
            object_path(SEGMENTS, upload_id, segments=True),
            headers={
                "Content-Type": "application/json",
                "X-Delete-At": record["delete_at"],
            },
            data=json.dumps(record).encode(),
        )
        return upload_id

    def _record(self, bucket_id: str, blob_id: str, upload_id: str) -> dict[str, Any]:
        """The upload's record (404 unless it is an upload of this blob)."""
        record: Any = None
        if UPLOAD_ID.match(upload_id or ""):
            try:
                answer = self.swift(
                    "GET", object_path(SEGMENTS, upload_id, segments=True)
                )
                record = answer.json()
            except (ObjectNotFound, ValueError):  # none, or not one of ours
                record = None
        names = (bucket_id, blob_id)
        if (
            not isinstance(record, dict)
            or (record.get("bucket"), record.get("blob")) != names
        ):
            raise ObjectNotFound(
                f"Segmented blob upload '{upload_id[:64]}' not found for "
                f"'{bucket_id}/{blob_id}': it was never started, or was completed "
                "or aborted"
            )
        return dict(record)

    def upload_blob_segment(
        self, bucket_id: str, blob_id: str, upload_id: str, order: int, body: BinaryIO
    ) -> str:
        """Stream ``body`` into segment ``order``; return Swift's ETag of it."""
        check_segment_order(order, MAX_SEGMENTS)
        record = self._record(bucket_id, blob_id, upload_id)
        answer = self.swift(
            "PUT",
            object_path(SEGMENTS, _segment_name(upload_id, order), segments=True),
            headers={"X-Delete-At": str(record.get("delete_at") or "")},
            data=read_chunks(body),
        )
        return str(answer.headers["Etag"]).strip('"')

    def _segments(self, upload_id: str) -> dict[int, tuple[str, int]]:
        """Order -> (ETag, size) of the segments stored for an upload."""
        found = {}
        prefix = f"{upload_id}/"
        for item in self.listing(
            container_path(SEGMENTS, segments=True), prefix=prefix
        ):
            order = item["name"][len(prefix) :]
            if order.isdigit():
                found[int(order)] = (item["hash"], item["bytes"])
        return found

    def complete_segmented_blob(
        self,
        bucket_id: str,
        blob_id: str,
        upload_id: str,
        manifest: list[tuple[int, str]],
    ) -> Blob:
        """Put the SLO manifest of the named segments, in order, as the blob."""
        chosen = manifest_in_order(manifest)
        record = self._record(bucket_id, blob_id, upload_id)
        stored = self._segments(upload_id)
        for order, segment_id in chosen:
            if stored.get(order, ("", 0))[0] != segment_id.strip('"'):
                raise ValidationFailure(
                    f"Unknown segment '{segment_id[:64]}' for order {order} "
                    "in the manifest"
                )
        slo = [
            {
                "path": f"/{SEGMENTS}/{_segment_name(upload_id, order)}",
                "etag": stored[order][0],
                "size_bytes": stored[order][1],
            }
            for order, _ in chosen
        ]
        for order, _ in chosen:  # the blob's segments must not expire
            self.swift(
                "POST",
                object_path(SEGMENTS, _segment_name(upload_id, order), segments=True),
                headers={"X-Remove-Delete-At": "1"},
            )
        self.swift(
            "PUT",
            object_path(bucket_id, blob_id),
            errors={404: f"Bucket '{bucket_id}' not found"},
            params={"multipart-manifest": "put"},
            headers={
                "Content-Type": record.get("content_type") or DEFAULT_TYPE,
                **meta_headers(record.get("metadata") or {}),
            },
            data=json.dumps(slo).encode(),
        )
        unused = [order for order in stored if order not in dict(chosen)]
        self._remove(upload_id, unused)
        return self.require_blob(bucket_id, blob_id)

    def abort_segmented_blob(
        self, bucket_id: str, blob_id: str, upload_id: str
    ) -> None:
        """Abandon an upload: remove its record, then every segment."""
        self._record(bucket_id, blob_id, upload_id)
        self._remove(upload_id, list(self._segments(upload_id)))

    def _remove(self, upload_id: str, orders: list[int]) -> None:
        """Delete the upload's record, then its segments ``orders`` (each
        already gone is fine)."""
        names = [upload_id, *(_segment_name(upload_id, order) for order in orders)]
        for name in names:
            try:
                self.swift("DELETE", object_path(SEGMENTS, name, segments=True))
            except ObjectNotFound:
                continue
