"""What every part of the azure driver shares: the service client of the
request, container and blob clients, and how blobs and metadata map."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from deltaflask.drivers import BaseDriver
from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ValidationFailure
from deltaflask.models import Blob
from deltaflask.plugins.azure.clients import service_client
from deltaflask.plugins.azure.errors import azure_errors

DEFAULT_TYPE = "application/octet-stream"
#: Azure's rule for metadata names: C# identifiers
METADATA_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def azure_metadata(metadata: Mapping[str, str]) -> dict[str, str]:
    """User metadata as Azure stores it: lower-case names that are C#
    identifiers, printable US-ASCII values (else 400). A ``-`` becomes ``_``:
    header names reach a WSGI app with ``_`` turned into ``-`` anyway."""
    found = {}
    for key, value in metadata.items():
        name, text = str(key).lower().replace("-", "_"), str(value)
        if not METADATA_NAME.match(name):
            raise ValidationFailure(
                f"Blob metadata name '{name[:40]}' is not allowed by Azure: use "
                "letters, digits and '_', not starting with a digit"
            )
        if not text.isascii() or not text.isprintable():
            raise ValidationFailure(
                f"Blob metadata '{name[:40]}' must be printable US-ASCII for Azure"
            )
        found[name] = text
    return found


def to_blob(bucket_id: str, blob_id: str, properties: Any) -> Blob:
    """A blob from the SDK's ``BlobProperties`` (of any blob type)."""
    settings = properties.content_settings
    modified = properties.last_modified
    return Blob(
        id=blob_id,
        bucket=bucket_id,
        content_length=int(properties.size or 0),
        content_type=(settings.content_type if settings else None) or DEFAULT_TYPE,
        last_modified=modified.isoformat() if modified else None,
        user_metadata=dict(properties.metadata or {}),
    )


class AzureBase(BaseDriver):
    """The base every mixin of the azure driver extends."""

    @property
    def service(self) -> Any:
        """The ``BlobServiceClient`` of the request's account."""
        with azure_errors():
            return service_client(self.credentials, self.provider, self.settings)

    def container(self, bucket_id: str) -> Any:
        """The ``ContainerClient`` of a bucket."""
        return self.service.get_container_client(bucket_id)

    def blob_client(self, bucket_id: str, blob_id: str) -> Any:
        """The ``BlobClient`` of a blob."""
        return self.service.get_blob_client(bucket_id, blob_id)

    def properties(self, bucket_id: str, blob_id: str) -> Any | None:
        """The blob's ``BlobProperties``, or ``None`` if there is no such blob."""
        try:
            with azure_errors():
                return self.blob_client(bucket_id, blob_id).get_blob_properties()
        except ObjectNotFound:
            return None

    def require_properties(self, bucket_id: str, blob_id: str) -> Any:
        """The blob's ``BlobProperties`` (404 if there is no such blob)."""
        found = self.properties(bucket_id, blob_id)
        if found is None:
            raise ObjectNotFound(f"Blob '{blob_id}' not found in bucket '{bucket_id}'")
        return found

    def require_container(self, bucket_id: str) -> None:
        """404 unless the bucket exists."""
        with azure_errors():
            self.container(bucket_id).get_container_properties()
