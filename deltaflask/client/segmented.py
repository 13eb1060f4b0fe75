"""Segmented blob uploads (the classic API's protocol): initiate with
``X-Deltacloud-BlobType: segmented``, send the parts in parallel with
``X-Deltacloud-SegmentedBlob`` and ``X-Deltacloud-SegmentOrder``, each tried
again on its own when it fails, and complete with the manifest
``1=ID1, 2=ID2``. The parts sent so far are written to a state file (0600),
so the same upload run again after an interruption sends only what is left."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED
from concurrent.futures import Future
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any
from typing import BinaryIO

from deltaflask.client.errors import ClientError
from deltaflask.client.errors import NotFound
from deltaflask.client.http import Session
from deltaflask.client.transfer import Body
from deltaflask.client.transfer import BytesPart
from deltaflask.client.transfer import Counter
from deltaflask.client.transfer import FileSlice
from deltaflask.client.transfer import Progress
from deltaflask.client.transfer import with_retries

UPLOAD_HEADER = "X-Deltacloud-SegmentedBlob"
ORDER_HEADER = "X-Deltacloud-SegmentOrder"
SEGMENT_HEADER = "X-Deltacloud-BlobSegmentId"
TYPE_HEADER = "X-Deltacloud-BlobType"
META_HEADER = "X-Deltacloud-Blobmeta-"

Record = Callable[[int, str], None]


@dataclass
class Upload:
    """A segmented upload of a file: where it goes, what it sends, what is done."""

    url: str
    source: str
    size: int
    mtime_ns: int
    part_size: int
    upload_id: str = ""
    #: part order (as text, JSON keys) -> segment id
    parts: dict[str, str] = field(default_factory=dict)

    @property
    def count(self) -> int:
        """How many parts the file makes."""
        return max(1, -(-self.size // self.part_size))

    def span(self, order: int) -> tuple[int, int]:
        """(offset, length) of part ``order`` (from 1)."""
        offset = (order - 1) * self.part_size
        return offset, min(self.part_size, self.size - offset)

    def matches(self, other: Upload) -> bool:
        """The same file, unchanged, to the same blob, cut the same way."""
        keys = ("url", "source", "size", "mtime_ns", "part_size")
        return all(getattr(self, k) == getattr(other, k) for k in keys)


class StateFile:
    """Where an upload's progress is kept between runs (owner-only)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path

    def load(self) -> Upload | None:
        """The saved upload, if any (an unreadable file counts as none)."""
        if self.path is None or not self.path.exists():
            return None
        try:
            return Upload(**json.loads(self.path.read_text(encoding="utf-8")))
        except (ValueError, TypeError):
            return None

    def save(self, upload: Upload) -> None:
        """Write the upload atomically, readable by the owner only."""
        if self.path is None:
            return
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            json.dump(asdict(upload), out)
        os.replace(temporary, self.path)

    def remove(self) -> None:
        """Forget the upload (it completed, or the server no longer has it)."""
        if self.path is not None:
            self.path.unlink(missing_ok=True)


def default_state_dir() -> Path:
    """``$XDG_STATE_HOME/deltaflask/uploads`` (``~/.local/state/...``)."""
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base) / "deltaflask" / "uploads"


def state_path(state_dir: Path, url: str, source: Path) -> Path:
    """The state file of uploading ``source`` to ``url``."""
    key = hashlib.sha256(f"{url}\n{source.resolve()}".encode()).hexdigest()[:32]
    return state_dir / f"{key}.json"


