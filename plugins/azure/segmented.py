"""Segmented blobs as Put Block / Put Block List (the seed's "Microsoft Azure").

Azure has no upload object: uncommitted blocks simply wait on the blob's
name until a Put Block List commits some of them (and drops the rest). So:

* **initiate** stages a one-byte *marker* block for a new upload and answers
  an upload id ``<upload>.<settings>``: 16 hex digits naming the upload's
  blocks (see ``blocks``), then the content type and metadata of the blob to
  be (base64url JSON), which Azure only takes when the list is committed;
* a **segment** is staged as one or more blocks (8 MiB at most each) under its
  order and a fresh segment id, which it answers;
* **complete** commits, in the manifest's order numbers, the blocks of each
  segment the manifest names, with the content type and metadata; every
  other uncommitted block of the blob (the marker too) is dropped;
* **abort** deletes the blob's uncommitted blocks when there is no committed
  blob of that name (so nothing is left), else turns the marker into a
  two-byte tombstone (the committed blob stays untouched and Azure drops
  the blocks within a week).

An upload is open while its one-byte marker is among the blob's uncommitted
blocks: a segment or manifest for any other upload id is a 404. Any segment
size works (Azure has no minimum; a segment must not be empty). Azure keeps
one set of uncommitted blocks per blob name: committing or replacing a blob
drops the blocks of every other upload to that name, whose next step then
answers 404.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
from typing import Any
from typing import BinaryIO

from deltaflask.drivers import BlobCreate
from deltaflask.drivers.storage_ops import check_segment_order
from deltaflask.drivers.storage_ops import manifest_in_order
from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ValidationFailure
from deltaflask.models import Blob
from deltaflask.plugins.azure.base import AzureBase
from deltaflask.plugins.azure.base import azure_metadata
from deltaflask.plugins.azure.base import to_blob
from deltaflask.plugins.azure.blobs import content_settings
from deltaflask.plugins.azure.blocks import BlockName
from deltaflask.plugins.azure.blocks import parse_block_id
from deltaflask.plugins.azure.blocks import stage_stream
from deltaflask.plugins.azure.errors import azure_errors

#: Azure commits at most 50,000 blocks into one blob
MAX_BLOCKS = 50000
MAX_SEGMENTS = 50000
OPEN, ABORTED = b"\x01", b"\x00\x00"
_UPLOAD_ID = re.compile(r"^([0-9a-f]{16})\.([A-Za-z0-9_-]*)$")


def _marker(upload: str) -> BlockName:
    return BlockName(upload, 0, "0" * 16, 0)


def _upload_id(upload: str, content_type: str | None, metadata: dict[str, str]) -> str:
    settings = json.dumps(
        {"type": content_type, "meta": metadata}, separators=(",", ":")
    )
    encoded = base64.urlsafe_b64encode(settings.encode("ascii")).decode("ascii")
    return f"{upload}.{encoded.rstrip('=')}"


def _not_found(upload_id: str, bucket_id: str, blob_id: str) -> ObjectNotFound:
    return ObjectNotFound(
        f"Segmented blob upload '{upload_id[:40]}' not found for "
        f"'{bucket_id}/{blob_id}': it was never started, or was completed or aborted"
    )


class _Upload:
    """An upload id taken apart: the upload's name and the blob's settings."""

    def __init__(self, upload_id: str, bucket_id: str, blob_id: str) -> None:
        found = _UPLOAD_ID.match(upload_id or "")
        settings: Any = None
        if found is not None:
            encoded = found.group(2) + "=" * (-len(found.group(2)) % 4)
            try:
                settings = json.loads(base64.urlsafe_b64decode(encoded))
            except (ValueError, RecursionError):
                settings = None
        if found is None or not _well_formed(settings):
            raise _not_found(upload_id, bucket_id, blob_id)
        self.name = found.group(1)
        self.content_type: str | None = settings["type"]
        self.metadata: dict[str, str] = settings["meta"]


def _well_formed(settings: Any) -> bool:
    """Whether an upload id's settings are what ``_upload_id`` wrote."""
    return (
        isinstance(settings, dict)
        and isinstance(settings.get("type"), str | None)
        and isinstance(settings.get("meta"), dict)
        and all(isinstance(v, str) for v in settings["meta"].values())
    )


