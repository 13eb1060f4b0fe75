"""Byte contents (blob bodies) in PostgreSQL, streamed both ways.

A content is a number from ``deltaflask_content_ids`` and its bytes in rows
of ``deltaflask_chunks`` of :data:`CHUNK` bytes each (the last one shorter),
stored uncompressed (``STORAGE EXTERNAL``). A body is written one chunk at a
time as it arrives and read back one row at a time through a server-side
cursor, so neither side ever holds more than a chunk or two, whatever the
size. Writes belong to the caller's transaction: a body cut off half-way is
rolled back with it, and nothing of it remains.
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Sequence
from contextlib import ExitStack
from typing import TYPE_CHECKING
from typing import Any
from typing import BinaryIO

if TYPE_CHECKING:
    from psycopg import Connection
    from psycopg import ServerCursor

#: bytes per stored row (and per piece handed to a client)
CHUNK = 1024 * 1024


def write_content(connection: Connection[Any], source: BinaryIO) -> tuple[int, int]:
    """Store what ``source`` holds as a new content; its (number, length)."""
    row = connection.execute("SELECT nextval('deltaflask_content_ids')").fetchone()
    assert row is not None
    content, number, length = int(row[0]), 0, 0
    pending = bytearray()
    while piece := source.read(CHUNK - len(pending)):
        pending += piece
        length += len(piece)
        if len(pending) == CHUNK:
            _insert(connection, content, number, pending)
            number += 1
            pending.clear()
    if pending or number == 0:
        _insert(connection, content, number, pending)
    return content, length


def _insert(
    connection: Connection[Any], content: int, number: int, data: bytearray
) -> None:
    connection.execute(
        "INSERT INTO deltaflask_chunks (content, number, data) VALUES (%s, %s, %s)",
        (content, number, bytes(data)),
    )


def delete_contents(connection: Connection[Any], contents: Sequence[int]) -> None:
    """Remove the bytes of ``contents``."""
    if contents:
        connection.execute(
            "DELETE FROM deltaflask_chunks WHERE content = ANY(%s)", (list(contents),)
        )


class ContentChunks:
    """The bytes of ``contents``, one after the other, a row at a time.

    Reads a server-side cursor on ``connection`` (whose transaction ``stack``
    ends); the stack is closed when the last row is read, when :meth:`close`
    is called (a WSGI server calls it when the response ends), or at the
    latest when the object is collected.
    """

    def __init__(
        self, stack: ExitStack, connection: Connection[Any], contents: Sequence[int]
    ) -> None:
        self._stack = stack
        cursor: ServerCursor[Any, Any] = connection.cursor("content", binary=True)
        stack.callback(cursor.close)
        cursor.execute(
            "SELECT c.data FROM unnest(%s::bigint[]) WITH ORDINALITY AS p(id, place)"
            " JOIN deltaflask_chunks c ON c.content = p.id"
            " ORDER BY p.place, c.number",
            (list(contents),),
        )
        self._cursor = cursor

    @staticmethod
    def only_file() -> None:
        """Never one file (see the files backend's ``FileChunks``)."""
        return None

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        while not self._cursor.closed:
            row = self._cursor.fetchone()
            if row is None:
                self.close()
                break
            if row[0]:
                return bytes(row[0])  # already bytes (binary), never copied
        raise StopIteration

    def close(self) -> None:
        """End the transaction and give its connection back."""
        self._stack.close()

    def __del__(self) -> None:
        """Give the connection back even if nobody read to the end or closed
        (a test client's unread answer), so the pool never runs dry."""
        self.close()
