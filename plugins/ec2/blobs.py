"""S3 objects as blobs: streamed upload and download, user metadata.

An upload hands the request stream to boto3's ``upload_fileobj`` without
threads, which reads it one 8 MiB chunk at a time (a multipart upload beyond
that), so memory does not grow with the blob. Content is streamed back in
64 KiB chunks from ``get_object``'s body. User metadata is S3's ``x-amz-meta-*``
(names lower-cased, US-ASCII only); updating it copies the object onto itself
with ``MetadataDirective=REPLACE``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from collections.abc import Mapping
from typing import Any
from typing import BinaryIO

from deltaflask.drivers import BlobCreate
from deltaflask.drivers.streams import ClosingChunks
from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ValidationFailure
from deltaflask.models import Blob
from deltaflask.plugins.ec2.base import Ec2Base
from deltaflask.plugins.ec2.calls import timestamp
from deltaflask.plugins.ec2.errors import aws_errors

CHUNK = 8 * 1024 * 1024
READ_CHUNK = 64 * 1024
DEFAULT_TYPE = "application/octet-stream"
HEADER_TOKEN = re.compile(r"^[a-z0-9!#$%&'*+.^_`|~-]+$")
#: what a metadata update copies over from the object (S3 would reset them)
KEPT_ON_COPY = (
    "ContentType",
    "ContentEncoding",
    "ContentDisposition",
    "ContentLanguage",
    "CacheControl",
    "StorageClass",
    "ServerSideEncryption",
    "SSEKMSKeyId",
)


def s3_metadata(metadata: Mapping[str, str]) -> dict[str, str]:
    """User metadata as S3 stores it: lower-case names that are HTTP header
    tokens, printable US-ASCII values (else 400)."""
    found = {}
    for key, value in metadata.items():
        name, text = str(key).lower(), str(value)
        if not HEADER_TOKEN.match(name):
            raise ValidationFailure(
                f"Blob metadata name '{name[:40]}' is not a valid HTTP header name"
            )
        if not text.isascii() or not text.isprintable():
            raise ValidationFailure(
                f"Blob metadata '{name[:40]}' must be printable US-ASCII for S3"
            )
        found[name] = text
    return found


def to_blob(bucket_id: str, blob_id: str, head: Mapping[str, Any]) -> Blob:
    """A blob from a ``head_object`` (or ``get_object``) answer."""
    return Blob(
        id=blob_id,
        bucket=bucket_id,
        content_length=int(head.get("ContentLength") or 0),
        content_type=head.get("ContentType") or DEFAULT_TYPE,
        last_modified=timestamp(head.get("LastModified")),
        user_metadata=dict(head.get("Metadata") or {}),
    )


class Ec2Blobs(Ec2Base):
    """S3 object operations of the ec2 driver (mixed into ``Ec2Driver``)."""

    def blob(self, bucket_id: str, blob_id: str) -> Blob | None:
        """A blob's attributes and metadata, or ``None``."""
        head = self._head(bucket_id, blob_id)
        return None if head is None else to_blob(bucket_id, blob_id, head)

    def _head(self, bucket_id: str, blob_id: str) -> dict[str, Any] | None:
        try:
            with aws_errors():
                head: dict[str, Any] = self.s3.head_object(
                    Bucket=bucket_id, Key=blob_id
                )
        except ObjectNotFound:
            return None
        return head

    def _require_head(self, bucket_id: str, blob_id: str) -> dict[str, Any]:
        head = self._head(bucket_id, blob_id)
        if head is None:
            raise ObjectNotFound(f"Blob '{blob_id}' not found in bucket '{bucket_id}'")
        return head

    def blob_data(self, bucket_id: str, blob_id: str) -> Iterator[bytes]:
        """The blob's bytes in 64 KiB chunks, read from S3 as they are sent."""
        with aws_errors():
            answer = self.s3.get_object(Bucket=bucket_id, Key=blob_id)
        body = answer["Body"]
        return ClosingChunks(body.iter_chunks(READ_CHUNK), body.close)

    def create_blob(self, request: BlobCreate, body: BinaryIO) -> Blob:
        """Stream ``body`` into the object, one bounded chunk at a time."""
        bucket_id, blob_id = request.bucket_id, request.blob_id
        content_type, metadata = request.content_type, request.metadata
        from boto3.s3.transfer import TransferConfig

        extra = {
            "ContentType": content_type or DEFAULT_TYPE,
            "Metadata": s3_metadata(metadata),
        }
        config = TransferConfig(
            multipart_threshold=CHUNK, multipart_chunksize=CHUNK, use_threads=False
        )
        with aws_errors():
            self.s3.upload_fileobj(
                _FullReads(body), bucket_id, blob_id, ExtraArgs=extra, Config=config
            )
        return to_blob(bucket_id, blob_id, self._require_head(bucket_id, blob_id))

    def delete_blob(self, bucket_id: str, blob_id: str) -> None:
        """Delete a blob (404 if it does not exist)."""
        self._require_head(bucket_id, blob_id)
        with aws_errors():
            self.s3.delete_object(Bucket=bucket_id, Key=blob_id)

    def update_blob_metadata(
        self, bucket_id: str, blob_id: str, metadata: Mapping[str, str]
    ) -> dict[str, str]:
        """Replace the user metadata (keeping type, encoding, class); return it."""
        head = self._require_head(bucket_id, blob_id)
        kept = {key: head[key] for key in KEPT_ON_COPY if head.get(key)}
        with aws_errors():
            self.s3.copy_object(
                Bucket=bucket_id,
                Key=blob_id,
                CopySource={"Bucket": bucket_id, "Key": blob_id},
                Metadata=s3_metadata(metadata),
                MetadataDirective="REPLACE",
                **{"ContentType": DEFAULT_TYPE, **kept},
            )
        return dict(self._require_head(bucket_id, blob_id).get("Metadata") or {})


class _FullReads:
    """A stream whose ``read(n)`` returns ``n`` bytes unless the body ends first.

    A request stream may return less than asked; boto3 takes a short first
    read for the whole body and would then read all the rest at once.
    """

    def __init__(self, body: BinaryIO) -> None:
        self._body = body

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes (everything left if negative)."""
        if size is None or size < 0:
            return self._body.read()
        pieces = []
        wanted = size
        while wanted > 0:
            piece = self._body.read(wanted)
            if not piece:
                break
            pieces.append(piece)
            wanted -= len(piece)
        return b"".join(pieces)
