"""``/api/buckets/:bucket/:blob``: show, HEAD metadata, streamed PUT, segmented
uploads, metadata update, content download and delete.

Bodies are never buffered in memory: a PUT hands the request body to the
driver, which reads it in chunks (a body shorter than its ``Content-Length``,
from a client that went away, fails with 400 and stores nothing). ``/content``
hands the driver's file to the server's ``wsgi.file_wrapper`` (``sendfile``
under gunicorn) when both have one, else streams the driver's chunks.
Segmented uploads follow the three steps of the original (initiate, segments,
complete with a manifest ``1=ID1, 2=ID2``); ``DELETE`` with the
``X-Deltacloud-SegmentedBlob`` header aborts one and removes its parts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import BinaryIO
from typing import cast

from flask import Blueprint
from flask import Response
from flask import g
from flask import redirect
from flask import request
from werkzeug.wrappers import Response as BaseResponse

from deltaflask import header_values
from deltaflask.context import current_driver
from deltaflask.drivers import BlobCreate
from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ValidationFailure
from deltaflask.header_values import check_metadata
from deltaflask.models import Blob
from deltaflask.plugins.deltacloud.params import whole_number
from deltaflask.plugins.deltacloud.render import empty
from deltaflask.plugins.deltacloud.render import href
from deltaflask.plugins.deltacloud.render import respond

FORMATS = {
    "api.blobs_content": ("xml", "json", "html", "png", "gv"),
}
#: a PUT streams the blob's body: not held to the form size cap
UNCAPPED = ("api.blobs_put", "api.blobs_stream")
META_PREFIX = "x-deltacloud-blobmeta-"
META_HEADER = "X-Deltacloud-Blobmeta-"
INLINE_LIMIT = 64 * 1024
MAX_MANIFEST = 1024 * 1024
CONTENT_POLICY = "sandbox; default-src 'none'"
CHUNK = 1024 * 1024


def register(bp: Blueprint) -> None:
    """Add the blob routes."""
    blob = "/buckets/<bucket_id>/<blob_id>"
    bp.add_url_rule(blob, "blobs_show", show, methods=["GET", "HEAD"])
    bp.add_url_rule(f"{blob}/metadata", "blobs_metadata", metadata, methods=["HEAD"])
    bp.add_url_rule(blob, "blobs_put", put, methods=["PUT"])
    bp.add_url_rule(f"{blob}/stream", "blobs_stream", put, methods=["PUT"])
    bp.add_url_rule(blob, "blobs_update", update_metadata, methods=["POST"])
    bp.add_url_rule(blob, "blobs_destroy", destroy, methods=["DELETE"])
    bp.add_url_rule(f"{blob}/content", "blobs_content", content, methods=["GET"])
    bp.add_url_rule(
        "/buckets/<bucket_id>/<path:rest>",
        "blobs_bad_name",
        bad_name,
        methods=["GET", "HEAD", "PUT", "POST", "DELETE"],
    )


def to_json(blob: Blob, content: str | None = None) -> dict[str, object]:
    """A blob as the classic JSON shows it; ``content`` only for small text."""
    return {
        "id": blob.id,
        "href": href("buckets", blob.bucket, blob.id),
        "bucket": {
            "rel": "bucket",
            "href": href("buckets", blob.bucket),
            "id": blob.bucket,
        },
        "content_length": blob.content_length,
        "content_type": blob.content_type,
        "last_modified": blob.last_modified,
        "content": content,
        "user_metadata": dict(blob.user_metadata),
    }


def inline_content(blob: Blob) -> str | None:
    """The content of a small UTF-8 blob, for the JSON form (else ``None``)."""
    if blob.content_length > INLINE_LIMIT:
        return None
    data = b"".join(current_driver().blob_data(blob.bucket, blob.id))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def answer(blob: Blob, status: int = 200) -> Response:
    """The blob document in the negotiated format."""
    return respond(
        "blobs/show",
        lambda: {"blob": to_json(blob, inline_content(blob))},
        status=status,
        blob=blob,
    )


def metadata_headers(metadata: Mapping[str, str]) -> dict[str, str]:
    """One ``X-Deltacloud-Blobmeta-<key>`` header per entry a header can carry."""
    return header_values.metadata_headers(META_HEADER, metadata)


def metadata_from_request() -> dict[str, str]:
    """The ``X-Deltacloud-Blobmeta-*`` request headers (``_`` or ``-``), by name
    (400 for metadata a response header could not carry)."""
    found = {}
    for name, value in request.headers.items():
        normal = name.lower().replace("_", "-")
        if normal.startswith(META_PREFIX):
            key = name[len(META_PREFIX) :]
            if not key:
                raise ValidationFailure("A blob metadata header names no key")
            found[key] = value
    check_metadata(found)
    return found


def _found(bucket_id: str, blob_id: str) -> Blob:
    blob = current_driver().blob(bucket_id, blob_id)
    if blob is None:
        raise ObjectNotFound(f"Blob '{blob_id}' not found in bucket '{bucket_id}'")
    return blob


def show(bucket_id: str, blob_id: str) -> Response:
    """The blob's attributes; ``HEAD`` answers 204 with its metadata as headers."""
    blob = _found(bucket_id, blob_id)
    if request.method == "HEAD":
        return empty(204, metadata_headers(blob.user_metadata))
    return answer(blob)


