"""Requests to Swift through openstacksdk's object-store proxy.

The proxy is a keystoneauth adapter on the ``object-store`` endpoint of the
service catalogue; paths are relative to the account URL. Calls are made with
it directly (not through the SDK's resource classes) so that bodies stream
both ways and Swift's headers (ETag, ``X-Static-Large-Object``, metadata)
stay in reach. Errors become the contract's typed errors: connection
failures through :func:`openstack_errors`, Swift's own answers by status.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import Any
from typing import BinaryIO
from urllib.parse import quote

from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ValidationFailure
from deltaflask.models import Blob
from deltaflask.plugins.openstack.base import OpenStackBase
from deltaflask.plugins.openstack.errors import openstack_errors
from deltaflask.plugins.openstack.errors import translate

#: the account's container for segmented uploads (hidden from the buckets)
SEGMENTS = ".deltaflask-segments"
DEFAULT_TYPE = "application/octet-stream"
META_PREFIX = "x-object-meta-"
#: bytes read from the request, and sent back to the client, at a time
CHUNK = 64 * 1024
#: Swift's limits on a container name (bytes, UTF-8) and a listing page
MAX_CONTAINER_NAME = 256
PAGE = 10000
TAG = re.compile(r"<[^>]*>")


def container_path(name: str, *, segments: bool = False) -> str:
    """The path of container ``name``: 404 for a name no bucket can have
    (empty, with a slash, too long, or the segments container unless
    ``segments``)."""
    if (
        not name
        or "/" in name
        or (name == SEGMENTS and not segments)
        or len(name.encode("utf-8", "surrogatepass")) > MAX_CONTAINER_NAME
    ):
        raise ObjectNotFound(f"Bucket '{name[:64]}' not found")
    return quote(name, safe="")


def check_container_name(name: str) -> None:
    """Refuse (400) a name Swift cannot give a container, or the reserved one."""
    if name == SEGMENTS:
        raise ValidationFailure(f"The bucket name '{SEGMENTS}' is reserved")
    if not name or "/" in name:
        raise ValidationFailure("A bucket name must be non-empty, without '/'")
    if len(name.encode("utf-8", "surrogatepass")) > MAX_CONTAINER_NAME:
        raise ValidationFailure(
            f"A bucket name may have at most {MAX_CONTAINER_NAME} bytes (UTF-8)"
        )


def object_path(container: str, name: str, *, segments: bool = False) -> str:
    """The path of object ``name`` in ``container`` (see :func:`container_path`)."""
    return f"{container_path(container, segments=segments)}/{quote(name, safe='/')}"


def meta_headers(metadata: Mapping[str, str]) -> dict[str, str]:
    """User metadata as Swift's ``X-Object-Meta-*`` request headers."""
    return {f"X-Object-Meta-{name}": value for name, value in metadata.items()}


def user_metadata(headers: Mapping[str, str]) -> dict[str, str]:
    """The ``X-Object-Meta-*`` headers of an answer, by lower-case name."""
    return {
        name.lower()[len(META_PREFIX) :]: value
        for name, value in headers.items()
        if name.lower().startswith(META_PREFIX)
    }


def to_blob(bucket_id: str, blob_id: str, headers: Mapping[str, str]) -> Blob:
    """A blob from the headers of Swift's answer to ``HEAD`` on the object."""
    modified = headers.get("Last-Modified")
    return Blob(
        id=blob_id,
        bucket=bucket_id,
        content_length=int(headers.get("Content-Length") or 0),
        content_type=headers.get("Content-Type") or DEFAULT_TYPE,
        last_modified=parsedate_to_datetime(modified).isoformat() if modified else None,
        user_metadata=user_metadata(headers),
    )


def read_chunks(body: BinaryIO) -> Iterator[bytes]:
    """``body`` in chunks of at most ``CHUNK`` bytes (sent chunked)."""
    while chunk := body.read(CHUNK):
        yield chunk


class SwiftBase(OpenStackBase):
    """Swift requests shared by the bucket, blob and segmented-blob mixins."""

    def swift(
        self,
        method: str,
        path: str,
        errors: Mapping[int, str] | None = None,
        **options: Any,
    ) -> Any:
        """Swift's answer (a ``requests`` response) to ``method`` on ``path``.

        An error status raises the typed error; ``errors`` gives the message
        for a status (e.g. 404: which bucket is missing). ``options`` go to
        the request (``params``, ``headers``, ``data``, ``stream``). A body
        read from a stream is sent once: if the token expired meanwhile, the
        answer is Swift's 401, never a silent retry with the stream used up.
        """
        store = self.connection().object_store
        if not isinstance(options.get("data", b""), bytes):
            options["allow_reauth"] = False
        with openstack_errors():
            answer = store.request(path, method, raise_exc=False, **options)
        status = answer.status_code
        if status < 400:
            return answer
        message = (errors or {}).get(status) or _swift_message(answer)
        answer.close()
        raise translate(status, message)

    def head(self, path: str) -> Mapping[str, str] | None:
        """The headers of ``HEAD path``, or ``None`` when it does not exist."""
        try:
            headers: Mapping[str, str] = self.swift("HEAD", path).headers
        except ObjectNotFound:
            return None
        return headers

    def listing(self, path: str, **query: str) -> Iterator[dict[str, Any]]:
        """Every entry of a JSON listing (of the account or a container), page
        by page."""
        marker = ""
        while True:
            answer = self.swift(
                "GET",
                path,
                params={
                    "format": "json",
                    "limit": str(PAGE),
                    "marker": marker,
                    **query,
                },
            )
            page = answer.json() if answer.status_code == 200 else []
            yield from page
            if len(page) < PAGE:
                return
            marker = page[-1]["name"]


def _swift_message(answer: Any) -> str:
    """Swift's reason and the start of its (plain or HTML) error text."""
    text = " ".join(TAG.sub(" ", answer.text).split())[:300]
    return f"Swift: {answer.status_code} {answer.reason}: {text}".rstrip(": ")
