"""Storage operations of the driver contract: volumes, snapshots, buckets, blobs."""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import BinaryIO

from deltaflask.drivers.contract import first
from deltaflask.drivers.contract import missing
from deltaflask.drivers.contract import operation
from deltaflask.errors import ValidationFailure
from deltaflask.models import Blob
from deltaflask.models import Bucket
from deltaflask.models import StorageSnapshot
from deltaflask.models import StorageVolume

Filters = Mapping[str, Any]


def check_segment_order(order: int, maximum: int) -> None:
    """400 unless a segment's ``order`` is between 1 and the provider's
    ``maximum`` number of segments."""
    if not 1 <= order <= maximum:
        raise ValidationFailure(f"Segment order must be between 1 and {maximum}")


def manifest_in_order(manifest: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """A segmented blob's manifest sorted by order: 400 when it names no
    segment, or one order twice."""
    if not manifest:
        raise ValidationFailure("The manifest names no segments")
    orders = [order for order, _ in manifest]
    if len(set(orders)) != len(orders):
        raise ValidationFailure("The manifest names a segment order twice")
    return sorted(manifest)


@dataclass(slots=True)
class VolumeCreate:
    """Parameters of a new volume (capacity in GB)."""

    capacity: str | None = None
    realm_id: str | None = None
    snapshot_id: str | None = None
    name: str | None = None
    description: str | None = None


@dataclass(slots=True)
class BlobCreate:
    """A new blob ``blob_id`` in bucket ``bucket_id``: its content type and
    user metadata (the bytes come separately, whole or in segments)."""

    bucket_id: str
    blob_id: str
    content_type: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)


class StorageOperations:
    """Operations on block and object storage. Override what the cloud offers."""

    # volumes -------------------------------------------------------------------
    @operation
    def storage_volumes(self, filters: Filters) -> list[StorageVolume]:
        """List volumes, filtered by ``id`` and ``state``."""
        raise missing("storage_volumes")

    def storage_volume(self, volume_id: str) -> StorageVolume | None:
        """One volume by id, or ``None``."""
        return first(self.storage_volumes({"id": volume_id}))

    @operation
    def create_storage_volume(self, request: VolumeCreate) -> StorageVolume:
        """Create a volume."""
        raise missing("create_storage_volume")

    @operation
    def destroy_storage_volume(self, volume_id: str) -> None:
        """Delete a volume."""
        raise missing("destroy_storage_volume")

    @operation
    def attach_storage_volume(
        self, volume_id: str, instance_id: str, device: str | None
    ) -> StorageVolume:
        """Attach a volume to an instance at ``device`` (``None``: a free
        device the driver chooses, shown in the answer)."""
        raise missing("attach_storage_volume")

    @operation
    def detach_storage_volume(self, volume_id: str) -> StorageVolume:
        """Detach a volume from its instance."""
        raise missing("detach_storage_volume")

    # snapshots -----------------------------------------------------------------
    @operation
    def storage_snapshots(self, filters: Filters) -> list[StorageSnapshot]:
        """List snapshots, filtered by ``id``."""
        raise missing("storage_snapshots")

    def storage_snapshot(self, snapshot_id: str) -> StorageSnapshot | None:
        """One snapshot by id, or ``None``."""
        return first(self.storage_snapshots({"id": snapshot_id}))

    @operation
    def create_storage_snapshot(
        self, volume_id: str, name: str | None, description: str | None
    ) -> StorageSnapshot:
        """Snapshot a volume."""
        raise missing("create_storage_snapshot")

    @operation
    def destroy_storage_snapshot(self, snapshot_id: str) -> None:
        """Delete a snapshot."""
        raise missing("destroy_storage_snapshot")

    # buckets -------------------------------------------------------------------
    @operation
    def buckets(self, filters: Filters) -> list[Bucket]:
        """List buckets, filtered by ``id``."""
        raise missing("buckets")

    def bucket(self, bucket_id: str) -> Bucket | None:
        """One bucket with its blob ids, or ``None``."""
        return first(self.buckets({"id": bucket_id}))

    @operation
    def create_bucket(self, name: str, location: str | None = None) -> Bucket:
        """Create a bucket (``location`` with feature ``bucket_location``)."""
        raise missing("create_bucket")

    @operation
    def delete_bucket(self, bucket_id: str) -> None:
        """Delete an empty bucket."""
        raise missing("delete_bucket")

    # blobs ---------------------------------------------------------------------
    @operation
    def blob(self, bucket_id: str, blob_id: str) -> Blob | None:
        """One blob's attributes and metadata, or ``None``."""
        raise missing("blob")

    @operation
    def blob_data(self, bucket_id: str, blob_id: str) -> Iterator[bytes]:
        """The blob's bytes, in chunks of bounded size."""
        raise missing("blob_data")

    def blob_file(self, bucket_id: str, blob_id: str) -> BinaryIO | None:
        """Optional fast path: the blob's bytes as one open binary file.

        A server may send such a file with ``sendfile``; the caller closes it.
        The default, ``None``, means "no such file": the bytes are then streamed
        from :meth:`blob_data`, which every driver with blobs implements.
        """
        return None

    @operation
    def create_blob(self, request: BlobCreate, body: BinaryIO) -> Blob:
        """Store a blob, reading ``body`` in chunks until it is exhausted."""
        raise missing("create_blob")

    @operation
    def delete_blob(self, bucket_id: str, blob_id: str) -> None:
        """Delete a blob."""
        raise missing("delete_blob")

    @operation
    def update_blob_metadata(
        self, bucket_id: str, blob_id: str, metadata: Mapping[str, str]
    ) -> dict[str, str]:
        """Replace a blob's user metadata; return what is stored."""
        raise missing("update_blob_metadata")

    # segmented blobs (S3 multipart, Swift manifests, Azure block lists) ---------
    @operation
    def init_segmented_blob(self, request: BlobCreate) -> str:
        """Start a segmented upload of a new blob; return the upload's id."""
        raise missing("init_segmented_blob")

    @operation
    def upload_blob_segment(
        self, bucket_id: str, blob_id: str, upload_id: str, order: int, body: BinaryIO
    ) -> str:
        """Store one segment; return the segment id the manifest will name."""
        raise missing("upload_blob_segment")

    @operation
    def complete_segmented_blob(
        self,
        bucket_id: str,
        blob_id: str,
        upload_id: str,
        manifest: list[tuple[int, str]],
    ) -> Blob:
        """Join the segments named by ``manifest`` (order, segment id) into the blob."""
        raise missing("complete_segmented_blob")

    @operation
    def abort_segmented_blob(
        self, bucket_id: str, blob_id: str, upload_id: str
    ) -> None:
        """Abandon a segmented upload and remove its parts."""
        raise missing("abort_segmented_blob")