def metadata(bucket_id: str, blob_id: str) -> Response:
    """``HEAD .../metadata``: the same as ``HEAD`` on the blob."""
    return empty(204, metadata_headers(_found(bucket_id, blob_id).user_metadata))


def _header_or_arg(header: str, arg: str) -> str | None:
    return request.headers.get(header) or request.args.get(arg) or None


def put(bucket_id: str, blob_id: str) -> Response:
    """Store the streamed body as the blob (200), or run a segmented-upload step."""
    upload_id = _header_or_arg("X-Deltacloud-SegmentedBlob", "segmented_blob")
    blob_type = _header_or_arg("X-Deltacloud-BlobType", "blob_type") or ""
    if upload_id or blob_type.lower() == "segmented":
        return _segmented(bucket_id, blob_id, upload_id)
    blob = current_driver().create_blob(_blob_create(bucket_id, blob_id), body())
    return answer(blob)


class _ExactBody:
    """The request body, which must hold ``length`` bytes: running out early
    (the client went away) raises a 400, so the driver never stores a
    truncated blob, whatever the WSGI server hands over at EOF."""

    def __init__(self, stream: BinaryIO, length: int) -> None:
        self._stream = stream
        self._left = length

    def _took(self, count: int) -> int:
        if not count:
            raise ValidationFailure(
                f"The request body ended {self._left} bytes before its length"
            )
        self._left -= count
        return count

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes (the rest when negative); ``b""`` at the end."""
        if self._left <= 0:
            return b""
        data = self._stream.read(self._left if size < 0 else min(size, self._left))
        self._took(len(data))
        return data


class _ExactBodyInto(_ExactBody):
    """An ``_ExactBody`` over a stream that can fill a caller's buffer."""

    def readinto(self, buffer: bytearray | memoryview) -> int:
        """Fill the start of ``buffer``; the byte count, 0 at the end."""
        if self._left <= 0:
            return 0
        view = memoryview(buffer).cast("B")[: self._left]
        return self._took(self._stream.readinto(view) or 0)


def body() -> BinaryIO:
    """The request body to stream to the driver (``put`` lifted the size cap).

    It offers ``readinto`` when the server's stream does (werkzeug's), so the
    driver can reuse one buffer; gunicorn's offers ``read`` only.
    """
    stream = request.stream
    length = request.content_length
    if length is None:
        return stream
    exact = _ExactBodyInto if hasattr(stream, "readinto") else _ExactBody
    return cast(BinaryIO, exact(stream, length))


def _blob_create(bucket_id: str, blob_id: str) -> BlobCreate:
    """The new blob the request describes with its headers."""
    return BlobCreate(
        bucket_id=bucket_id,
        blob_id=blob_id,
        content_type=request.headers.get("Content-Type"),
        metadata=metadata_from_request(),
    )


