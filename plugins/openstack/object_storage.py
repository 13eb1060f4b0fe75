"""Swift containers as buckets and objects as blobs.

Every bucket is shown with its blob ids (Swift lists a container page by
page). A blob's bytes stream both ways in 64 KiB chunks: the request body is
sent to Swift chunked as it is read, and Swift's answer is passed on as it
arrives, so memory does not grow with the blob (one object is at most
Swift's 5 GiB; larger ones go in segments). User metadata is Swift's
``X-Object-Meta-*`` (names lower-cased); updating it is one ``POST``, which
replaces it and keeps the content type. Deleting a blob made of segments
(a static large object) deletes its segments too. The account's
``.deltaflask-segments`` container, where segmented uploads wait, is never
shown as a bucket.
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Mapping
from typing import Any
from typing import BinaryIO

from deltaflask.drivers import BlobCreate
from deltaflask.drivers.base import as_list
from deltaflask.drivers.streams import ClosingChunks
from deltaflask.errors import Conflict
from deltaflask.errors import ObjectNotFound
from deltaflask.models import Blob
from deltaflask.models import Bucket
from deltaflask.plugins.openstack.swift_calls import CHUNK
from deltaflask.plugins.openstack.swift_calls import DEFAULT_TYPE
from deltaflask.plugins.openstack.swift_calls import SEGMENTS
from deltaflask.plugins.openstack.swift_calls import SwiftBase
from deltaflask.plugins.openstack.swift_calls import check_container_name
from deltaflask.plugins.openstack.swift_calls import container_path
from deltaflask.plugins.openstack.swift_calls import meta_headers
from deltaflask.plugins.openstack.swift_calls import object_path
from deltaflask.plugins.openstack.swift_calls import read_chunks
from deltaflask.plugins.openstack.swift_calls import to_blob


class OpenStackObjectStorage(SwiftBase):
    """Swift bucket and blob operations of the openstack driver."""

    # buckets -------------------------------------------------------------------
    def buckets(self, filters: Mapping[str, Any]) -> list[Bucket]:
        """Containers (filtered by ``id``), each with its blob ids."""
        if filters.get("id"):
            names = as_list(filters["id"])
        else:
            names = [
                item["name"] for item in self.listing("") if item["name"] != SEGMENTS
            ]
        found = (self._bucket_detail(name) for name in names)
        return [bucket for bucket in found if bucket is not None]

    def _bucket_detail(self, name: str) -> Bucket | None:
        """The container with its object names, or ``None`` if there is none."""
        try:
            path = container_path(name)
            blob_ids = [item["name"] for item in self.listing(path)]
        except ObjectNotFound:
            return None
        return Bucket(id=name, name=name, size=len(blob_ids), blob_ids=blob_ids)

    def create_bucket(self, name: str, location: str | None = None) -> Bucket:
        """A new empty container (409 if the account already has it)."""
        check_container_name(name)
        path = container_path(name)
        if self.head(path) is not None:
            raise Conflict(f"Bucket '{name}' already exists")
        self.swift("PUT", path)
        return Bucket(id=name, name=name)

    def delete_bucket(self, bucket_id: str) -> None:
        """Delete an empty container (409 while it holds blobs)."""
        self.swift(
            "DELETE",
            container_path(bucket_id),
            errors={
                404: f"Bucket '{bucket_id}' not found",
                409: f"Bucket '{bucket_id}' is not empty: delete its blobs first",
            },
        )

    # blobs ---------------------------------------------------------------------
    def blob(self, bucket_id: str, blob_id: str) -> Blob | None:
        """A blob's attributes and metadata, or ``None``."""
        try:
            headers = self.head(object_path(bucket_id, blob_id))
        except ObjectNotFound:  # a name no bucket can have
            return None
        return None if headers is None else to_blob(bucket_id, blob_id, headers)

    def require_blob(self, bucket_id: str, blob_id: str) -> Blob:
        """The blob, or a 404 that names it."""
        found = self.blob(bucket_id, blob_id)
        if found is None:
            raise ObjectNotFound(f"Blob '{blob_id}' not found in bucket '{bucket_id}'")
        return found

    def blob_data(self, bucket_id: str, blob_id: str) -> Iterator[bytes]:
        """The blob's bytes in 64 KiB chunks, read from Swift as they are sent."""
        answer = self.swift(
            "GET",
            object_path(bucket_id, blob_id),
            errors={404: f"Blob '{blob_id}' not found in bucket '{bucket_id}'"},
            stream=True,
        )
        return ClosingChunks(answer.iter_content(CHUNK), answer.close)

    def create_blob(self, request: BlobCreate, body: BinaryIO) -> Blob:
        """Stream ``body`` into the object (chunked), then read it back."""
        bucket_id, blob_id = request.bucket_id, request.blob_id
        self.swift(
            "PUT",
            object_path(bucket_id, blob_id),
            errors={404: f"Bucket '{bucket_id}' not found"},
            headers={
                "Content-Type": request.content_type or DEFAULT_TYPE,
                **meta_headers(request.metadata),
            },
            data=read_chunks(body),
        )
        return self.require_blob(bucket_id, blob_id)

    def delete_blob(self, bucket_id: str, blob_id: str) -> None:
        """Delete a blob (404 if there is none); a static large object goes
        with its segments."""
        path = object_path(bucket_id, blob_id)
        headers = self.head(path)
        if headers is None:
            raise ObjectNotFound(f"Blob '{blob_id}' not found in bucket '{bucket_id}'")
        large = headers.get("X-Static-Large-Object", "").lower() == "true"
        params = {"multipart-manifest": "delete"} if large else {}
        self.swift("DELETE", path, params=params)

    def update_blob_metadata(
        self, bucket_id: str, blob_id: str, metadata: Mapping[str, str]
    ) -> dict[str, str]:
        """Replace the user metadata (Swift's ``POST``); return what is stored."""
        self.swift(
            "POST",
            object_path(bucket_id, blob_id),
            errors={404: f"Blob '{blob_id}' not found in bucket '{bucket_id}'"},
            headers=meta_headers(metadata),
        )
        return self.require_blob(bucket_id, blob_id).user_metadata
