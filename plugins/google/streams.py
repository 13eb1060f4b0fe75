"""Streams between a request and google-cloud-storage: a request body as the
SDK's resumable upload reads it, a download as the chunks of a response."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Any
from typing import BinaryIO


class ChunkReader:
    """A forward-only stream whose ``read(n)`` returns ``n`` bytes unless the
    body ends first, and which knows its position.

    The SDK takes a short read for the end of the upload, asks ``tell()`` for
    each chunk's offsets and ``seek``\\ s to the byte Cloud Storage says it has
    received; a request body cannot go back, so seeking anywhere but the
    current position is refused (the SDK reports that as an upload error).
    """

    def __init__(self, body: BinaryIO) -> None:
        self._body = body
        self._position = 0

    def read(self, size: int = -1) -> bytes:
        """``size`` bytes (fewer only at the end; everything left if negative)."""
        if size is None or size < 0:
            data = self._body.read()
            self._position += len(data)
            return data
        pieces = []
        wanted = size
        while wanted > 0:
            piece = self._body.read(wanted)
            if not piece:
                break
            pieces.append(piece)
            wanted -= len(piece)
        data = pieces[0] if len(pieces) == 1 else b"".join(pieces)
        self._position += len(data)
        return data

    def tell(self) -> int:
        """How many bytes were read so far."""
        return self._position

    def seek(self, offset: int, whence: int = 0) -> int:
        """Stay where the stream is; any other position is a ``ValueError``."""
        if whence != 0 or offset != self._position:
            raise ValueError("A request body cannot be rewound")
        return self._position


class _Cancelled(Exception):
    """The reader of a download went away: stop writing."""


class DownloadChunks:
    """The bytes of one streamed download, as an iterator of chunks.

    The SDK writes a download into a file object; here a thread runs
    ``download(writer)`` and the writer hands the bytes over in pieces of
    ``PIECE`` bytes through a queue at most ``DEPTH`` pieces deep, so memory
    stays bounded while reading from Cloud Storage overlaps sending to the
    client. Each error of the download is raised to the reader through
    ``errors`` (a context manager translating the SDK's errors). The first
    piece is waited for before this returns, so a missing blob or a refused
    request is an error answer, not a cut stream. ``close()`` (WSGI calls it)
    stops the download.
    """

    PIECE = 1024 * 1024
    DEPTH = 4
    _END = object()

    def __init__(
        self,
        download: Callable[[Any], object],
        errors: Callable[[], AbstractContextManager[None]],
    ) -> None:
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=self.DEPTH)
        self._closed = threading.Event()
        self._errors = errors
        self._buffer = bytearray()
        self._thread = threading.Thread(
            target=self._run, args=(download,), daemon=True, name="gcs-download"
        )
        self._thread.start()
        self._first: bytes | None = self._take()

    def _run(self, download: Callable[[Any], object]) -> None:
        try:
            download(self)
            if self._buffer:
                self._put(bytes(self._buffer))
            self._put(self._END)
        except _Cancelled:
            return
        except BaseException as exc:  # every failure is the reader's to raise
            try:
                self._put(exc)
            except _Cancelled:
                return

    def write(self, data: bytes) -> int:
        """Take bytes from the SDK (called in the download thread)."""
        self._buffer += data
        if len(self._buffer) >= self.PIECE:
            self._put(bytes(self._buffer))
            self._buffer.clear()
        return len(data)

    def _put(self, item: Any) -> None:
        while True:
            if self._closed.is_set():
                raise _Cancelled
            try:
                self._queue.put(item, timeout=0.5)
                return
            except queue.Full:
                continue

    def _take(self) -> bytes:
        item = self._queue.get()
        if item is self._END:
            self._closed.set()
            return b""
        if isinstance(item, BaseException):
            self._closed.set()
            with self._errors():
                raise item
        chunk: bytes = item
        return chunk

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        chunk = self._first if self._first is not None else self._take()
        self._first = None
        if not chunk:
            raise StopIteration
        return chunk

    def close(self) -> None:
        """Stop the download and let its thread end."""
        self._closed.set()
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