def _segmented(bucket_id: str, blob_id: str, upload_id: str | None) -> Response:
    driver = current_driver()
    if not upload_id:
        new_id = driver.init_segmented_blob(_blob_create(bucket_id, blob_id))
        return empty(204, {"X-Deltacloud-SegmentedBlob": new_id})
    order = _header_or_arg("X-Deltacloud-SegmentOrder", "segment_order")
    if order is not None:
        segment_id = driver.upload_blob_segment(
            bucket_id, blob_id, upload_id, _order(order), body()
        )
        return empty(204, {"X-Deltacloud-BlobSegmentId": segment_id})
    manifest = parse_manifest(_read_manifest())
    return answer(
        driver.complete_segmented_blob(bucket_id, blob_id, upload_id, manifest)
    )


def _order(value: str) -> int:
    return whole_number(value, "X-Deltacloud-SegmentOrder")


def _read_manifest() -> str:
    data = request.stream.read(MAX_MANIFEST + 1)
    if len(data) > MAX_MANIFEST:
        raise ValidationFailure("The segment manifest is too long")
    try:
        return data.decode("ascii")
    except UnicodeDecodeError as exc:
        raise ValidationFailure("The segment manifest must be ASCII text") from exc


def parse_manifest(text: str) -> list[tuple[int, str]]:
    """``"1=ID1, 2=ID2"`` -> ``[(1, "ID1"), (2, "ID2")]`` (400 when malformed)."""
    manifest = []
    for entry in text.split(","):
        entry = entry.strip()
        if not entry:
            continue
        order, sep, segment_id = (part.strip() for part in entry.partition("="))
        if not sep or not order.isascii() or not order.isdigit() or not segment_id:
            raise ValidationFailure(
                f"Manifest entry '{entry[:40]}' is not ORDER=SEGMENT_ID; to upload "
                "a segment send X-Deltacloud-SegmentOrder"
            )
        manifest.append((whole_number(order, "A manifest order"), segment_id))
    if not manifest:
        raise ValidationFailure(
            "Completing a segmented blob needs a manifest body '1=ID1, 2=ID2, ...'"
        )
    return manifest


def update_metadata(bucket_id: str, blob_id: str) -> Response:
    """Replace the metadata from the request headers: 204 echoing what is stored."""
    stored = current_driver().update_blob_metadata(
        bucket_id, blob_id, metadata_from_request()
    )
    return empty(204, metadata_headers(stored))


def destroy(bucket_id: str, blob_id: str) -> BaseResponse:
    """Delete the blob (204), or abort the segmented upload the header names."""
    upload_id = _header_or_arg("X-Deltacloud-SegmentedBlob", "segmented_blob")
    if upload_id:
        current_driver().abort_segmented_blob(bucket_id, blob_id, upload_id)
        return empty()
    current_driver().delete_blob(bucket_id, blob_id)
    if g.format == "html":
        return redirect(href("buckets", bucket_id), 303)
    return empty()


def content(bucket_id: str, blob_id: str) -> Response:
    """Stream the bytes with their type, length and an attachment disposition."""
    driver = current_driver()
    blob = _found(bucket_id, blob_id)
    wrapper = request.environ.get("wsgi.file_wrapper")
    handle = None if wrapper is None else driver.blob_file(bucket_id, blob_id)
    if handle is None:
        chunks = driver.blob_data(bucket_id, blob_id)
    else:
        chunks = wrapper(handle, CHUNK)
    return Response(
        chunks,
        status=200,
        content_type=blob.content_type or "application/octet-stream",
        headers={
            "Content-Length": str(blob.content_length),
            "Content-Disposition": header_values.attachment(blob.id),
            # a stored HTML or SVG blob must never run as a page of this site
            "Content-Security-Policy": CONTENT_POLICY,
        },
        direct_passthrough=True,
    )


def bad_name(bucket_id: str, rest: str) -> Response:
    """A blob name with a slash, or an unknown sub-resource."""
    raise ValidationFailure("Invalid blob name: it may not contain '/'")
