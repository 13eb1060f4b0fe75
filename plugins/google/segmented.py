"""Segmented blobs on Cloud Storage: parts uploaded as objects, joined with ``compose``.

Why ``compose`` and not one resumable upload session: a session takes its
bytes in order, in chunks of a multiple of 256 KiB, from one writer at a
time, while deltaflask's segments arrive in any order, from any worker, and
have any size. So each segment is an object of its own, streamed in as a
resumable upload like any blob, under ``.deltaflask-uploads/<upload id>/``
next to ``upload.json``, which records the blob's name, content type and
metadata. A segment's id is the generation Cloud Storage gave its object;
uploading the same order again makes a new generation, and the manifest names
the one it wants. There is no minimum size: every segment, the last one and
the ones before it, may hold any number of bytes, even one.

Completing composes the named parts in the manifest's order. A compose takes
at most 32 sources, so more parts are first composed 32 at a time into
intermediate objects (and those again, as a tree) before the final compose
makes the blob; every source is pinned to its generation. Completing and
aborting then delete the upload's folder: the parts, the intermediates and
``upload.json`` (a completed blob stays complete if that clean-up fails: it
is logged).
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from typing import Any
from typing import BinaryIO

from deltaflask.drivers import BlobCreate
from deltaflask.drivers.storage_ops import check_segment_order
from deltaflask.drivers.storage_ops import manifest_in_order
from deltaflask.errors import DeltaflaskError
from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ValidationFailure
from deltaflask.models import Blob
from deltaflask.plugins.google.base import UPLOADS
from deltaflask.plugins.google.base import GoogleBase
from deltaflask.plugins.google.base import check_bucket_name
from deltaflask.plugins.google.blobs import DEFAULT_TYPE
from deltaflask.plugins.google.blobs import check_blob_name
from deltaflask.plugins.google.blobs import lower_keys
from deltaflask.plugins.google.blobs import to_blob
from deltaflask.plugins.google.errors import gcs_errors
from deltaflask.plugins.google.streams import ChunkReader

log = logging.getLogger(__name__)
MAX_SEGMENTS = 10000
#: sources one compose request takes (Cloud Storage's limit)
MAX_COMPOSE = 32
UPLOAD_ID = re.compile(r"^[0-9a-f]{32}$")
PART = "part-"


class GoogleSegmented(GoogleBase):
    """Segmented blob operations of the google driver (mixed into ``GoogleDriver``)."""

    def init_segmented_blob(self, request: BlobCreate) -> str:
        """Record a new upload in ``upload.json``; return its id."""
        check_bucket_name(request.bucket_id)
        check_blob_name(request.blob_id)
        upload_id = secrets.token_hex(16)
        record = {
            "blob": request.blob_id,
            "content_type": request.content_type or "",
            "metadata": lower_keys(request.metadata),
        }
        marker = self._marker(request.bucket_id, upload_id)
        with gcs_errors():
            marker.upload_from_string(
                json.dumps(record), content_type="application/json", **self.call_options
            )
        return upload_id

    def _marker(self, bucket_id: str, upload_id: str) -> Any:
        """The ``upload.json`` object of an upload."""
        return self.bucket_handle(bucket_id).blob(f"{_folder(upload_id)}upload.json")

    def _upload(self, bucket_id: str, blob_id: str, upload_id: str) -> dict[str, Any]:
        """What ``upload.json`` records (404 when the upload is not in progress)."""
        record: dict[str, Any] | None = None
        if UPLOAD_ID.match(upload_id or ""):
            check_bucket_name(bucket_id)
            marker = self._marker(bucket_id, upload_id)
            try:
                with gcs_errors():
                    record = json.loads(marker.download_as_bytes(**self.call_options))
            except ObjectNotFound:
                record = None
        if not isinstance(record, dict) or record.get("blob") != blob_id:
            raise ObjectNotFound(
                f"Segmented blob upload '{upload_id[:128]}' not found for "
                f"'{bucket_id}/{blob_id}': it was never started, or was completed "
                "or aborted"
            )
        return record

    def upload_blob_segment(
        self, bucket_id: str, blob_id: str, upload_id: str, order: int, body: BinaryIO
    ) -> str:
        """Stream ``body`` into the part object of ``order``; return its generation."""
        check_segment_order(order, MAX_SEGMENTS)
        self._upload(bucket_id, blob_id, upload_id)
        part = self.bucket_handle(bucket_id).blob(
            f"{_folder(upload_id)}{PART}{order:05d}", chunk_size=self.chunk_size
        )
        with gcs_errors():
            part.upload_from_file(
                ChunkReader(body),
                content_type=DEFAULT_TYPE,
                timeout=self.call_options["timeout"],
                retry=None,  # a request body cannot be sent twice
            )
        try:  # an abort that ran meanwhile must not leave this part behind
            self._upload(bucket_id, blob_id, upload_id)
        except ObjectNotFound:
            self._delete_folder(bucket_id, upload_id)
            raise
        return str(part.generation)

    def complete_segmented_blob(
        self,
        bucket_id: str,
        blob_id: str,
        upload_id: str,
        manifest: list[tuple[int, str]],
    ) -> Blob:
        """Compose the parts the manifest names, in order, into the blob."""
        record = self._upload(bucket_id, blob_id, upload_id)
        chosen = manifest_in_order(manifest)
        parts = self._parts(bucket_id, upload_id)
        sources = []
        for order, segment_id in chosen:
            part = parts.get(order)
            if part is None or str(part.generation) != segment_id.strip():
                raise ValidationFailure(
                    f"Unknown segment '{segment_id[:64]}' for order {order} "
                    "in the manifest"
                )
            sources.append(part)
        bucket = self.bucket_handle(bucket_id)
        target = bucket.blob(blob_id)
        target.content_type = record.get("content_type") or DEFAULT_TYPE
        target.metadata = record.get("metadata") or {}
        with gcs_errors():
            sources = self._compose_down(bucket, upload_id, sources)
            target.compose(
                sources,
                if_source_generation_match=[source.generation for source in sources],
                **self.call_options,
            )
        try:
            self._delete_folder(bucket_id, upload_id)
        except DeltaflaskError as exc:  # the blob is made: report, don't fail
            log.warning(
                "Parts of upload %s in bucket %s were left behind: %s",
                upload_id,
                bucket_id,
                exc.message,
            )
        return to_blob(bucket_id, target)

    def _compose_down(
        self, bucket: Any, upload_id: str, sources: list[Any]
    ) -> list[Any]:
        """At most 32 objects holding the bytes of ``sources`` in order: groups
        of 32 composed into intermediates in the upload's folder, level by level."""
        level = 0
        while len(sources) > MAX_COMPOSE:
            level += 1
            joined = []
            for start in range(0, len(sources), MAX_COMPOSE):
                group = sources[start : start + MAX_COMPOSE]
                if len(group) == 1:
                    joined.append(group[0])
                    continue
                step = bucket.blob(f"{_folder(upload_id)}compose-{level}-{start:05d}")
                step.content_type = DEFAULT_TYPE
                step.compose(
                    group,
                    if_source_generation_match=[part.generation for part in group],
                    **self.call_options,
                )
                joined.append(step)
            sources = joined
        return sources

    def abort_segmented_blob(
        self, bucket_id: str, blob_id: str, upload_id: str
    ) -> None:
        """Abandon the upload: delete its parts and its record."""
        self._upload(bucket_id, blob_id, upload_id)
        self._delete_folder(bucket_id, upload_id)

    def _parts(self, bucket_id: str, upload_id: str) -> dict[int, Any]:
        """Order -> the part object (with its generation) of an upload."""
        prefix = _folder(upload_id) + PART
        with gcs_errors():
            bucket = self.bucket_handle(bucket_id)
            listed = list(bucket.list_blobs(prefix=prefix, **self.call_options))
        return {int(item.name[len(prefix) :]): item for item in listed}

    def _delete_folder(self, bucket_id: str, upload_id: str) -> None:
        """Delete every object of an upload (``upload.json`` last); one that is
        already gone is no error."""
        bucket = self.bucket_handle(bucket_id)
        with gcs_errors():
            listed = list(
                bucket.list_blobs(prefix=_folder(upload_id), **self.call_options)
            )
        listed.sort(key=lambda item: item.name.endswith("/upload.json"))
        for item in listed:
            try:
                with gcs_errors():
                    item.delete(**self.call_options)
            except ObjectNotFound:
                continue


def _folder(upload_id: str) -> str:
    return f"{UPLOADS}{upload_id}/"
