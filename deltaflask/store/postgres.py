"""The PostgreSQL backend of the entity store, for several nodes sharing state.

Chosen by one setting, ``DATABASE_URL`` (``DELTAFLASK_DATABASE_URL``), e.g.
``postgresql://deltaflask@db.example.org/deltaflask``; needs the ``postgres``
extra (psycopg 3 and its pool), imported on first use. The schema is created
when missing (``CREATE TABLE IF NOT EXISTS``; one version so far, so no
migrations):

- ``deltaflask_entities (scope, kind, id, body json)``: one row per entity;
  ``json`` (not ``jsonb``) keeps an entity's keys in their given order;
- ``deltaflask_sequences (scope, name, next)``: numbers never handed out twice;
- ``deltaflask_scopes (scope, seeded)``: whether a store's first content is in;
- ``deltaflask_secrets (name, value)``: secrets every node must share (the
  session key);
- ``deltaflask_chunks (content, number, data bytea)``: byte contents (blob
  bodies) in fixed-size rows, numbered from ``deltaflask_content_ids`` (see
  :mod:`deltaflask.store.contents`);
- ``deltaflask_blobs (scope, bucket, name, body json, contents)`` and
  ``deltaflask_segments (scope, upload, segment, number, content, length)``:
  a scope's blobs (attributes and the contents that make their bytes, in
  order) and the segments of its unfinished segmented uploads.

A *scope* names one store (``cimi/<driver>-<provider>-<user>``, ...), as a
folder does for :class:`~deltaflask.store.json_files.JsonFileStore`. A
transaction is a database transaction holding the scope's advisory lock
(``pg_advisory_xact_lock``), so read-modify-write sequences of every thread,
process and node using the scope run one at a time, as under the files'
``flock``; it is re-entrant within a thread. Statements outside a transaction
run on their own (autocommit). Each process keeps one connection pool per
database URL (created after a fork, never inherited), and a second one for
body transfers (:meth:`Database.streaming`, :meth:`Database.snapshot`), so
slow clients never starve ordinary statements of connections.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
from collections.abc import Callable
from collections.abc import Collection
from collections.abc import Iterator
from contextlib import AbstractContextManager
from contextlib import ExitStack
from contextlib import contextmanager
from typing import TYPE_CHECKING
from typing import Any

from deltaflask.store.base import Entity
from deltaflask.store.base import EntityStore
from deltaflask.store.base import Result
from deltaflask.store.base import check_id
from deltaflask.store.base import is_safe_id
from deltaflask.store.base import natural_key

if TYPE_CHECKING:
    from psycopg import Connection
    from psycopg_pool import ConnectionPool

SCHEMA = """
CREATE TABLE IF NOT EXISTS deltaflask_entities (
    scope text NOT NULL, kind text NOT NULL, id text NOT NULL, body json NOT NULL,
    PRIMARY KEY (scope, kind, id));
CREATE TABLE IF NOT EXISTS deltaflask_sequences (
    scope text NOT NULL, name text NOT NULL, next bigint NOT NULL,
    PRIMARY KEY (scope, name));
CREATE TABLE IF NOT EXISTS deltaflask_scopes (
    scope text PRIMARY KEY, seeded boolean NOT NULL DEFAULT false);
CREATE TABLE IF NOT EXISTS deltaflask_secrets (
    name text PRIMARY KEY, value text NOT NULL);
CREATE SEQUENCE IF NOT EXISTS deltaflask_content_ids;
DO $$ BEGIN
    IF to_regclass('deltaflask_chunks') IS NULL THEN
        CREATE TABLE deltaflask_chunks (
            content bigint NOT NULL, number integer NOT NULL, data bytea NOT NULL,
            PRIMARY KEY (content, number));
        -- uncompressed (blob bytes rarely shrink); set once, when made:
        -- altering it at every start would wait for every node's transfers
        ALTER TABLE deltaflask_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
    END IF;
END $$;
CREATE TABLE IF NOT EXISTS deltaflask_blobs (
    scope text NOT NULL, bucket text NOT NULL, name text NOT NULL,
    body json NOT NULL, contents bigint[] NOT NULL,
    PRIMARY KEY (scope, bucket, name));
CREATE TABLE IF NOT EXISTS deltaflask_segments (
    scope text NOT NULL, upload text NOT NULL, segment text NOT NULL,
    number integer NOT NULL, content bigint NOT NULL, length bigint NOT NULL,
    written timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (scope, upload, segment));
"""
#: the most connections one process opens to one database
POOL_SIZE = 10
#: seconds a request waits for a free connection before failing
POOL_TIMEOUT = 30.0
#: seconds to wait for the server when connecting
CONNECT_TIMEOUT = 10
#: an advisory lock key of its own while the schema is made (any fixed number)
SCHEMA_LOCK = 0x64656C7461
#: (process id, url) -> the process's database
_databases: dict[tuple[int, str], Database] = {}
_databases_guard = threading.Lock()


class MissingDriver(RuntimeError):
    """``DATABASE_URL`` is set but psycopg is not installed."""


class DatabaseUnavailable(RuntimeError):
    """The database of ``DATABASE_URL`` cannot be reached or used."""


def database(url: str) -> Database:
    """This process's :class:`Database` for ``url`` (one pool per process)."""
    key = (os.getpid(), url)
    with _databases_guard:
        found = _databases.get(key)
        if found is None:
            found = _databases[key] = Database(url)
    return found


