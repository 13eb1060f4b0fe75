"""Shared test helpers taken from test_ec2_driver_storage.py."""

from __future__ import annotations

import hashlib
import io
from typing import Any

BLOCK = 64 * 1024


class Pattern(io.RawIOBase):
    """``size`` bytes made up on demand (64 KiB blocks of one value each)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        self.pos = {0: offset, 1: self.pos + offset, 2: self.size + offset}[whence]
        return self.pos

    def tell(self) -> int:
        return self.pos

    def readinto(self, buffer: Any) -> int:
        count = min(len(buffer), self.size - self.pos, BLOCK - self.pos % BLOCK)
        buffer[:count] = bytes([(self.pos // BLOCK * 31 + 7) % 256]) * count
        self.pos += count
        return count


def digest(stream: Any) -> str:
    """The SHA-256 of everything ``stream`` gives."""
    found = hashlib.sha256()
    while chunk := stream.read(1 << 20):
        found.update(chunk)
    return found.hexdigest()
