"""The mock cloud's on-disk store: the core entity store's JSON files
(:class:`deltaflask.store.JsonFileStore`: atomic writes, one lock shared by
every worker process, safe ids, cached reads, sequences never reusing a
number), seeded from the mock's seed folder on first use.

Generated sequential ids (``inst4``, ...) come from :meth:`new_id`, so an id
is never handed out twice: not after a delete, not to two workers at once.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from deltaflask.drivers.base import as_list
from deltaflask.files import make_private
from deltaflask.store.base import Entity
from deltaflask.store.base import Result
from deltaflask.store.base import check_id
from deltaflask.store.base import natural_key
from deltaflask.store.json_files import LOCK
from deltaflask.store.json_files import JsonFileStore
from deltaflask.store.json_files import write_json

__all__ = ["MockStore", "NotAMockStore", "check_id", "natural_key", "write_json"]


#: the most store objects :meth:`MockStore.open` keeps
MAX_OPENED = 64
_opened: dict[tuple[str, Path], MockStore] = {}


class NotAMockStore(ValueError):
    """A folder to reset holds files but is not a mock cloud."""


class MockStore(JsonFileStore):
    """JSON files under ``root``, seeded from ``seed`` on first use."""

    def __init__(self, root: Path, seed: Path) -> None:
        super().__init__(root)
        self.seed = seed
        self.seed_once(self._first_content)

    @classmethod
    def open(cls, root: str, seed: Path) -> MockStore:
        """The store in the folder ``root``, seeded if it is not (yet, or no
        longer: a reset or removed folder is seeded again). The store object
        of a folder is made once per process: it holds no state of its own."""
        key = (root, seed)
        store = _opened.get(key)
        if store is None:
            if len(_opened) >= MAX_OPENED:
                _opened.clear()
            store = _opened[key] = cls(Path(root), seed)
        else:
            store.seed_once(store._first_content)
        return store

    # -- seeding -----------------------------------------------------------------
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
        with store.transaction():
            store.clear()
            store._copy_seed()
            store.mark_seeded()
        return store

    # -- reads -------------------------------------------------------------------
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