def close_database(url: str) -> None:
    """Close this process's pool for ``url`` (if one is open)."""
    with _databases_guard:
        found = _databases.pop((os.getpid(), url), None)
    if found is not None:
        found.close()


class Database:
    """A pool of connections to one PostgreSQL database, with the schema made."""

    def __init__(self, url: str) -> None:
        try:
            import psycopg
            import psycopg_pool  # noqa: F401  (checked here, used by _pool)
        except ImportError as missing:
            raise MissingDriver(
                "DATABASE_URL needs psycopg: pip install 'deltaflask[postgres]'"
            ) from missing
        try:
            with (
                psycopg.connect(
                    url, autocommit=True, connect_timeout=CONNECT_TIMEOUT
                ) as connection,
                connection.transaction(),
            ):
                connection.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
                connection.execute(SCHEMA)
        except psycopg.Error as error:  # its text names no password
            raise DatabaseUnavailable(
                f"cannot use the database of DATABASE_URL: {error}"
            ) from None
        self.pool: ConnectionPool = _pool(url, 1)
        #: connections for body transfers, opened as they are needed
        self.streams: ConnectionPool = _pool(url, 0)
        #: per thread: the open transaction's ``connection`` and the
        #: ``depths`` of the scopes it locks
        self._open = threading.local()
        #: the scopes seen seeded (a marker is never taken back but by clear)
        self.seeded_scopes: set[str] = set()

    def close(self) -> None:
        """Close every connection of both pools."""
        self.pool.close()
        self.streams.close()

    @contextmanager
    def connection(self) -> Iterator[Connection[Any]]:
        """The connection of this thread's open transaction (whatever scope it
        locks), or a pooled one whose statements commit one by one; so a
        thread holds one connection at most and waiters cannot starve the
        pool of the one a lock holder needs."""
        held = self._open.__dict__.get("connection")
        if held is not None:
            yield held
            return
        with self.pool.connection() as connection:
            yield connection

    @contextmanager
    def transaction(self, scope: str) -> Iterator[None]:
        """One transaction holding ``scope``'s advisory lock; re-entrant. A
        transaction opened inside another one of this thread joins it (and
        holds its lock until the outer one ends)."""
        state = self._open.__dict__
        if "connection" in state:
            depths: dict[str, int] = state["depths"]
            if scope not in depths:
                _lock(state["connection"], scope)
            depths[scope] = depths.get(scope, 0) + 1
            try:
                yield
            finally:
                depths[scope] -= 1
            return
        with self.pool.connection() as connection, connection.transaction():
            _lock(connection, scope)
            state["connection"], state["depths"] = connection, {scope: 1}
            try:
                yield
            finally:
                del state["connection"], state["depths"]

    @contextmanager
    def streaming(self) -> Iterator[Connection[Any]]:
        """A transaction on a transfer connection that locks no scope yet, made
        this thread's transaction: a body's chunks go in without a lock, and a
        store transaction opened inside joins it and takes its scope's lock
        then, until the end (to publish what was written). Everything is
        rolled back when the block fails, so a cut-off body leaves nothing."""
        state = self._open.__dict__
        if "connection" in state:
            raise RuntimeError("a body is streamed inside a transaction")
        with self.streams.connection() as connection, connection.transaction():
            state["connection"], state["depths"] = connection, {}
            try:
                yield connection
            finally:
                del state["connection"], state["depths"]

    def snapshot(self, stack: ExitStack) -> Connection[Any]:
        """A transfer connection in a read-only transaction seeing one
        snapshot (``REPEATABLE READ``) until ``stack`` closes: what a reader
        streams stays whole while others replace or delete it."""
        connection = stack.enter_context(self.streams.connection())
        stack.enter_context(connection.transaction())
        connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return connection

    def in_transaction(self) -> bool:
        """Whether this thread has a transaction open (not yet committed)."""
        return "connection" in self._open.__dict__

    def shared_secret(self, name: str) -> str:
        """The secret ``name``, generated by whichever node asks first; every
        node gets the one that was stored."""
        with self.pool.connection() as connection:
            connection.execute(
                "INSERT INTO deltaflask_secrets (name, value) VALUES (%s, %s)"
                " ON CONFLICT (name) DO NOTHING",
                (name, secrets.token_hex(32)),
            )
            row = connection.execute(
                "SELECT value FROM deltaflask_secrets WHERE name = %s", (name,)
            ).fetchone()
        assert row is not None
        return str(row[0])


def _pool(url: str, min_size: int) -> ConnectionPool:
    """A pool of autocommit connections to ``url``, opened now."""
    from psycopg_pool import ConnectionPool

    return ConnectionPool(
        url,
        min_size=min_size,
        max_size=POOL_SIZE,
        timeout=POOL_TIMEOUT,
        kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT},
        open=True,
    )


