"""The mock cloud's on-disk store: one JSON file per entity.

Writes go to a temporary file that is then renamed over the target, so a
reader never sees half a file; read-modify-write sequences run under an
exclusive lock on ``<root>/.lock`` so several worker processes can share one
store. Every id is checked before it becomes part of a path.

Generated sequential ids (``inst4``, ...) come from per-collection counters
kept in ``<root>/.counters.json`` and advanced under that lock, so an id is
never handed out twice: not after a delete, not to two workers at once.

Reads keep each file's text in a per-process cache checked against the file's
``(inode, mtime_ns, size)`` on every read, so a write by any process (always a
rename, hence a new inode) is seen at once. A file modified less than
:data:`RACY_NS` before it was read is not cached: timestamps are coarser than
a nanosecond, so a later change within the same tick could keep its key.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from contextlib import AbstractContextManager
from functools import lru_cache
from pathlib import Path
from typing import Any

from deltaflask.drivers.base import as_list
from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ValidationFailure
from deltaflask.files import locked
from deltaflask.files import make_private
from deltaflask.files import write_atomic

SAFE_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._:@+\-]{0,127}$")
COLLECTION = re.compile(r"^[a-z_]+(/[a-z_]+)?$")
#: files younger than this (1 s) are read but not cached
RACY_NS = 1_000_000_000
CACHE_SIZE = 4096
#: path -> ((inode, mtime_ns, size), text), this process's read cache
COUNTERS = ".counters.json"
LOCK = ".lock"
#: written last when the seed has been copied in
SEEDED = ".seeded"
_texts: dict[str, tuple[tuple[int, int, int], str]] = {}


def read_text(path: str) -> str | None:
    """The text of ``path`` (``None`` if missing), from the cache while the
    file's inode, modification time and size are unchanged."""
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    key = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
    cached = _texts.get(path)
    if cached is not None and cached[0] == key:
        return cached[1]
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        _texts.pop(path, None)
        return None
    if time.time_ns() - stat.st_mtime_ns >= RACY_NS:
        if len(_texts) >= CACHE_SIZE:
            _texts.clear()
        _texts[path] = (key, text)
    return text


def check_id(value: str, what: str = "id") -> str:
    """Return ``value`` if it is a safe file name, else raise a 400."""
    if not isinstance(value, str) or not SAFE_ID.match(value) or ".." in value:
        raise ValidationFailure(
            f"Invalid {what}: use letters, digits and . _ - : @ + (at most 128)"
        )
    return value


def write_json(target: Path, entity: dict[str, Any]) -> None:
    """Write ``entity`` as the store's JSON to ``target``, atomically."""
    write_atomic(target, json.dumps(entity, indent=1, sort_keys=True).encode("utf-8"))


def _collection(name: str) -> str:
    """Return ``name`` if it is a collection's (folder) name, else raise."""
    if not COLLECTION.match(name):
        raise ValueError(f"bad collection name {name!r}")
    return name


@lru_cache(maxsize=4096)
def natural_key(value: str) -> tuple[Any, ...]:
    """Sort key that orders ``inst2`` before ``inst10``."""
    return tuple(
        int(part) if part.isdigit() else part for part in re.split(r"(\d+)", value)
    )


class NotAMockStore(ValueError):
    """A folder to reset holds files but is not a mock cloud."""


