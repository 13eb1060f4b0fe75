"""Object storage: buckets and blobs, streamed both ways; a large upload goes
in parallel parts (:mod:`deltaflask.client.segmented`)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from typing import BinaryIO
from urllib.parse import quote

import urllib3

from deltaflask.client.errors import TransferError
from deltaflask.client.resource import Resource
from deltaflask.client.resource import member_of
from deltaflask.client.segmented import META_HEADER
from deltaflask.client.segmented import SegmentedUpload
from deltaflask.client.segmented import StateFile
from deltaflask.client.segmented import default_state_dir
from deltaflask.client.segmented import state_path
from deltaflask.client.transfer import BytesPart
from deltaflask.client.transfer import Counter
from deltaflask.client.transfer import FileSlice
from deltaflask.client.transfer import Progress
from deltaflask.client.transfer import with_retries

MIB = 1024 * 1024
#: uploads larger than this go in parts
SEGMENT_THRESHOLD = 64 * MIB
PART_SIZE = 16 * MIB
WORKERS = 4
#: download read size: 128 KiB reads ran 2-3 times faster than 256 KiB to
#: 1 MiB ones (fresh large buffers cost a page fault per 4 KiB), and faster
#: than curl (benchmarks/bench_client.py)
DOWNLOAD_CHUNK = 128 * 1024


class Blob(Resource):
    """A stored object: its attributes, metadata and content."""

    collection = "blobs"
    member = "blob"
    columns = ("id", "content_length", "content_type", "last_modified")

    @property
    def bucket_id(self) -> str:
        """The bucket that holds it."""
        return str(self.data["bucket"]["id"])

    @property
    def size(self) -> int:
        """Its length in bytes."""
        return int(self.data.get("content_length") or 0)

    @property
    def metadata(self) -> dict[str, str]:
        """Its user metadata."""
        return dict(self.data.get("user_metadata") or {})

    def update_metadata(self, metadata: dict[str, str]) -> dict[str, str]:
        """Replace its metadata; what the server stored."""
        headers = {f"{META_HEADER}{k}": v for k, v in metadata.items()}
        answer = self.client.session.request("POST", self.href, headers=headers)
        stored = {
            name[len(META_HEADER) :]: value
            for name, value in answer.headers.items()
            if name.lower().startswith(META_HEADER.lower())
        }
        self.data["user_metadata"] = stored
        return stored

    def download(
        self, target: str | Path | BinaryIO, progress: Progress | None = None
    ) -> int:
        """Stream the content to a file (written aside, then renamed) or a
        writable stream; the byte count. A short answer raises."""
        if isinstance(target, (str, Path)):
            path = Path(target)
            partial = path.with_name(f".{path.name}.part")
            descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                with os.fdopen(descriptor, "wb") as out:
                    count = self._stream_to(out, progress)
            except BaseException:
                partial.unlink(missing_ok=True)
                raise
            os.replace(partial, path)
            return count
        return self._stream_to(target, progress)

    def _stream_to(self, out: BinaryIO, progress: Progress | None) -> int:
        answer = self.client.session.request("GET", f"{self.href}/content", stream=True)
        with answer:
            expected = int(answer.headers.get("Content-Length") or self.size)
            counter = Counter(expected, 0, progress)
            try:  # urllib3's own read: requests' iter_content is 2-3 times slower
                while chunk := answer.raw.read(DOWNLOAD_CHUNK, decode_content=True):
                    out.write(chunk)
                    counter.add(len(chunk))
            except (urllib3.exceptions.HTTPError, OSError) as exc:
                raise TransferError(f"blob {self.id}: {exc}") from exc
        if counter.done != expected:
            raise TransferError(
                f"blob {self.id}: got {counter.done} of {expected} bytes"
            )
        return counter.done

    def content(self) -> bytes:
        """The whole content in memory (for small blobs)."""
        return self.client.session.request("GET", f"{self.href}/content").content


class Bucket(Resource):
    """A container of blobs."""

    collection = "buckets"
    member = "bucket"
    columns = ("id", "name", "size")

    @property
    def blob_ids(self) -> list[str]:
        """The ids of its blobs."""
        return [link["id"] for link in self.data.get("blob_list") or []]

    def blob_url(self, blob_id: str) -> str:
        """The URL of blob ``blob_id`` in this bucket."""
        return f"{self.href}/{quote(blob_id, safe='')}"

    def blob_at(self, blob_id: str) -> Blob:
        """Blob ``blob_id`` without reading its attributes (to download it
        straight away; a missing blob raises when its content is asked)."""
        return Blob(self.client, {"id": blob_id, "href": self.blob_url(blob_id)})

    def blob(self, blob_id: str) -> Blob:
        """One blob's attributes (:class:`NotFound` when missing)."""
        document = self.client.session.json("GET", self.blob_url(blob_id))
        return Blob(self.client, member_of(document, "blob") or {})

    def blobs(self) -> list[Blob]:
        """Every blob, each read in full."""
        return [self.blob(blob_id) for blob_id in self.refresh().blob_ids]

    def upload(
        self,
        blob_id: str,
        source: str | Path | BinaryIO | bytes,
        *,
        content_type: str | None = None,
        metadata: dict[str, str] | None = None,
        progress: Progress | None = None,
        threshold: int = SEGMENT_THRESHOLD,
        part_size: int = PART_SIZE,
        workers: int = WORKERS,
        state_dir: Path | None = None,
    ) -> Blob:
        """Store ``source`` (a path, bytes or a readable stream) as ``blob_id``.

        Above ``threshold`` bytes it goes in ``part_size`` parts, ``workers``
        at a time, each retried on its own; a file's parts are recorded under
        ``state_dir`` (default :func:`default_state_dir`) so running the same
        upload again after an interruption sends only the missing parts.
        """
        url = self.blob_url(blob_id)
        content_type = content_type or "application/octet-stream"
        segmented = SegmentedUpload(
            self.client.session,
            url,
            part_size=part_size,
            workers=workers,
            content_type=content_type,
            metadata=metadata,
        )
        if isinstance(source, bytes):
            document = self._put(
                url,
                BytesPart(source, Counter(len(source), 0, progress)),
                content_type,
                metadata,
            )
        elif isinstance(source, (str, Path)):
            path = Path(source)
            size = path.stat().st_size
            if size > threshold:
                state = StateFile(
                    state_path(state_dir or default_state_dir(), url, path)
                )
                document = segmented.upload_file(path, progress, state)
            else:
                body = FileSlice(path, 0, size, Counter(size, 0, progress))
                document = self._put(url, body, content_type, metadata)
        else:
            head = source.read(threshold + 1)
            if len(head) <= threshold:
                body = BytesPart(head, Counter(len(head), 0, progress))
                document = self._put(url, body, content_type, metadata)
            else:
                document = segmented.upload_stream(head, source, progress)
        return Blob(self.client, member_of(document, "blob") or {})

    def _put(
        self,
        url: str,
        body: BytesPart | FileSlice,
        content_type: str,
        metadata: dict[str, str] | None,
    ) -> Any:
        headers = {f"{META_HEADER}{k}": v for k, v in (metadata or {}).items()}
        headers["Content-Type"] = content_type
        data: Any = body if len(body) else b""
        answer = with_retries(
            lambda: self.client.session.request("PUT", url, headers=headers, data=data),
            body,
        )
        return answer.json()
