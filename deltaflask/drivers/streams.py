"""Blob bodies a driver hands the frontends as they come from its SDK."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator


class ClosingChunks:
    """A provider's answer in chunks, released (``close``) when the last
    chunk is read, or earlier by ``close()``, which WSGI servers call when a
    client goes away."""

    def __init__(self, chunks: Iterator[bytes], close: Callable[[], None]) -> None:
        self._chunks = chunks
        self._close = close

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        try:
            return next(self._chunks)
        except StopIteration:
            self.close()
            raise

    def close(self) -> None:
        """Release the connection the answer holds."""
        self._close()
