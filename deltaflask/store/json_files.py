"""The JSON-files backend of the entity store: ``<root>/<kind>/<id>.json``.

Writes go to a temporary file that is then renamed over the target, so a
reader never sees half a file; transactions hold an exclusive ``flock`` on
``<root>/.lock`` (see :func:`deltaflask.files.locked`), so several worker
processes can share one store. Files are owner-only (0600, folders 0700).

Number sequences are kept in ``<root>/.counters.json`` and advanced under
that lock, so a number is never handed out twice: not after a delete, not to
two workers at once. ``<root>/.seeded`` is written when the first content is
complete.

Reads keep each file's text in a per-process cache checked against the file's
``(inode, mtime_ns, size)`` on every read, so a write by any process (always a
rename, hence a new inode) is seen at once. A file modified less than
:data:`RACY_NS` before it was read is not cached: timestamps are coarser than
a nanosecond, so a later change within the same tick could keep its key.
:meth:`JsonFileStore.load_as` keeps what a converter made of a file (a model
object) the same way.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from collections.abc import Callable
from collections.abc import Collection
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from deltaflask.files import locked
from deltaflask.files import write_atomic
from deltaflask.store.base import Entity
from deltaflask.store.base import EntityStore
from deltaflask.store.base import Result
from deltaflask.store.base import check_id
from deltaflask.store.base import is_safe_id
from deltaflask.store.base import natural_key

#: a kind's folder: a name, or a name under a name
KIND = re.compile(r"^[a-z_]+(/[a-z_]+)?$")
#: files younger than this (1 s) are read but not cached
RACY_NS = 1_000_000_000
CACHE_SIZE = 4096
COUNTERS = ".counters.json"
LOCK = ".lock"
#: written last when the first content is in
SEEDED = ".seeded"
FileKey = tuple[int, int, int]
#: path -> ((inode, mtime_ns, size), text), this process's read cache
_texts: dict[str, tuple[FileKey, str]] = {}
#: folder -> ((inode, mtime_ns, 0), ids), the listings of :meth:`JsonFileStore.ids`
_listings: dict[str, tuple[FileKey, tuple[str, ...]]] = {}
#: (path, converter) -> ((inode, mtime_ns, size), what the converter made)
_converted: dict[tuple[str, Callable[[Entity], Any]], tuple[FileKey, Any]] = {}


def _key(path: str) -> tuple[FileKey, bool] | None:
    """A file's ``(inode, mtime_ns, size)`` and whether it is old enough to
    be cached (``None`` if missing)."""
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    settled = time.time_ns() - stat.st_mtime_ns >= RACY_NS
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size), settled


def _remember(cache: dict[Any, Any], name: Any, key: FileKey, value: Any) -> None:
    if len(cache) >= CACHE_SIZE:
        cache.clear()
    cache[name] = (key, value)


def read_text(path: str) -> str | None:
    """The text of ``path`` (``None`` if missing), from the cache while the
    file's inode, modification time and size are unchanged."""
    found = _read(path)
    return None if found is None else found[1]


def _read(path: str) -> tuple[FileKey, str] | None:
    """:func:`read_text` with the key the text was read under."""
    stated = _key(path)
    if stated is None:
        return None
    key, settled = stated
    cached = _texts.get(path)
    if cached is not None and cached[0] == key:
        return cached
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        _texts.pop(path, None)
        return None
    if settled:
        _remember(_texts, path, key, text)
    return key, text


def write_json(target: Path, entity: dict[str, Any], sort_keys: bool = True) -> None:
    """Write ``entity`` as the store's JSON to ``target``, atomically."""
    text = json.dumps(entity, indent=1, sort_keys=sort_keys)
    write_atomic(target, text.encode("utf-8"))


