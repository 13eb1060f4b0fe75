"""How the mock keeps blobs and segmented uploads in PostgreSQL (with
``DATABASE_URL``), so every node sees the same ones.

- a blob is a row of ``deltaflask_blobs``: its attributes and the contents
  (:mod:`deltaflask.store.contents`) that make its bytes, in order;
- an upload is an entity ``segmented_uploads/<id>`` of the mock's scope, and
  each segment a row of ``deltaflask_segments`` naming its content.

A body is streamed into chunk rows inside a transaction that takes the
scope's lock only at the end, to publish what was written (replacing a blob,
adding a segment) and drop what it replaces; a body cut off half-way rolls
the transaction back and leaves nothing. Completing an upload makes its
segments' contents the blob's, without copying a byte. A blob is read in a
snapshot, so a reader streams the blob it found even while it is replaced or
deleted. Uploads nobody has touched for ``SEGMENT_MAX_AGE`` seconds (a day)
are swept away when the mock plugin starts and on uploads, at most once a
minute per process.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Callable
from collections.abc import Mapping
from contextlib import ExitStack
from typing import Any
from typing import BinaryIO

from deltaflask.errors import ObjectNotFound
from deltaflask.files import SWEEP_INTERVAL
from deltaflask.plugins.mock.blob_store import SEGMENT_MAX_AGE
from deltaflask.plugins.mock.blob_store import BlobStore
from deltaflask.plugins.mock.blob_store import Entity
from deltaflask.plugins.mock.blob_store import blob_entity
from deltaflask.plugins.mock.blob_store import ended
from deltaflask.plugins.mock.blob_store import unknown_segment
from deltaflask.plugins.mock.store import MockDatabaseStore
from deltaflask.plugins.mock.store import check_id
from deltaflask.plugins.mock.store import natural_key
from deltaflask.store.contents import ContentChunks
from deltaflask.store.contents import delete_contents
from deltaflask.store.contents import write_content

UPLOADS = "segmented_uploads"
#: (database URL, scope) -> when this process last swept it
_swept: dict[tuple[str, str], float] = {}
_swept_guard = threading.Lock()


class DatabaseBlobStore(BlobStore):
    """Blobs and uploads of the mock's scope of ``store``'s database."""

    def __init__(self, store: MockDatabaseStore) -> None:
        self.store = store
        self.database = store.database
        self.scope = store.scope
        self._sweep_key = (store.url, store.scope)

    # -- blobs -------------------------------------------------------------------
    def blob_ids(self, bucket_id: str) -> list[str]:
        """The names of the bucket's blobs, in natural order."""
        rows = self.store.execute(
            "SELECT name FROM deltaflask_blobs WHERE scope = %s AND bucket = %s",
            check_id(bucket_id, "bucket name"),
        )
        return sorted((str(row[0]) for row in rows), key=natural_key)

    def load(self, bucket_id: str, blob_id: str) -> Entity | None:
        """The blob's attributes, or ``None``."""
        rows = self.store.execute(
            "SELECT body::text FROM deltaflask_blobs"
            " WHERE scope = %s AND bucket = %s AND name = %s",
            check_id(bucket_id, "bucket name"),
            check_id(blob_id, "blob name"),
        )
        return json.loads(rows[0][0]) if rows else None

    def write(
        self,
        bucket_id: str,
        blob_id: str,
        body: BinaryIO,
        attrs: Mapping[str, Any],
        check: Callable[[], None],
    ) -> Entity:
        """Stream ``body`` into chunk rows, then publish it as the blob."""
        check_id(bucket_id, "bucket name")
        check_id(blob_id, "blob name")
        with self.database.streaming() as connection:
            content, length = write_content(connection, body)
            entity = blob_entity(
                bucket_id, blob_id, {**attrs, "content_length": length}
            )
            with self.store.transaction():
                check()
                self._publish(bucket_id, entity, [content])
        return entity

    def _publish(self, bucket_id: str, entity: Entity, contents: list[int]) -> None:
        """Make ``contents`` the bytes of the blob ``entity`` (inside a store
        transaction), dropping those of the blob it replaces."""
        old = self.store.execute(
            "SELECT contents FROM deltaflask_blobs"
            " WHERE scope = %s AND bucket = %s AND name = %s",
            bucket_id,
            entity["id"],
        )
        self.store.execute(
            "INSERT INTO deltaflask_blobs (scope, bucket, name, body, contents)"
            " VALUES (%s, %s, %s, %s::json, %s)"
            " ON CONFLICT (scope, bucket, name)"
            " DO UPDATE SET body = EXCLUDED.body, contents = EXCLUDED.contents",
            bucket_id,
            entity["id"],
            json.dumps(entity),
            contents,
        )
        if old:
            with self.database.connection() as connection:
                delete_contents(connection, old[0][0])

    def open(self, bucket_id: str, blob_id: str) -> ContentChunks:
        """The blob's bytes, read in one snapshot (404 when it is missing)."""
        check_id(bucket_id, "bucket name")
        check_id(blob_id, "blob name")
        stack = ExitStack()
        try:
            connection = self.database.snapshot(stack)
            row = connection.execute(
                "SELECT contents FROM deltaflask_blobs"
                " WHERE scope = %s AND bucket = %s AND name = %s",
                (self.scope, bucket_id, blob_id),
            ).fetchone()
            if row is None:
                raise ObjectNotFound(
                    f"Blob '{blob_id}' not found in bucket '{bucket_id}'"
                )
            return ContentChunks(stack, connection, row[0])
        except BaseException:
            stack.close()
            raise

    def save(self, bucket_id: str, entity: Entity) -> None:
        """Store the blob's changed attributes."""
        with self.database.connection() as connection:
            connection.execute(
                "UPDATE deltaflask_blobs SET body = %s::json"
                " WHERE scope = %s AND bucket = %s AND name = %s",
                (json.dumps(entity), self.scope, bucket_id, entity["id"]),
            )

    def delete(self, bucket_id: str, blob_id: str) -> None:
        """Remove the blob's row and its bytes."""
        rows = self.store.execute(
            "DELETE FROM deltaflask_blobs"
            " WHERE scope = %s AND bucket = %s AND name = %s RETURNING contents",
            bucket_id,
            blob_id,
        )
        if rows:
            with self.database.connection() as connection:
                delete_contents(connection, rows[0][0])

    def make_bucket(self, bucket_id: str) -> None:
        """Nothing to make: a bucket's blobs are rows."""

    def drop_bucket(self, bucket_id: str) -> None:
        """Nothing left: an emptied bucket has no rows."""

    # -- segmented uploads -------------------------------------------------------
    def begin_upload(self, record: Entity) -> None:
        """Store the upload's entity, with when it began."""
        self.store.save(UPLOADS, {**record, "began": time.time()})

    def upload(self, upload_id: str) -> Entity | None:
        """The upload's entity, or ``None``."""
        return self.store.load(UPLOADS, upload_id)

    def write_segment(self, upload_id: str, order: int, body: BinaryIO) -> str:
        """Stream one segment into chunk rows, then add it to the upload
        (404, and nothing kept, when the upload ended meanwhile)."""
        segment_id = secrets.token_hex(8)
        with self.database.streaming() as connection:
            content, length = write_content(connection, body)
            with self.store.transaction():
                if self.store.load(UPLOADS, upload_id) is None:
                    raise ObjectNotFound(ended(upload_id))
                self.store.execute(
                    "INSERT INTO deltaflask_segments"
                    " (scope, upload, segment, number, content, length)"
                    " VALUES (%s, %s, %s, %s, %s, %s)",
                    upload_id,
                    segment_id,
                    order,
                    content,
                    length,
                )
        return segment_id

    def complete(
        self,
        upload: Entity,
        chosen: list[tuple[int, str]],
        check: Callable[[], None],
    ) -> Entity:
        """Make the chosen segments' contents, in order, the blob's bytes."""
        upload_id = upload["id"]
        with self.store.transaction():
            if self.store.load(UPLOADS, upload_id) is None:
                raise ObjectNotFound(ended(upload_id))
            written = {
                (int(number), str(segment)): (int(content), int(length))
                for segment, number, content, length in self.store.execute(
                    "SELECT segment, number, content, length FROM deltaflask_segments"
                    " WHERE scope = %s AND upload = %s",
                    upload_id,
                )
            }
            for order, segment_id in chosen:
                if (order, segment_id) not in written:
                    raise unknown_segment(order, segment_id)
            check()
            picked = [written.pop(key) for key in chosen]
            entity = blob_entity(
                upload["bucket"],
                upload["blob"],
                {
                    "content_length": sum(length for _, length in picked),
                    "content_type": upload.get("content_type") or "",
                    "user_metadata": upload.get("user_metadata") or {},
                },
            )
            self._publish(upload["bucket"], entity, [content for content, _ in picked])
            self._end_upload(upload_id, [content for content, _ in written.values()])
        return entity

    def abort(self, upload_id: str) -> None:
        """Drop the upload, its segments and their bytes, in one transaction."""
        with self.store.transaction():
            rows = self.store.execute(
                "SELECT content FROM deltaflask_segments"
                " WHERE scope = %s AND upload = %s",
                upload_id,
            )
            self._end_upload(upload_id, [int(row[0]) for row in rows])

    def _end_upload(self, upload_id: str, dropped: list[int]) -> None:
        """Remove the upload's entity and segment rows, and ``dropped`` bytes."""
        self.store.execute(
            "DELETE FROM deltaflask_segments WHERE scope = %s AND upload = %s",
            upload_id,
        )
        with self.database.connection() as connection:
            delete_contents(connection, dropped)
        self.store.delete(UPLOADS, upload_id)

    def sweep(self, settings: Mapping[str, Any]) -> None:
        """Abort the uploads nobody began or added a segment to for
        ``SEGMENT_MAX_AGE`` seconds, unless this process did within
        ``SWEEP_INTERVAL`` (a minute)."""
        now = time.monotonic()
        interval = float(settings.get("SWEEP_INTERVAL", SWEEP_INTERVAL))
        with _swept_guard:
            last = _swept.get(self._sweep_key)
            if last is not None and now - last < interval:
                return
            _swept[self._sweep_key] = now
        max_age = float(settings.get("SEGMENT_MAX_AGE", SEGMENT_MAX_AGE))
        cutoff = time.time() - max_age
        for upload in self.store.all(UPLOADS):
            if float(upload.get("began") or 0) < cutoff:
                with self.store.transaction():  # no segment is added meanwhile
                    recent = self.store.execute(
                        "SELECT 1 FROM deltaflask_segments WHERE scope = %s"
                        " AND upload = %s AND written >= to_timestamp(%s)",
                        upload["id"],
                        cutoff,
                    )
                    if not recent:
                        self.abort(upload["id"])
