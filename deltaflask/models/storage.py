"""Storage models: volumes, snapshots, buckets and blobs."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any


@dataclass(slots=True)
class StorageVolume:
    """A block storage volume."""

    id: str
    name: str | None = None
    description: str | None = None
    created: str | None = None
    state: str | None = None
    capacity: str | None = None
    realm_id: str | None = None
    instance_id: str | None = None
    device: str | None = None
    kind: str | None = None
    actions: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class StorageSnapshot:
    """A point-in-time copy of a volume."""

    id: str
    storage_volume_id: str | None = None
    state: str | None = None
    created: str | None = None
    name: str | None = None
    description: str | None = None


@dataclass(slots=True)
class Bucket:
    """An object storage container."""

    id: str
    name: str
    size: int = 0
    blob_ids: list[str] = field(default_factory=list)
    location: str | None = None


@dataclass(slots=True)
class Blob:
    """An object in a bucket; the bytes are streamed separately."""

    id: str
    bucket: str
    content_length: int = 0
    content_type: str = "application/octet-stream"
    last_modified: str | None = None
    user_metadata: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class SegmentedUpload:
    """A multi-part blob upload in progress."""

    id: str
    bucket: str
    blob: str
