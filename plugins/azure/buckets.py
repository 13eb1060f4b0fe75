"""Blob containers as buckets: list, show with blobs, create, delete when empty.

A bucket lists every committed blob whatever its type (block, page or
append). Azure deletes a container with everything in it; the driver first
checks that it holds no blob and refuses (409) otherwise, as S3 does. Azure
containers have no location of their own (the storage account has one).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deltaflask.drivers.base import as_list
from deltaflask.errors import Conflict
from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ValidationFailure
from deltaflask.models import Bucket
from deltaflask.plugins.azure.base import AzureBase
from deltaflask.plugins.azure.errors import azure_errors


class AzureBuckets(AzureBase):
    """Container operations of the azure driver (mixed into ``AzureDriver``)."""

    def buckets(self, filters: Mapping[str, Any]) -> list[Bucket]:
        """Buckets (filtered by ``id``), each with its blob ids."""
        if filters.get("id"):
            names = as_list(filters["id"])
        else:
            with azure_errors():
                names = [item.name for item in self.service.list_containers()]
        found = (self._bucket_detail(name) for name in names)
        return [bucket for bucket in found if bucket is not None]

    def _bucket_detail(self, name: str) -> Bucket | None:
        """The bucket with its blob ids, or ``None`` if there is no such
        container (or the name cannot be one)."""
        container = self.container(name)
        try:
            with azure_errors():
                blob_ids = [item.name for item in container.list_blobs()]
        except (ObjectNotFound, ValidationFailure):
            return None
        return Bucket(id=name, name=name, size=len(blob_ids), blob_ids=blob_ids)

    def create_bucket(self, name: str, location: str | None = None) -> Bucket:
        """A new empty container (409 if the account has it, 400 for a bad name)."""
        with azure_errors():
            self.service.create_container(name)
        return Bucket(id=name, name=name)

    def delete_bucket(self, bucket_id: str) -> None:
        """Delete an empty container (409 when it holds blobs)."""
        container = self.container(bucket_id)
        with azure_errors():
            blobs = container.list_blobs(results_per_page=1).by_page()
            if any(True for _ in next(blobs, [])):
                raise Conflict(
                    f"Bucket '{bucket_id}' is not empty: delete its blobs first"
                )
            container.delete_container()
