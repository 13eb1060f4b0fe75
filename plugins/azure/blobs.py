"""Blobs: streamed upload and download, HEAD, user metadata.

An upload under 8 MiB is one Put Blob; a larger one is staged as 8 MiB
blocks while the request body is read, then committed with its content type
and metadata (Put Block List), so memory does not grow with the blob and an
upload cut short changes nothing (its blocks stay uncommitted until Azure
drops them). Content is read back in ranged 8 MiB requests. Every blob type
is listed, shown and readable: block, page and append blobs alike; an upload
onto a page or append blob's name is refused (409) unless it fits one Put
Blob, which replaces it. User metadata names are lower-cased C# identifiers
(Azure's rule; ``-`` is stored as ``_``); updating them keeps the content type.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from collections.abc import Mapping
from typing import Any
from typing import BinaryIO

from deltaflask.drivers import BlobCreate
from deltaflask.models import Blob
from deltaflask.plugins.azure.base import DEFAULT_TYPE
from deltaflask.plugins.azure.base import AzureBase
from deltaflask.plugins.azure.base import azure_metadata
from deltaflask.plugins.azure.base import to_blob
from deltaflask.plugins.azure.blocks import CHUNK
from deltaflask.plugins.azure.blocks import BlockName
from deltaflask.plugins.azure.blocks import read_chunk
from deltaflask.plugins.azure.blocks import stage
from deltaflask.plugins.azure.blocks import stage_stream
from deltaflask.plugins.azure.errors import azure_errors

WHOLE_BLOB = "0" * 16


def content_settings(content_type: str | None) -> Any:
    """The SDK's ``ContentSettings`` for a new blob."""
    from azure.storage.blob import ContentSettings

    return ContentSettings(content_type=content_type or DEFAULT_TYPE)


class AzureBlobs(AzureBase):
    """Blob operations of the azure driver (mixed into ``AzureDriver``)."""

    def blob(self, bucket_id: str, blob_id: str) -> Blob | None:
        """A blob's attributes and metadata, or ``None``."""
        found = self.properties(bucket_id, blob_id)
        return None if found is None else to_blob(bucket_id, blob_id, found)

    def blob_data(self, bucket_id: str, blob_id: str) -> Iterator[bytes]:
        """The blob's bytes in chunks of at most 4 MiB, fetched as they are sent."""
        with azure_errors():
            download = self.blob_client(bucket_id, blob_id).download_blob(
                max_concurrency=1
            )
        return _translated(download.chunks())

    def create_blob(self, request: BlobCreate, body: BinaryIO) -> Blob:
        """Store ``body`` as a block blob, one bounded chunk at a time."""
        metadata = azure_metadata(request.metadata)
        settings = content_settings(request.content_type)
        blob = self.blob_client(request.bucket_id, request.blob_id)
        first = read_chunk(body, CHUNK)
        if len(first) < CHUNK:
            with azure_errors():
                blob.upload_blob(
                    first,
                    length=len(first),
                    overwrite=True,
                    content_settings=settings,
                    metadata=metadata,
                )
        else:
            upload = secrets.token_hex(8)
            staged = [stage(blob, BlockName(upload, 1, WHOLE_BLOB, 1), first)]
            del first  # memory holds one chunk at a time
            staged += stage_stream(blob, upload, 1, WHOLE_BLOB, body, part=2)
            with azure_errors():
                blob.commit_block_list(
                    staged, content_settings=settings, metadata=metadata
                )
        properties = self.require_properties(request.bucket_id, request.blob_id)
        return to_blob(request.bucket_id, request.blob_id, properties)

    def delete_blob(self, bucket_id: str, blob_id: str) -> None:
        """Delete a blob and its snapshots (404 if there is no such blob)."""
        self.require_properties(bucket_id, blob_id)
        with azure_errors():
            self.blob_client(bucket_id, blob_id).delete_blob(delete_snapshots="include")

    def update_blob_metadata(
        self, bucket_id: str, blob_id: str, metadata: Mapping[str, str]
    ) -> dict[str, str]:
        """Replace the user metadata (the content type stays); return it."""
        wanted = azure_metadata(metadata)
        with azure_errors():
            self.blob_client(bucket_id, blob_id).set_blob_metadata(wanted)
        stored = self.require_properties(bucket_id, blob_id)
        return dict(stored.metadata or {})


def _translated(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """``chunks`` with the SDK's errors translated as they happen."""
    with azure_errors():
        yield from chunks
