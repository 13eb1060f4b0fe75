"""S3 buckets: list, show with blobs, create in a location, destroy when empty.

Every bucket is shown with its location and blob ids, as on the mock; a
bucket deleted while it is listed is left out. A new bucket goes to
``location`` if given (the ``bucket_location`` feature), else to the
request's region.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deltaflask.drivers.base import as_list
from deltaflask.errors import Conflict
from deltaflask.errors import ObjectNotFound
from deltaflask.models import Bucket
from deltaflask.plugins.ec2.base import Ec2Base
from deltaflask.plugins.ec2.calls import paged
from deltaflask.plugins.ec2.errors import aws_errors

#: the region S3 takes without a ``LocationConstraint`` (and refuses as one)
DEFAULT_LOCATION = "us-east-1"


class Ec2Buckets(Ec2Base):
    """S3 bucket operations of the ec2 driver (mixed into ``Ec2Driver``)."""

    def buckets(self, filters: Mapping[str, Any]) -> list[Bucket]:
        """Buckets (filtered by ``id``), each with its location and blob ids."""
        if filters.get("id"):
            names = as_list(filters["id"])
        else:
            with aws_errors():
                names = [item["Name"] for item in self.s3.list_buckets()["Buckets"]]
        found = (self._bucket_detail(name) for name in names)
        return [bucket for bucket in found if bucket is not None]

    def _bucket_detail(self, name: str) -> Bucket | None:
        """The bucket with its location and blob ids, or ``None`` if it is gone."""
        try:
            with aws_errors():
                location = self.s3.get_bucket_location(Bucket=name).get(
                    "LocationConstraint"
                )
            objects = paged(self.s3, "list_objects_v2", "Contents", Bucket=name)
        except ObjectNotFound:
            return None
        blob_ids = [str(item["Key"]) for item in objects]
        return Bucket(
            id=name,
            name=name,
            size=len(blob_ids),
            blob_ids=blob_ids,
            location=location or DEFAULT_LOCATION,
        )

    def _bucket_exists(self, name: str) -> bool:
        try:
            with aws_errors():
                self.s3.head_bucket(Bucket=name)
        except ObjectNotFound:
            return False
        return True

    def create_bucket(self, name: str, location: str | None = None) -> Bucket:
        """A new empty bucket (409 if the account already has it)."""
        if self._bucket_exists(name):
            raise Conflict(f"Bucket '{name}' already exists")
        location = location or self.provider or DEFAULT_LOCATION
        params: dict[str, Any] = {"Bucket": name}
        if location != DEFAULT_LOCATION:
            params["CreateBucketConfiguration"] = {"LocationConstraint": location}
        with aws_errors():
            self.s3.create_bucket(**params)
        return Bucket(id=name, name=name, location=location)

    def delete_bucket(self, bucket_id: str) -> None:
        """Delete an empty bucket (S3 refuses a non-empty one: 409)."""
        with aws_errors():
            self.s3.delete_bucket(Bucket=bucket_id)
