"""Where the mock keeps blobs (attributes and bytes) and segmented uploads.

Two backends, chosen with the entity store (see ``store``): files under the
mock's folder (``blob_files``) and rows of the PostgreSQL database
(``blob_rows``). Both stream bodies in and out in pieces of about 1 MiB, and
publish a blob (or complete an upload) atomically under the entity store's
lock: a reader sees the old blob or the new one, never part of one, and a
body cut off half-way leaves nothing behind. The driver's mixins (``blobs``,
``segmented``) check the request and call these.
"""

from __future__ import annotations

import re
import time
from abc import ABC
from abc import abstractmethod
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from typing import Any
from typing import BinaryIO
from typing import Protocol

from deltaflask.errors import ValidationFailure
from deltaflask.header_values import check_metadata
from deltaflask.models import Blob

#: a blob's or an upload's stored attributes
Entity = dict[str, Any]
_ENDED = "Segmented blob upload '{}' was completed or aborted"
UPLOAD_ID = re.compile(r"^[0-9a-f]{32}$")
SEGMENT_ID = re.compile(r"^[0-9a-f]{16}$")
#: seconds an unfinished upload may stay untouched (setting ``SEGMENT_MAX_AGE``)
SEGMENT_MAX_AGE = 24 * 3600.0


class BlobChunks(Protocol):
    """A blob's bytes in pieces; ``close()`` releases what reading holds."""

    def __iter__(self) -> Iterator[bytes]: ...

    def __next__(self) -> bytes: ...

    def close(self) -> None: ...

    def only_file(self) -> BinaryIO | None: ...


def now() -> str:
    """The current time as the mock shows it."""
    return time.strftime("%Y-%m-%d %H:%M:%S +0000", time.gmtime())


def lower_keys(metadata: Mapping[str, str]) -> dict[str, str]:
    """User metadata with lower-cased names, as the original mock stored it;
    metadata no response header could carry is refused (400), nothing stored."""
    check_metadata(metadata)
    return {k.lower(): v for k, v in metadata.items()}


def to_blob(data: Entity) -> Blob:
    """The model of a blob's stored attributes."""
    return Blob(
        id=data["id"],
        bucket=data["bucket"],
        content_length=int(data.get("content_length") or 0),
        content_type=data.get("content_type") or "",
        last_modified=data.get("last_modified"),
        user_metadata=dict(data.get("user_metadata") or {}),
    )


def blob_entity(bucket_id: str, blob_id: str, attrs: Mapping[str, Any]) -> Entity:
    """The stored attributes of a blob published now."""
    return {
        "id": blob_id,
        "name": blob_id,
        "bucket": bucket_id,
        "last_modified": now(),
        **attrs,
    }


def ended(upload_id: str) -> str:
    """The message of a segmented upload that is gone."""
    return _ENDED.format(upload_id)


def unknown_segment(order: int, segment_id: str) -> ValidationFailure:
    """The error of a manifest naming a segment nobody wrote (400)."""
    return ValidationFailure(
        f"Unknown segment '{segment_id}' for order {order} in the manifest"
    )


class BlobStore(ABC):
    """Blobs and segmented uploads of one mock cloud.

    ``check`` arguments run under the entity store's lock just before
    something is published (the driver checks the bucket is still there);
    an error they raise publishes nothing.
    """

    # -- blobs -------------------------------------------------------------------
    @abstractmethod
    def blob_ids(self, bucket_id: str) -> list[str]:
        """The names of a bucket's blobs, in natural order."""

    @abstractmethod
    def load(self, bucket_id: str, blob_id: str) -> Entity | None:
        """A blob's attributes, or ``None``."""

    @abstractmethod
    def write(
        self,
        bucket_id: str,
        blob_id: str,
        body: BinaryIO,
        attrs: Mapping[str, Any],
        check: Callable[[], None],
    ) -> Entity:
        """Stream ``body`` in, then publish it as the blob with ``attrs``
        (replacing any blob of that name); the blob's attributes."""

    @abstractmethod
    def open(self, bucket_id: str, blob_id: str) -> BlobChunks:
        """A blob's bytes, ready to stream (404 when the blob has none)."""

    @abstractmethod
    def save(self, bucket_id: str, entity: Entity) -> None:
        """Store a blob's changed attributes (inside a store transaction)."""

    @abstractmethod
    def delete(self, bucket_id: str, blob_id: str) -> None:
        """Remove a blob and its bytes (inside a store transaction)."""

    @abstractmethod
    def make_bucket(self, bucket_id: str) -> None:
        """Make room for a new bucket's blobs."""

    @abstractmethod
    def drop_bucket(self, bucket_id: str) -> None:
        """Remove what an emptied bucket's blobs left."""

    # -- segmented uploads -------------------------------------------------------
    @abstractmethod
    def begin_upload(self, record: Entity) -> None:
        """Record a new upload (``record`` names its ``id``, bucket, blob)."""

    @abstractmethod
    def upload(self, upload_id: str) -> Entity | None:
        """An upload's record, or ``None`` once completed or aborted."""

    @abstractmethod
    def write_segment(self, upload_id: str, order: int, body: BinaryIO) -> str:
        """Stream one segment in; its new id (404 once the upload ended)."""

    @abstractmethod
    def complete(
        self,
        upload: Entity,
        chosen: list[tuple[int, str]],
        check: Callable[[], None],
    ) -> Entity:
        """Publish the ``chosen`` segments, in order, as the upload's blob
        (the others are dropped); the blob's attributes. 400 when a segment
        is unknown, 404 when the upload ended."""

    @abstractmethod
    def abort(self, upload_id: str) -> None:
        """Drop an upload and every segment written so far."""

    @abstractmethod
    def sweep(self, settings: Mapping[str, Any]) -> None:
        """Remove what killed or abandoned uploads left, at most once a minute
        per process (``SEGMENT_MAX_AGE``, ``TMP_MAX_AGE``)."""
