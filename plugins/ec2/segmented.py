"""Segmented blobs on S3 multipart uploads.

The upload id is S3's; a segment's order is its part number and its id the
part's ETag (without quotes), which the manifest names. Each segment is
spooled to a temporary file (in memory up to 1 MiB) so that boto3 can send it
with a known length and checksum; memory does not grow with its size. S3
wants every part but the last to be at least 5 MiB: completing checks that
first and answers a 400 that says so, naming the segment.
"""

from __future__ import annotations

import tempfile
from typing import Any
from typing import BinaryIO

from deltaflask.drivers import BlobCreate
from deltaflask.drivers.storage_ops import check_segment_order
from deltaflask.drivers.storage_ops import manifest_in_order
from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ValidationFailure
from deltaflask.models import Blob
from deltaflask.plugins.ec2.base import Ec2Base
from deltaflask.plugins.ec2.blobs import DEFAULT_TYPE
from deltaflask.plugins.ec2.blobs import s3_metadata
from deltaflask.plugins.ec2.blobs import to_blob
from deltaflask.plugins.ec2.calls import paged
from deltaflask.plugins.ec2.errors import aws_errors

MIN_PART = 5 * 1024 * 1024
MAX_PARTS = 10000
SPOOL = 1024 * 1024
COPY_CHUNK = 1024 * 1024


class Ec2Segmented(Ec2Base):
    """Segmented blob operations of the ec2 driver (mixed into ``Ec2Driver``)."""

    def init_segmented_blob(self, request: BlobCreate) -> str:
        """Start a multipart upload; return S3's upload id."""
        bucket_id, blob_id = request.bucket_id, request.blob_id
        content_type, metadata = request.content_type, request.metadata
        with aws_errors():
            started = self.s3.create_multipart_upload(
                Bucket=bucket_id,
                Key=blob_id,
                ContentType=content_type or DEFAULT_TYPE,
                Metadata=s3_metadata(metadata),
            )
        return str(started["UploadId"])

    def upload_blob_segment(
        self, bucket_id: str, blob_id: str, upload_id: str, order: int, body: BinaryIO
    ) -> str:
        """Upload ``body`` as part number ``order``; return its ETag."""
        check_segment_order(order, MAX_PARTS)
        self._parts(bucket_id, blob_id, upload_id, limit=1)
        with tempfile.SpooledTemporaryFile(max_size=SPOOL) as spool:
            while chunk := body.read(COPY_CHUNK):
                spool.write(chunk)
            spool.seek(0)
            with aws_errors():
                answer = self.s3.upload_part(
                    Bucket=bucket_id,
                    Key=blob_id,
                    UploadId=upload_id,
                    PartNumber=order,
                    Body=spool,
                )
        return str(answer["ETag"]).strip('"')

    def complete_segmented_blob(
        self,
        bucket_id: str,
        blob_id: str,
        upload_id: str,
        manifest: list[tuple[int, str]],
    ) -> Blob:
        """Join the parts the manifest names, in order, into the blob."""
        chosen = manifest_in_order(manifest)
        parts = self._parts(bucket_id, blob_id, upload_id)
        for order, segment_id in chosen:
            if parts.get(order, ("", 0))[0] != segment_id.strip('"'):
                raise ValidationFailure(
                    f"Unknown segment '{segment_id[:64]}' for order {order} "
                    "in the manifest"
                )
        for order, _ in chosen[:-1]:
            size = parts[order][1]
            if size < MIN_PART:
                raise ValidationFailure(
                    f"Segment {order} has {size} bytes, but S3 needs every segment "
                    f"except the last to be at least 5 MiB ({MIN_PART} bytes): "
                    "upload larger segments, or abort the upload"
                )
        with aws_errors():
            self.s3.complete_multipart_upload(
                Bucket=bucket_id,
                Key=blob_id,
                UploadId=upload_id,
                MultipartUpload={
                    "Parts": [
                        {"PartNumber": order, "ETag": f'"{parts[order][0]}"'}
                        for order, _ in chosen
                    ]
                },
            )
            head = self.s3.head_object(Bucket=bucket_id, Key=blob_id)
        return to_blob(bucket_id, blob_id, head)

    def abort_segmented_blob(
        self, bucket_id: str, blob_id: str, upload_id: str
    ) -> None:
        """Abort the upload; S3 removes its parts."""
        self._parts(bucket_id, blob_id, upload_id, limit=1)
        with aws_errors():
            self.s3.abort_multipart_upload(
                Bucket=bucket_id, Key=blob_id, UploadId=upload_id
            )

    def _parts(
        self, bucket_id: str, blob_id: str, upload_id: str, limit: int | None = None
    ) -> dict[int, tuple[str, int]]:
        """Part number -> (ETag, size) of an upload in progress (404 if none)."""
        pages: dict[str, Any] = {} if limit is None else {"MaxItems": limit}
        try:
            parts = paged(
                self.s3,
                "list_parts",
                "Parts",
                Bucket=bucket_id,
                Key=blob_id,
                UploadId=upload_id,
                PaginationConfig=pages,
            )
        except ObjectNotFound:
            raise ObjectNotFound(
                f"Segmented blob upload '{upload_id[:128]}' not found for "
                f"'{bucket_id}/{blob_id}': it was never started, or was completed "
                "or aborted"
            ) from None
        return {
            int(part["PartNumber"]): (str(part["ETag"]).strip('"'), int(part["Size"]))
            for part in parts
        }
