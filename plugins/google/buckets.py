"""Cloud Storage buckets: list, show with blobs, create in a location, delete.

Every bucket is shown with its location and blob ids (the parts of segmented
uploads in progress, under ``.deltaflask-uploads/``, are left out); a bucket
deleted while it is listed is left out. A new
bucket goes to ``location`` if given (the ``bucket_location`` feature), else
to the provider (``-P EU``), else to the ``US`` multi-region.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deltaflask.drivers.base import as_list
from deltaflask.errors import AuthenticationFailure
from deltaflask.errors import Conflict
from deltaflask.errors import Forbidden
from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ValidationFailure
from deltaflask.models import Bucket
from deltaflask.plugins.google.base import DEFAULT_LOCATION
from deltaflask.plugins.google.base import UPLOADS
from deltaflask.plugins.google.base import GoogleBase
from deltaflask.plugins.google.base import check_bucket_name
from deltaflask.plugins.google.errors import gcs_errors


class GoogleBuckets(GoogleBase):
    """Bucket operations of the google driver (mixed into ``GoogleDriver``)."""

    def valid_credentials(self) -> bool:
        """Whether Cloud Storage accepts the credentials (one bucket listed)."""
        if self._credentials is None:
            return False
        try:
            with gcs_errors():
                next(iter(self.gcs.list_buckets(max_results=1)), None)
        except (AuthenticationFailure, Forbidden):
            return False
        return True

    def buckets(self, filters: Mapping[str, Any]) -> list[Bucket]:
        """Buckets (filtered by ``id``), each with its location and blob ids."""
        if filters.get("id"):
            found = (self._bucket_detail(name) for name in as_list(filters["id"]))
            return [bucket for bucket in found if bucket is not None]
        with gcs_errors():
            listed = list(self.gcs.list_buckets(**self.call_options))
        found = []
        for bucket in listed:
            try:
                found.append(self._with_blobs(bucket))
            except ObjectNotFound:  # deleted since it was listed
                continue
        return found

    def _bucket_detail(self, name: str) -> Bucket | None:
        """The bucket with its location and blob ids, or ``None`` if there is none."""
        try:
            check_bucket_name(name)
            with gcs_errors():
                bucket = self.gcs.get_bucket(name, **self.call_options)
            return self._with_blobs(bucket)
        except (ObjectNotFound, ValidationFailure):
            return None

    def _with_blobs(self, bucket: Any) -> Bucket:
        with gcs_errors():
            names = [
                str(item.name)
                for item in bucket.list_blobs(**self.call_options)
                if not str(item.name).startswith(UPLOADS)
            ]
        return Bucket(
            id=bucket.name,
            name=bucket.name,
            size=len(names),
            blob_ids=names,
            location=bucket.location or DEFAULT_LOCATION,
        )

    def create_bucket(self, name: str, location: str | None = None) -> Bucket:
        """A new empty bucket in ``location`` (409 if the name is taken)."""
        check_bucket_name(name)
        location = location or self.provider or DEFAULT_LOCATION
        with gcs_errors():
            made = self.gcs.create_bucket(name, location=location, **self.call_options)
        return Bucket(id=name, name=name, location=made.location or location)

    def delete_bucket(self, bucket_id: str) -> None:
        """Delete an empty bucket (409 while it holds blobs or upload parts)."""
        check_bucket_name(bucket_id)
        try:
            with gcs_errors():
                self.bucket_handle(bucket_id).delete(**self.call_options)
        except Conflict:
            raise Conflict(
                f"Bucket '{bucket_id}' is not empty: delete its blobs and abort "
                "its segmented uploads first"
            ) from None
