"""The mock cloud's entity store, seeded from the mock's seed folder on first use.

Two backends of the core entity store (:mod:`deltaflask.store`):

- :class:`MockStore`: JSON files under the mock's folder (``MOCK_STORAGE``;
  atomic writes, one lock shared by every worker process, cached reads), the
  default;
- :class:`MockDatabaseStore`: the scope ``mock`` of the PostgreSQL database of
  ``DATABASE_URL``, which every node shares (entities, blobs and segmented
  uploads: see ``blob_rows``). The mock is one cloud whatever the provider
  named, as its folder is, so there is one scope.

Generated sequential ids (``inst4``, ...) come from :meth:`new_id`, so an id
is never handed out twice: not after a delete, not to two workers or nodes at
once. :func:`open_store` opens the backend the settings choose.
"""

from __future__ import annotations

import json
import os
import shutil
from abc import abstractmethod
from collections.abc import Callable
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from deltaflask.drivers.base import as_list
from deltaflask.files import make_private
from deltaflask.resources import resource_dir
from deltaflask.store.base import Entity
from deltaflask.store.base import EntityStore
from deltaflask.store.base import Result
from deltaflask.store.base import check_id
from deltaflask.store.base import natural_key
from deltaflask.store.contents import write_content
from deltaflask.store.json_files import LOCK
from deltaflask.store.json_files import JsonFileStore
from deltaflask.store.json_files import write_json
from deltaflask.store.postgres import PostgresStore

__all__ = [
    "MockDatabaseStore",
    "MockScope",
    "MockStore",
    "NotAMockStore",
    "check_id",
    "natural_key",
    "open_store",
    "write_json",
]
#: the database scope of the mock cloud
SCOPE = "mock"
#: seed folders that hold no entities (blobs are seeded apart)
NOT_ENTITIES = ("blobs", "cimi")
#: the most store objects :func:`open_store` keeps
MAX_OPENED = 64
_opened: dict[tuple[int, str, str], MockScope] = {}


class NotAMockStore(ValueError):
    """A folder to reset holds files but is not a mock cloud."""


class MockScope(EntityStore):
    """What both backends of the mock store share: reads of the driver, and
    putting the seed back."""

    @abstractmethod
    def clear(self) -> None:
        """Remove everything the store holds."""

    @abstractmethod
    def _copy_seed(self) -> None:
        """Put the seed's content in."""

    def ensure_seeded(self) -> None:
        """Put the seed in unless it is there (a reset or removed store is
        seeded again)."""
        self.seed_once(self._copy_seed)

    def reseed(self) -> None:
        """Put the store back to the seed data, in one transaction."""
        with self.transaction():
            self.clear()
            self._copy_seed()
            self.mark_seeded()

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

    def listed_as(
        self, collection: str, wanted: Any, convert: Callable[[Entity], Result]
    ) -> list[Result]:
        """:meth:`listed`, each entity turned into a model by ``convert``
        (see :meth:`load_as`: the models are shared, never to be changed)."""
        if not wanted:
            return self.all_as(collection, convert)
        found = []
        for entity_id in as_list(wanted):
            item = self.load_as(collection, entity_id, convert)
            if item is not None:
                found.append(item)
        return found


class MockStore(JsonFileStore, MockScope):
    """JSON files under ``root``, seeded from ``seed`` on first use."""

    def __init__(self, root: Path, seed: Path) -> None:
        super().__init__(root)
        self.seed = seed
        self.ensure_seeded()

    # -- seeding -----------------------------------------------------------------
    def ensure_seeded(self) -> None:
        """Put the seed in unless it is there."""
        self.seed_once(self._first_content)

    def _first_content(self) -> None:
        """Copy the seed in (a store seeded before the ``.seeded`` marker
        existed has ``images`` and is only marked)."""
        if not (self.root / "images").is_dir():
            self._copy_seed()

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
        store.reseed()
        return store


class MockDatabaseStore(PostgresStore, MockScope):
    """The mock cloud in the PostgreSQL database at ``url``, seeded from
    ``seed`` on first use (entities, then buckets' blobs)."""

    def __init__(self, url: str, seed: Path) -> None:
        super().__init__(url, SCOPE)
        self.url = url
        self.seed = seed
        self.ensure_seeded()

    def _copy_seed(self) -> None:
        for folder in sorted(self.seed.iterdir()):
            skipped = folder.name in NOT_ENTITIES or folder.name.startswith(("_", "."))
            if folder.is_dir() and not skipped:
                for source in sorted(folder.glob("*.json")):
                    self.save(folder.name, _read(source))
        for source in sorted(self.seed.glob("blobs/*/*.json")):
            entity = _read(source)
            with (
                self.database.connection() as connection,
                open(source.with_suffix(".data"), "rb") as data,
            ):
                content, _ = write_content(connection, data)
            self.execute(
                "INSERT INTO deltaflask_blobs (scope, bucket, name, body, contents)"
                " VALUES (%s, %s, %s, %s::json, %s)",
                entity["bucket"],
                entity["id"],
                json.dumps(entity),
                [content],
            )

    def clear(self) -> None:
        """Remove the scope's entities, blobs, uploads and their bytes."""
        with self.transaction():
            self.execute(
                "DELETE FROM deltaflask_chunks WHERE content IN (SELECT"
                " unnest(contents) FROM deltaflask_blobs WHERE scope = %s)"
            )
            self.execute(
                "DELETE FROM deltaflask_chunks WHERE content IN (SELECT"
                " content FROM deltaflask_segments WHERE scope = %s)"
            )
            self.execute("DELETE FROM deltaflask_blobs WHERE scope = %s")
            self.execute("DELETE FROM deltaflask_segments WHERE scope = %s")
            super().clear()

    @classmethod
    def reset(cls, url: str, seed: Path) -> MockDatabaseStore:
        """Put the mock cloud of the database at ``url`` back to the seed
        data, in one transaction."""
        store = cls(url, seed)
        store.reseed()
        return store


def _read(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def open_store(settings: Mapping[str, Any]) -> MockScope:
    """The mock cloud the settings name: in the database of ``DATABASE_URL``
    when it is set, else in the folder ``MOCK_STORAGE``. A process makes one
    store object per place (it holds only caches its reads validate) and
    checks on each call that the place is seeded."""
    url = settings.get("DATABASE_URL")
    where = str(url or settings.get("MOCK_STORAGE") or "mock-storage")
    # per process: a database store holds its process's connection pool
    key = (os.getpid(), "database" if url else "folder", where)
    store = _opened.get(key)
    if store is not None:
        store.ensure_seeded()
        return store
    if len(_opened) >= MAX_OPENED:
        _opened.clear()
    seed = resource_dir("mock")
    store = MockDatabaseStore(where, seed) if url else MockStore(Path(where), seed)
    _opened[key] = store
    return store


def reset_store(settings: Mapping[str, Any]) -> str:
    """Put the mock cloud the settings name back to its seed data; where it
    is (:class:`NotAMockStore` for a folder that is not a mock cloud)."""
    if settings.get("DATABASE_URL"):
        MockDatabaseStore.reset(settings["DATABASE_URL"], resource_dir("mock"))
        return "the database of DATABASE_URL"
    folder = Path(settings.get("MOCK_STORAGE") or "mock-storage")
    MockStore.reset(folder, resource_dir("mock"))
    return str(folder)