def _lock(connection: Connection[Any], scope: str) -> None:
    """Take ``scope``'s advisory lock until the transaction ends."""
    connection.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (scope,))


class PostgresStore(EntityStore):
    """The entities of one ``scope`` of a PostgreSQL database.

    ``kinds``, when given, are the only kinds the store holds.
    """

    def __init__(
        self, url: str, scope: str, kinds: Collection[str] | None = None
    ) -> None:
        self.database = database(url)
        self.scope = scope
        self.kinds = kinds

    def _kind(self, kind: str) -> str:
        """Return ``kind`` if this store holds it, else raise (a caller's bug)."""
        if self.kinds is not None and kind not in self.kinds:
            raise ValueError(f"bad kind {kind!r}")
        return kind

    def execute(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        """Run one statement in the scope's transaction (or alone), with the
        scope as its first parameter; its rows."""
        with self.database.connection() as connection:
            cursor = connection.execute(query, (self.scope, *params))
            return cursor.fetchall() if cursor.description else []

    # -- the interface -------------------------------------------------------------
    def load(self, kind: str, entity_id: str) -> Entity | None:
        """One entity, or ``None`` when it does not exist or the id is unsafe."""
        if not is_safe_id(entity_id):
            return None
        rows = self.execute(
            "SELECT body::text FROM deltaflask_entities"
            " WHERE scope = %s AND kind = %s AND id = %s",
            self._kind(kind),
            entity_id,
        )
        if not rows:
            return None
        entity: Entity = json.loads(rows[0][0])
        return entity

    def save(self, kind: str, entity: Entity) -> None:
        """Store an entity under its ``id`` (400 for an unsafe one)."""
        entity_id = check_id(entity["id"])
        self.execute(
            "INSERT INTO deltaflask_entities (scope, kind, id, body)"
            " VALUES (%s, %s, %s, %s::json)"
            " ON CONFLICT (scope, kind, id) DO UPDATE SET body = EXCLUDED.body",
            self._kind(kind),
            entity_id,
            json.dumps(entity),
        )

    def delete(self, kind: str, entity_id: str) -> bool:
        """Remove an entity (in a transaction); return whether it existed."""
        if not is_safe_id(entity_id):
            return False
        with self.transaction():
            rows = self.execute(
                "DELETE FROM deltaflask_entities"
                " WHERE scope = %s AND kind = %s AND id = %s RETURNING id",
                self._kind(kind),
                entity_id,
            )
        return bool(rows)

    def ids(self, kind: str) -> list[str]:
        """Ids of a kind, in natural order."""
        rows = self.execute(
            "SELECT id FROM deltaflask_entities WHERE scope = %s AND kind = %s",
            self._kind(kind),
        )
        return sorted((str(row[0]) for row in rows), key=natural_key)

    def all(self, kind: str) -> list[Entity]:
        """Every entity of ``kind``, in natural id order (one query)."""
        rows = self.execute(
            "SELECT id, body::text FROM deltaflask_entities"
            " WHERE scope = %s AND kind = %s",
            self._kind(kind),
        )
        rows.sort(key=lambda row: natural_key(row[0]))
        return [json.loads(row[1]) for row in rows]

    def all_as(self, kind: str, convert: Callable[[Entity], Result]) -> list[Result]:
        """``convert`` of every entity of ``kind`` (one query, nothing kept)."""
        return [convert(entity) for entity in self.all(kind)]

    def transaction(self) -> AbstractContextManager[None]:
        """One database transaction holding the scope's lock; re-entrant."""
        return self.database.transaction(self.scope)

    def next_number(self, sequence: str, floor: int = 0) -> int:
        """A number never handed out before for ``sequence``, at least ``floor``."""
        rows = self.execute(
            "INSERT INTO deltaflask_sequences AS s (scope, name, next)"
            " VALUES (%s, %s, %s + 1)"
            " ON CONFLICT (scope, name)"
            " DO UPDATE SET next = GREATEST(s.next, %s) + 1 RETURNING next - 1",
            sequence,
            floor,
            floor,
        )
        return int(rows[0][0])

    def seeded(self) -> bool:
        """Whether the scope's first content is marked complete (remembered
        once seen)."""
        if self.scope in self.database.seeded_scopes:
            return True
        rows = self.execute(
            "SELECT seeded FROM deltaflask_scopes WHERE scope = %s",
        )
        if not (rows and rows[0][0]):
            return False
        if not self.database.in_transaction():  # else not committed yet
            self.database.seeded_scopes.add(self.scope)
        return True

    def mark_seeded(self) -> None:
        """Mark the scope's first content complete."""
        self.execute(
            "INSERT INTO deltaflask_scopes (scope, seeded) VALUES (%s, true)"
            " ON CONFLICT (scope) DO UPDATE SET seeded = true",
        )

    # -- for this backend ------------------------------------------------------------
    def clear(self) -> None:
        """Remove everything the scope holds (entities, sequences, marker)."""
        with self.transaction():
            for table in ("entities", "sequences", "scopes"):
                self.execute(f"DELETE FROM deltaflask_{table} WHERE scope = %s")
        self.database.seeded_scopes.discard(self.scope)
