"""Moving blob bytes: file slices and in-memory parts sent in chunks, the
shared progress count, and a part's retries."""

from __future__ import annotations

import threading
import time
from abc import ABC
from abc import abstractmethod
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path

import requests

from deltaflask.client.errors import ServerError
from deltaflask.client.errors import TransferError

CHUNK = 1024 * 1024
#: a part is tried this many times before the upload gives up
RETRIES = 4
RETRY_DELAY = 0.5
#: statuses worth another try: timeouts, throttling, server failures
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})

Progress = Callable[[int, int], None]


class Cancelled(TransferError):
    """The transfer was stopped (interrupted, or another part failed)."""


class Counter:
    """Bytes moved so far out of ``total``, reported to ``progress``; several
    threads add to it. ``cancel`` makes every running part stop."""

    def __init__(self, total: int, done: int = 0, progress: Progress | None = None):
        self.total = total
        self.done = done
        self._progress = progress
        self._lock = threading.Lock()
        self.cancelled = threading.Event()
        if progress is not None:
            progress(done, total)

    def add(self, count: int) -> None:
        """Count ``count`` more bytes (negative when an attempt is undone)."""
        if self.cancelled.is_set():
            raise Cancelled("transfer cancelled")
        with self._lock:
            self.done += count
            if self._progress is not None:
                self._progress(self.done, self.total)

    def take_back(self, count: int) -> None:
        """Uncount the bytes of a failed attempt (reported at the next add)."""
        with self._lock:
            self.done -= count

    def cancel(self) -> None:
        """Stop every part at its next chunk."""
        self.cancelled.set()


class Body(ABC):
    """A request body of known length sent in chunks, each one counted; it
    can be sent again (a retry) and remembers what the last attempt sent."""

    def __init__(self, length: int, counter: Counter) -> None:
        self.length = length
        self.counter = counter
        self.sent = 0

    def __len__(self) -> int:
        return self.length

    @abstractmethod
    def chunks(self) -> Iterator[bytes]:
        """The body's bytes, a chunk at a time."""

    def __iter__(self) -> Iterator[bytes]:
        self.sent = 0
        for chunk in self.chunks():
            self.counter.add(len(chunk))
            self.sent += len(chunk)
            yield chunk

    def undo(self) -> None:
        """Take back what a failed attempt counted."""
        if self.sent:
            self.counter.take_back(self.sent)
            self.sent = 0


class FileSlice(Body):
    """``length`` bytes of the file ``path`` from ``offset``."""

    def __init__(self, path: Path, offset: int, length: int, counter: Counter):
        super().__init__(length, counter)
        self.path = path
        self.offset = offset

    def chunks(self) -> Iterator[bytes]:
        """Read the slice anew for each attempt."""
        with open(self.path, "rb") as source:
            source.seek(self.offset)
            left = self.length
            while left:
                chunk = source.read(min(CHUNK, left))
                if not chunk:
                    raise TransferError(f"{self.path} got shorter while sending it")
                left -= len(chunk)
                yield chunk


class BytesPart(Body):
    """A part held in memory (read from a stream that cannot seek)."""

    def __init__(self, data: bytes, counter: Counter) -> None:
        super().__init__(len(data), counter)
        self.data = memoryview(data)

    def chunks(self) -> Iterator[bytes]:
        """The part in chunks."""
        for start in range(0, self.length, CHUNK):
            yield bytes(self.data[start : start + CHUNK])


def with_retries(
    send: Callable[[], requests.Response], body: Body
) -> requests.Response:
    """``send()`` up to :data:`RETRIES` times while the failure is a dropped
    connection or a status worth retrying; progress is taken back each time."""
    attempt = 1
    while True:
        try:
            return send()
        except (ServerError, TransferError) as exc:
            body.undo()
            if attempt >= RETRIES or not worth_retrying(exc, body.counter):
                raise
        time.sleep(RETRY_DELAY * 2 ** (attempt - 1))
        attempt += 1


def worth_retrying(error: Exception, counter: Counter) -> bool:
    """A dropped connection or a passing server failure, while not cancelled."""
    if counter.cancelled.is_set() or isinstance(error, Cancelled):
        return False
    if isinstance(error, ServerError):
        return error.status in RETRY_STATUSES
    return True
