"""Cloud Storage objects as blobs: streamed upload and download, user metadata.

An upload is a resumable upload session of unknown size: the SDK reads the
request body one chunk at a time (``GOOGLE_CHUNK_SIZE``, 8 MiB by default, a
multiple of 256 KiB) and sends each chunk as it is read, so memory does not
grow with the blob. Content is read back with one streamed download, pinned to
the generation the read started with, handed over in 1 MiB pieces. User metadata is the
object's custom ``metadata`` (names lower-cased); an update replaces it whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Mapping
from typing import Any
from typing import BinaryIO

from deltaflask.drivers import BlobCreate
from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ValidationFailure
from deltaflask.models import Blob
from deltaflask.plugins.google.base import UPLOADS
from deltaflask.plugins.google.base import GoogleBase
from deltaflask.plugins.google.base import check_bucket_name
from deltaflask.plugins.google.errors import gcs_errors
from deltaflask.plugins.google.streams import ChunkReader
from deltaflask.plugins.google.streams import DownloadChunks

DEFAULT_TYPE = "application/octet-stream"
MAX_NAME_BYTES = 1024


def lower_keys(metadata: Mapping[str, str]) -> dict[str, str]:
    """User metadata with lower-case names, as every driver shows it (a name
    whose value is null is not set: a PATCH removes names that way)."""
    return {
        str(key).lower(): str(value)
        for key, value in metadata.items()
        if value is not None
    }


def check_blob_name(name: str) -> None:
    """Refuse an object name Cloud Storage (or this driver) would refuse (400)."""
    if (
        not name
        or name in (".", "..")
        or len(name.encode()) > MAX_NAME_BYTES
        or "\r" in name
        or "\n" in name
    ):
        raise ValidationFailure(
            f"Invalid blob name '{name[:80]}': Cloud Storage wants 1 to 1024 "
            "bytes of UTF-8 without line breaks, and not '.' or '..'"
        )
    if name.startswith(UPLOADS):
        raise ValidationFailure(
            f"Blob names under '{UPLOADS}' are kept for segmented uploads"
        )


def to_blob(bucket_id: str, blob: Any) -> Blob:
    """A blob from the SDK's ``Blob`` with its properties loaded."""
    updated = blob.updated
    return Blob(
        id=blob.name,
        bucket=bucket_id,
        content_length=int(blob.size or 0),
        content_type=blob.content_type or DEFAULT_TYPE,
        last_modified=updated.isoformat() if updated else None,
        user_metadata=lower_keys(blob.metadata or {}),
    )


class GoogleBlobs(GoogleBase):
    """Object operations of the google driver (mixed into ``GoogleDriver``)."""

    def _get(self, bucket_id: str, blob_id: str) -> Any | None:
        """The SDK's blob with its properties, or ``None`` if there is none."""
        if blob_id.startswith(UPLOADS):
            return None
        check_bucket_name(bucket_id)
        check_blob_name(blob_id)
        try:
            with gcs_errors():
                return self.bucket_handle(bucket_id).get_blob(
                    blob_id, **self.call_options
                )
        except ObjectNotFound:  # the bucket is missing
            return None

    def _require(self, bucket_id: str, blob_id: str) -> Any:
        found = self._get(bucket_id, blob_id)
        if found is None:
            raise ObjectNotFound(f"Blob '{blob_id}' not found in bucket '{bucket_id}'")
        return found

    def blob(self, bucket_id: str, blob_id: str) -> Blob | None:
        """A blob's attributes and metadata, or ``None``."""
        found = self._get(bucket_id, blob_id)
        return None if found is None else to_blob(bucket_id, found)

    def blob_data(self, bucket_id: str, blob_id: str) -> Iterator[bytes]:
        """The blob's bytes from one streamed download of the generation just
        looked up, handed over in 1 MiB pieces as they arrive."""
        found = self._require(bucket_id, blob_id)
        options = self.call_options

        def download(writer: Any) -> None:
            found.download_to_file(
                writer, if_generation_match=found.generation, **options
            )

        return DownloadChunks(download, gcs_errors)

    def create_blob(self, request: BlobCreate, body: BinaryIO) -> Blob:
        """Stream ``body`` into the object, one bounded chunk at a time."""
        check_bucket_name(request.bucket_id)
        check_blob_name(request.blob_id)
        blob = self.bucket_handle(request.bucket_id).blob(
            request.blob_id, chunk_size=self.chunk_size
        )
        blob.metadata = lower_keys(request.metadata)
        with gcs_errors():
            blob.upload_from_file(
                ChunkReader(body),
                content_type=request.content_type or DEFAULT_TYPE,
                timeout=self.call_options["timeout"],
                retry=None,  # a request body cannot be sent twice
            )
        return to_blob(request.bucket_id, blob)

    def delete_blob(self, bucket_id: str, blob_id: str) -> None:
        """Delete a blob (404 if it does not exist)."""
        found = self._require(bucket_id, blob_id)
        with gcs_errors():
            found.delete(**self.call_options)

    def update_blob_metadata(
        self, bucket_id: str, blob_id: str, metadata: Mapping[str, str]
    ) -> dict[str, str]:
        """Replace the user metadata (the old names are removed); return it."""
        found = self._require(bucket_id, blob_id)
        wanted = lower_keys(metadata)
        # a PATCH merges metadata: names to drop are sent as null
        dropped: dict[str, Any] = {key: None for key in found.metadata or {}}
        found.metadata = {**dropped, **wanted}
        with gcs_errors():
            found.patch(**self.call_options)
        return lower_keys(found.metadata or {})