class MockStore:
    """JSON files under ``root``, seeded from ``seed`` on first use."""

    def __init__(self, root: Path, seed: Path) -> None:
        self.root = root
        self.seed = seed
        self._root = os.fspath(root)
        self._ensure_seeded()

    # -- seeding -----------------------------------------------------------------
    def _ensure_seeded(self) -> None:
        """Copy the seed in once; ``.seeded``, written last, tells every other
        thread and process that the copy is complete (a store seeded before
        the marker existed has ``images`` and is only marked)."""
        if os.path.exists(os.path.join(self._root, SEEDED)):
            return
        with self.transaction():
            if (self.root / SEEDED).exists():
                return
            if not (self.root / "images").is_dir():
                self._copy_seed()
            write_atomic(self.root / SEEDED, b"1")

    def _copy_seed(self) -> None:
        for source in sorted(self.seed.iterdir()):
            if source.is_dir() and not source.name.startswith(("_", ".")):
                target = self.root / source.name
                shutil.copytree(source, target, dirs_exist_ok=True)
                make_private(target)

    @classmethod
    def reset(cls, root: Path, seed: Path) -> MockStore:
        """Put the mock cloud in ``root`` back to the seed data, under the lock.

        A folder holding files but no store lock is refused
        (:class:`NotAMockStore`), so a mistyped path loses nothing.
        """
        if root.is_dir() and any(root.iterdir()) and not (root / LOCK).is_file():
            raise NotAMockStore(f"{root} is not a mock cloud folder")
        store = cls(root, seed)
        with store.transaction():
            for entry in os.scandir(root):
                if entry.name == LOCK:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path)
                else:
                    os.unlink(entry.path)
            store._copy_seed()
            write_atomic(root / SEEDED, b"1")
        return store

    # -- paths -------------------------------------------------------------------
    def _dir(self, collection: str) -> Path:
        return self.root / _collection(collection)

    def path(self, collection: str, entity_id: str, suffix: str = ".json") -> Path:
        """The file of one entity (the id is validated)."""
        return self._dir(collection) / f"{check_id(entity_id)}{suffix}"

    # -- reads -------------------------------------------------------------------
    def ids(self, collection: str) -> list[str]:
        """Ids of a collection, in natural order."""
        folder = self._dir(collection)
        try:
            names = [
                entry.name[:-5]
                for entry in os.scandir(folder)
                if entry.name.endswith(".json") and not entry.name.startswith(".")
            ]
        except FileNotFoundError:
            return []
        return sorted(names, key=natural_key)

    def load(self, collection: str, entity_id: str) -> dict[str, Any] | None:
        """One entity, or ``None`` when it does not exist or the id is unsafe."""
        if not SAFE_ID.match(entity_id) or ".." in entity_id:
            return None
        text = read_text(f"{self._root}/{_collection(collection)}/{entity_id}.json")
        if text is None:
            return None
        data: dict[str, Any] = json.loads(text)
        return data

    def require(self, collection: str, entity_id: str, label: str) -> dict[str, Any]:
        """One entity, or a 404 ``<label> '<id>' not found``."""
        entity = self.load(collection, entity_id)
        if entity is None:
            raise ObjectNotFound(f"{label} '{entity_id}' not found")
        return entity

    def listed(self, collection: str, wanted: Any) -> list[dict[str, Any]]:
        """The entities ``wanted`` names (an id or ids; unknown ones skipped),
        or every entity of the collection when ``wanted`` is empty."""
        if not wanted:
            return self.all(collection)
        found = []
        for entity_id in as_list(wanted):
            entity = self.load(collection, entity_id)
            if entity is not None:
                found.append(entity)
        return found

    def all(self, collection: str) -> list[dict[str, Any]]:
        """Every entity of a collection, in natural id order."""
        found = []
        for entity_id in self.ids(collection):
            entity = self.load(collection, entity_id)
            if entity is not None:
                found.append(entity)
        return found

    def exists(self, collection: str, entity_id: str) -> bool:
        """Whether an entity exists."""
        return self.path(collection, entity_id).is_file()

    # -- writes ------------------------------------------------------------------
    def save(self, collection: str, entity: dict[str, Any]) -> None:
        """Write an entity atomically (its ``id`` names the file)."""
        write_json(self.path(collection, entity["id"]), entity)

    def delete(self, collection: str, entity_id: str) -> bool:
        """Remove an entity; return whether it existed."""
        try:
            self.path(collection, entity_id).unlink()
        except FileNotFoundError:
            return False
        return True

    def next_number(self, collection: str, floor: int) -> int:
        """A number never handed out before for ``collection``, at least
        ``floor``; advances the collection's counter under the store lock."""
        counters_path = self.root / COUNTERS
        with self.transaction():
            text = read_text(os.fspath(counters_path))
            counters: dict[str, int] = json.loads(text) if text else {}
            number = max(int(counters.get(collection, 0)), floor)
            counters[collection] = number + 1
            write_atomic(counters_path, json.dumps(counters, sort_keys=True).encode())
        return number

    def new_id(self, collection: str, prefix: str) -> str:
        """``<prefix><n>`` for a new entity: ``n`` is past every such id
        stored now (the seed's included) and every one handed out before."""
        pattern = re.compile(re.escape(prefix) + r"(\d+)")
        used = [
            int(match.group(1))
            for entity_id in self.ids(collection)
            if (match := pattern.fullmatch(entity_id))
        ]
        return f"{prefix}{self.next_number(collection, max(used, default=-1) + 1)}"

    def transaction(self) -> AbstractContextManager[None]:
        """Hold the store's exclusive lock (threads and processes); re-entrant."""
        return locked(self.root)