class JsonFileStore(EntityStore):
    """Entities as JSON files under ``root``.

    ``kinds``, when given, are the only kinds the store holds; ``sort_keys``
    says whether an entity's keys are stored sorted or in their given order.
    """

    def __init__(
        self,
        root: Path,
        kinds: Collection[str] | None = None,
        sort_keys: bool = True,
    ) -> None:
        self.root = root
        self.kinds = kinds
        self.sort_keys = sort_keys
        self._root = os.fspath(root)

    # -- paths -------------------------------------------------------------------
    def _kind(self, kind: str) -> str:
        """Return ``kind`` if this store holds it, else raise (a caller's bug)."""
        if not KIND.match(kind) or (self.kinds is not None and kind not in self.kinds):
            raise ValueError(f"bad kind {kind!r}")
        return kind

    def path(self, kind: str, entity_id: str, suffix: str = ".json") -> Path:
        """The file of one entity (400 for an unsafe id)."""
        return self.root / self._kind(kind) / f"{check_id(entity_id)}{suffix}"

    # -- the interface -------------------------------------------------------------
    def load(self, kind: str, entity_id: str) -> Entity | None:
        """One entity, or ``None`` when it does not exist or the id is unsafe."""
        if not is_safe_id(entity_id):
            return None
        text = read_text(f"{self._root}/{self._kind(kind)}/{entity_id}.json")
        if text is None:
            return None
        data: Entity = json.loads(text)
        return data

    def load_as(
        self, kind: str, entity_id: str, convert: Callable[[Entity], Result]
    ) -> Result | None:
        """``convert`` of one entity, kept per file while the file is
        unchanged (checked on every call, as the text cache is): ``convert``
        must depend on the entity alone, and callers share what it returns,
        so they must not change it."""
        if not is_safe_id(entity_id):
            return None
        path = f"{self._root}/{self._kind(kind)}/{entity_id}.json"
        stated = _key(path)
        if stated is None:
            return None
        cached = _converted.get((path, convert))
        if cached is not None and cached[0] == stated[0]:
            return cached[1]  # type: ignore[no-any-return]
        found = _read(path)
        if found is None:
            return None
        key, text = found
        value = convert(json.loads(text))
        if stated[1] and key == stated[0]:
            _remember(_converted, (path, convert), key, value)
        return value

    def save(self, kind: str, entity: Entity) -> None:
        """Write an entity atomically (its ``id`` names the file)."""
        write_json(self.path(kind, entity["id"]), entity, self.sort_keys)

    def delete(self, kind: str, entity_id: str) -> bool:
        """Remove an entity; return whether it existed."""
        if not is_safe_id(entity_id):
            return False
        with self.transaction():
            try:
                self.path(kind, entity_id).unlink()
            except FileNotFoundError:
                return False
        return True

    def exists(self, kind: str, entity_id: str) -> bool:
        """Whether an entity exists (without reading it)."""
        return is_safe_id(entity_id) and self.path(kind, entity_id).is_file()

    def ids(self, kind: str) -> list[str]:
        """Ids of a kind, in natural order (the listing is kept while the
        folder's inode and modification time, which every file created,
        renamed or removed in it changes, are unchanged)."""
        folder = f"{self._root}/{self._kind(kind)}"
        stated = _key(folder)
        if stated is None:
            return []
        (inode, mtime_ns, _size), settled = stated
        cached = _listings.get(folder)
        if cached is not None and cached[0] == (inode, mtime_ns, 0):
            return list(cached[1])
        try:
            names = [
                entry.name[:-5]
                for entry in os.scandir(folder)
                if entry.name.endswith(".json") and not entry.name.startswith(".")
            ]
        except FileNotFoundError:
            return []
        ids = sorted(names, key=natural_key)
        if settled:  # a folder's size may not change with its entries: not in the key
            _remember(_listings, folder, (inode, mtime_ns, 0), tuple(ids))
        return ids

    def transaction(self) -> AbstractContextManager[None]:
        """Hold the store's exclusive lock (threads and processes); re-entrant."""
        return locked(self.root)

    def next_number(self, sequence: str, floor: int = 0) -> int:
        """A number never handed out before for ``sequence``, at least
        ``floor``; advances the sequence's counter under the store lock."""
        counters_path = self.root / COUNTERS
        with self.transaction():
            text = read_text(os.fspath(counters_path))
            counters: dict[str, int] = json.loads(text) if text else {}
            number = max(int(counters.get(sequence, 0)), floor)
            counters[sequence] = number + 1
            write_atomic(counters_path, json.dumps(counters, sort_keys=True).encode())
        return number

    def seeded(self) -> bool:
        """Whether ``.seeded`` is there."""
        return os.path.exists(os.path.join(self._root, SEEDED))

    def mark_seeded(self) -> None:
        """Write ``.seeded``."""
        write_atomic(self.root / SEEDED, b"1")

    # -- for the files backend only ------------------------------------------------
    def clear(self) -> None:
        """Remove everything stored (every file but the lock), under the lock."""
        with self.transaction():
            for entry in os.scandir(self.root):
                if entry.name == LOCK:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path)
                else:
                    os.unlink(entry.path)
