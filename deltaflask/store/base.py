"""The interface of an entity store and the id rules every backend shares.

An entity is a JSON object (a dict) with an ``id``; entities are grouped by
kind (``instances``, ``machine_templates``, ...). Ids become file names or
keys, so each is checked once here: letters, digits and ``. _ - : @ +``, not
starting with a dot or a dash, no ``..``, at most 128 characters (no path
separator, no NUL).
"""

from __future__ import annotations

import re
from abc import ABC
from abc import abstractmethod
from collections.abc import Callable
from contextlib import AbstractContextManager
from functools import lru_cache
from typing import Any
from typing import TypeVar

from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ValidationFailure

SAFE_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._:@+\-]{0,127}$")
Result = TypeVar("Result")
Entity = dict[str, Any]


def is_safe_id(value: object) -> bool:
    """Whether ``value`` may name an entity (see the module's rules)."""
    return isinstance(value, str) and bool(SAFE_ID.match(value)) and ".." not in value


def check_id(value: str, what: str = "id") -> str:
    """Return ``value`` if it may name an entity, else raise a 400."""
    if not is_safe_id(value):
        raise ValidationFailure(
            f"Invalid {what}: use letters, digits and . _ - : @ + (at most 128)"
        )
    return value


@lru_cache(maxsize=4096)
def natural_key(value: str) -> tuple[Any, ...]:
    """Sort key that orders ``inst2`` before ``inst10``."""
    return tuple(
        int(part) if part.isdigit() else part for part in re.split(r"(\d+)", value)
    )


class EntityStore(ABC):
    """Entities by kind and id, with transactions and id sequences.

    Reads of an unsafe id find nothing; storing under one is refused (400).
    A transaction excludes every other thread and process using the same
    store and is re-entrant.
    """

    # -- what a backend provides ----------------------------------------------------
    @abstractmethod
    def load(self, kind: str, entity_id: str) -> Entity | None:
        """One entity (the caller's own copy), or ``None``."""

    @abstractmethod
    def save(self, kind: str, entity: Entity) -> None:
        """Store ``entity`` under its ``id`` (replacing any stored one)."""

    @abstractmethod
    def delete(self, kind: str, entity_id: str) -> bool:
        """Remove an entity; return whether it existed."""

    @abstractmethod
    def ids(self, kind: str) -> list[str]:
        """The ids of ``kind``, in natural order (``inst2`` before ``inst10``)."""

    @abstractmethod
    def transaction(self) -> AbstractContextManager[None]:
        """Exclude every other writer of this store until the block ends."""

    @abstractmethod
    def next_number(self, sequence: str, floor: int = 0) -> int:
        """A number ``sequence`` never handed out before, at least ``floor``."""

    @abstractmethod
    def seeded(self) -> bool:
        """Whether the store's first content has been put in completely."""

    @abstractmethod
    def mark_seeded(self) -> None:
        """Record that the first content is in (call inside a transaction)."""

    # -- what follows from it ---------------------------------------------------------
    def exists(self, kind: str, entity_id: str) -> bool:
        """Whether an entity exists."""
        return self.load(kind, entity_id) is not None

    def all(self, kind: str) -> list[Entity]:
        """Every entity of ``kind``, in natural id order."""
        found = []
        for entity_id in self.ids(kind):
            entity = self.load(kind, entity_id)
            if entity is not None:
                found.append(entity)
        return found

    def load_as(
        self, kind: str, entity_id: str, convert: Callable[[Entity], Result]
    ) -> Result | None:
        """``convert`` of one entity (``None`` when there is none); a backend
        may keep the result while the entity is unchanged, so ``convert``
        must depend on the entity alone and callers must not change what it
        returns."""
        entity = self.load(kind, entity_id)
        return None if entity is None else convert(entity)

    def all_as(self, kind: str, convert: Callable[[Entity], Result]) -> list[Result]:
        """:meth:`load_as` of every entity of ``kind``, in natural id order."""
        found = []
        for entity_id in self.ids(kind):
            item = self.load_as(kind, entity_id, convert)
            if item is not None:
                found.append(item)
        return found

    def require(self, kind: str, entity_id: str, label: str = "") -> Entity:
        """One entity; 404 ``<label> '<id>' not found`` (or ``Not found``)."""
        entity = self.load(kind, entity_id)
        if entity is None:
            raise ObjectNotFound(
                f"{label} '{entity_id}' not found" if label else "Not found"
            )
        return entity

    def update(
        self, kind: str, entity_id: str, change: Callable[[Entity], Result]
    ) -> Result:
        """Apply ``change`` to a stored entity (in place) and store it, in one
        transaction; return what ``change`` returns. 404 when the entity is
        missing (also when a delete ran first); nothing is stored when
        ``change`` raises."""
        with self.transaction():
            entity = self.require(kind, entity_id)
            result = change(entity)
            self.save(kind, entity)
        return result

    def new_id(self, kind: str, prefix: str) -> str:
        """``<prefix><n>`` for a new entity: ``n`` is past every such id
        stored now and every one handed out before for ``kind``."""
        pattern = re.compile(re.escape(prefix) + r"(\d+)")
        used = [
            int(match.group(1))
            for entity_id in self.ids(kind)
            if (match := pattern.fullmatch(entity_id))
        ]
        return f"{prefix}{self.next_number(kind, max(used, default=-1) + 1)}"

    def seed_once(self, fill: Callable[[], None]) -> None:
        """Run ``fill`` to put the first content in, once across every thread
        and process; the marker, set last, tells the others it is complete."""
        if self.seeded():
            return
        with self.transaction():
            if not self.seeded():
                fill()
                self.mark_seeded()