class AzureSegmented(AzureBase):
    """Segmented blob operations of the azure driver (mixed into ``AzureDriver``)."""

    def init_segmented_blob(self, request: BlobCreate) -> str:
        """Stage the marker of a new upload; return the upload id."""
        metadata = azure_metadata(request.metadata)
        self.require_container(request.bucket_id)
        upload = secrets.token_hex(8)
        blob = self.blob_client(request.bucket_id, request.blob_id)
        with azure_errors():
            blob.stage_block(_marker(upload).block_id, OPEN, length=len(OPEN))
        return _upload_id(upload, request.content_type, metadata)

    def upload_blob_segment(
        self, bucket_id: str, blob_id: str, upload_id: str, order: int, body: BinaryIO
    ) -> str:
        """Stage ``body`` as the blocks of segment ``order``; return its id."""
        check_segment_order(order, MAX_SEGMENTS)
        upload = _Upload(upload_id, bucket_id, blob_id)
        self._uncommitted(bucket_id, blob_id, upload, upload_id)
        segment = secrets.token_hex(8)
        blob = self.blob_client(bucket_id, blob_id)
        if not stage_stream(blob, upload.name, order, segment, body):
            raise ValidationFailure("A segment must hold at least one byte")
        return segment

    def complete_segmented_blob(
        self,
        bucket_id: str,
        blob_id: str,
        upload_id: str,
        manifest: list[tuple[int, str]],
    ) -> Blob:
        """Commit the blocks of the named segments, by order, as the blob."""
        ordered = manifest_in_order(manifest)
        upload = _Upload(upload_id, bucket_id, blob_id)
        blocks = self._uncommitted(bucket_id, blob_id, upload, upload_id)
        chosen: list[str] = []
        for order, segment in ordered:
            parts = sorted(
                name
                for name in blocks
                if (name.order, name.segment) == (order, segment.strip())
            )
            if not parts:
                raise ValidationFailure(
                    f"Unknown segment '{segment[:64]}' for order {order} "
                    "in the manifest"
                )
            chosen += [name.block_id for name in parts]
        if len(chosen) > MAX_BLOCKS:
            raise ValidationFailure(
                f"Azure joins at most {MAX_BLOCKS} blocks into one blob: "
                "upload fewer, larger segments"
            )
        blob = self.blob_client(bucket_id, blob_id)
        with azure_errors():
            blob.commit_block_list(
                chosen,
                content_settings=content_settings(upload.content_type),
                metadata=azure_metadata(upload.metadata),
            )
        return to_blob(bucket_id, blob_id, self.require_properties(bucket_id, blob_id))

    def abort_segmented_blob(
        self, bucket_id: str, blob_id: str, upload_id: str
    ) -> None:
        """End the upload; no blob is committed by it."""
        upload = _Upload(upload_id, bucket_id, blob_id)
        self._uncommitted(bucket_id, blob_id, upload, upload_id)
        blob = self.blob_client(bucket_id, blob_id)
        with azure_errors():
            if self.properties(bucket_id, blob_id) is None:
                blob.delete_blob()
            else:
                marker = _marker(upload.name).block_id
                blob.stage_block(marker, ABORTED, length=len(ABORTED))

    def _uncommitted(
        self, bucket_id: str, blob_id: str, upload: _Upload, upload_id: str
    ) -> set[BlockName]:
        """The blocks of ``upload`` waiting on the blob (404 unless it is open)."""
        try:
            with azure_errors():
                _, waiting = self.blob_client(bucket_id, blob_id).get_block_list(
                    "uncommitted"
                )
        except ObjectNotFound:
            raise _not_found(upload_id, bucket_id, blob_id) from None
        mine: dict[BlockName, Any] = {}
        for block in waiting:
            name = parse_block_id(str(block.id))
            if name is not None and name.upload == upload.name:
                mine[name] = block.size
        if mine.get(_marker(upload.name)) != len(OPEN):
            raise _not_found(upload_id, bucket_id, blob_id)
        return set(mine)
