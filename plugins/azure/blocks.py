"""Block ids, and a request body staged as blocks one bounded chunk at a time.

Azure wants every block id of one blob to have the same length, so every id
the driver makes has 48 ASCII characters (64 once the SDK has base64-encoded
it, the length azure-storage-blob's own uploads use too)::

    df<upload: 16 hex>.<order: 6 digits>.<segment: 16 hex>.<part: 5 digits>

``upload`` ties the blocks of one upload together, ``order`` is a segment's
place in the blob (0 for an upload's marker block), ``segment`` tells apart
two uploads of the same order, and ``part`` numbers the blocks of one
segment: a segment is staged in blocks of at most ``CHUNK`` bytes, so memory
does not grow with its size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from typing import BinaryIO

from deltaflask.errors import ValidationFailure
from deltaflask.plugins.azure.clients import TRANSFER_CHUNK
from deltaflask.plugins.azure.errors import azure_errors

CHUNK = TRANSFER_CHUNK
READ = 1024 * 1024
MAX_PARTS = 99999
_RAW = re.compile(r"^df([0-9a-f]{16})\.(\d{6})\.([0-9a-f]{16})\.(\d{5})$")


@dataclass(frozen=True, order=True)
class BlockName:
    """The parts of a block id the driver made."""

    upload: str
    order: int
    segment: str
    part: int

    @property
    def block_id(self) -> str:
        """The id as the SDK takes it (it encodes it in base64)."""
        return f"df{self.upload}.{self.order:06d}.{self.segment}.{self.part:05d}"


def parse_block_id(block_id: str) -> BlockName | None:
    """The parts of a block id the driver made, else ``None``."""
    found = _RAW.match(block_id)
    if found is None:
        return None
    upload, order, segment, part = found.groups()
    return BlockName(upload, int(order), segment, int(part))


def read_chunk(body: BinaryIO, size: int) -> bytes:
    """Up to ``size`` bytes of ``body``: fewer only when it ends first.

    It reads at most ``READ`` bytes at a time: a WSGI server's body (gunicorn's)
    briefly holds a few copies of what one read asks for.
    """
    pieces = []
    wanted = size
    while wanted > 0:
        piece = body.read(min(wanted, READ))
        if not piece:
            break
        pieces.append(piece)
        wanted -= len(piece)
    return pieces[0] if len(pieces) == 1 else b"".join(pieces)


def stage(blob: Any, name: BlockName, chunk: bytes) -> str:
    """Stage ``chunk`` as the block ``name``; return its id."""
    with azure_errors():
        blob.stage_block(name.block_id, chunk, length=len(chunk))
    return name.block_id


def stage_stream(
    blob: Any, upload: str, order: int, segment: str, body: BinaryIO, part: int = 1
) -> list[str]:
    """Stage the rest of ``body`` as blocks of at most ``CHUNK`` bytes, the
    first numbered ``part``; return their ids in order."""
    staged: list[str] = []
    while chunk := read_chunk(body, CHUNK):
        if part > MAX_PARTS:
            raise ValidationFailure(
                f"A segment may hold at most {MAX_PARTS} blocks of {CHUNK} bytes"
            )
        staged.append(stage(blob, BlockName(upload, order, segment, part), chunk))
        part += 1
    return staged