class SegmentedUpload:
    """Uploads one blob in parts, ``workers`` at a time."""

    def __init__(
        self,
        session: Session,
        url: str,
        *,
        part_size: int,
        workers: int,
        content_type: str | None = None,
        metadata: dict[str, str] | None = None,
    ) -> None:
        self.session = session
        self.url = url
        self.part_size = part_size
        self.workers = max(1, workers)
        self.content_type = content_type
        self.metadata = metadata or {}

    def initiate(self) -> str:
        """Start an upload on the server; its id."""
        headers = {TYPE_HEADER: "segmented", **self._meta_headers()}
        if self.content_type:
            headers["Content-Type"] = self.content_type
        answer = self.session.request("PUT", self.url, headers=headers, data=b"")
        return answer.headers[UPLOAD_HEADER]

    def _meta_headers(self) -> dict[str, str]:
        return {f"{META_HEADER}{k}": v for k, v in self.metadata.items()}

    def send_part(self, upload_id: str, order: int, body: Body) -> str:
        """Send one part (retried on its own); the segment id the server gives."""
        headers = {UPLOAD_HEADER: upload_id, ORDER_HEADER: str(order)}
        if self.content_type:
            headers["Content-Type"] = self.content_type
        answer = with_retries(
            lambda: self.session.request("PUT", self.url, headers=headers, data=body),
            body,
        )
        return answer.headers[SEGMENT_HEADER]

    def complete(self, upload_id: str, parts: dict[int, str]) -> dict[str, Any]:
        """Send the manifest; the blob's JSON document."""
        manifest = ", ".join(f"{order}={parts[order]}" for order in sorted(parts))
        return self.session.json(
            "PUT",
            self.url,
            data=manifest.encode("ascii"),
            headers={UPLOAD_HEADER: upload_id, "Content-Type": "text/plain"},
        )

    def abort(self, upload_id: str) -> None:
        """Cancel an upload on the server and drop its parts."""
        self.session.request("DELETE", self.url, headers={UPLOAD_HEADER: upload_id})

    def abort_quietly(self, upload_id: str) -> None:
        """Abort, ignoring a failure (the server may have dropped it already)."""
        with contextlib.suppress(ClientError):
            self.abort(upload_id)

    def upload_file(
        self, path: Path, progress: Progress | None, state: StateFile
    ) -> dict[str, Any]:
        """Upload the file ``path``, resuming what ``state`` recorded."""
        stat = path.stat()
        wanted = Upload(
            self.url,
            str(path.resolve()),
            stat.st_size,
            stat.st_mtime_ns,
            self.part_size,
        )
        saved = state.load()
        if saved is not None and saved.upload_id:
            if saved.matches(wanted):
                try:
                    return self._send_file(path, saved, progress, state)
                except NotFound:
                    state.remove()  # the server forgot it (aborted or expired)
            else:  # the file changed since: its parts are of no use
                self.abort_quietly(saved.upload_id)
        wanted.upload_id = self.initiate()
        state.save(wanted)
        return self._send_file(path, wanted, progress, state)

    def _send_file(
        self, path: Path, upload: Upload, progress: Progress | None, state: StateFile
    ) -> dict[str, Any]:
        done = sum(upload.span(int(order))[1] for order in upload.parts)
        counter = Counter(upload.size, done, progress)
        left = [n for n in range(1, upload.count + 1) if str(n) not in upload.parts]

        def body(order: int) -> Body:
            offset, length = upload.span(order)
            return FileSlice(path, offset, length, counter)

        def record(order: int, segment_id: str) -> None:
            upload.parts[str(order)] = segment_id
            state.save(upload)

        self._run_parts(upload.upload_id, ((n, body(n)) for n in left), counter, record)
        parts = {int(order): segment for order, segment in upload.parts.items()}
        blob = self.complete(upload.upload_id, parts)
        state.remove()
        return blob

    def upload_stream(
        self, head: bytes, stream: BinaryIO, progress: Progress | None, total: int = 0
    ) -> dict[str, Any]:
        """Upload ``head`` then the rest of ``stream`` (not resumable: a stream
        cannot be read again); ``total`` is its size where known."""
        upload_id = self.initiate()
        counter = Counter(total, 0, progress)
        parts: dict[int, str] = {}

        def bodies() -> Iterator[tuple[int, Body]]:
            buffer, order = head, 1
            while True:
                while len(buffer) < self.part_size:
                    more = stream.read(self.part_size - len(buffer))
                    if not more:
                        break
                    buffer += more
                if not buffer:
                    return
                yield order, BytesPart(buffer[: self.part_size], counter)
                buffer, order = buffer[self.part_size :], order + 1

        try:
            self._run_parts(upload_id, bodies(), counter, parts.__setitem__)
        except BaseException:
            self.abort_quietly(upload_id)
            raise
        return self.complete(upload_id, parts)

    def _run_parts(
        self,
        upload_id: str,
        bodies: Iterator[tuple[int, Body]],
        counter: Counter,
        record: Record,
    ) -> None:
        """Send the parts, at most ``workers`` at once (and as many read ahead);
        the first failure cancels the rest, after recording what finished."""
        with ThreadPoolExecutor(self.workers, thread_name_prefix="part") as pool:
            running: dict[Future[str], int] = {}
            try:
                for order, body in bodies:
                    if len(running) >= self.workers:
                        self._collect(running, record)
                    running[pool.submit(self.send_part, upload_id, order, body)] = order
                while running:
                    self._collect(running, record)
            except BaseException:
                counter.cancel()
                wait(running)
                for future, order in running.items():
                    if not future.cancelled() and future.exception() is None:
                        record(order, future.result())
                raise

    @staticmethod
    def _collect(running: dict[Future[str], int], record: Record) -> None:
        """Wait for a part to finish and record it (its failure raises)."""
        done, _ = wait(running, return_when=FIRST_COMPLETED)
        for future in done:
            order = running.pop(future)
            record(order, future.result())
