"""A request body as the resumable upload of google-cloud-storage reads it."""

from __future__ import annotations

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
