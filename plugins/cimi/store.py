"""What CIMI knows but clouds do not store: templates, configurations, and the
names, descriptions and properties given to created resources.

One JSON file per entity under ``CIMI_STORAGE`` (default: ``cimi`` next to
the mock storage), scoped by driver and provider, written atomically under a
lock. Template and configuration ids are sequential integers.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import current_app

from deltaflask.context import current_driver_name
from deltaflask.context import current_provider
from deltaflask.errors import ObjectNotFound
from deltaflask.files import write_atomic

KINDS = ("machine_templates", "volume_configurations", "volume_templates", "metadata")
SAFE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._:@+\-]{0,127}$")


class CimiStore:
    """The entities of one (driver, provider) scope."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, kind: str, entity_id: str) -> Path:
        if kind not in KINDS or not SAFE.match(entity_id) or ".." in entity_id:
            raise ObjectNotFound("Not found")
        return self.root / kind / f"{entity_id}.json"

    def load(self, kind: str, entity_id: str) -> dict[str, Any] | None:
        """One entity, or ``None``."""
        try:
            with open(self._path(kind, entity_id), encoding="utf-8") as handle:
                data: dict[str, Any] = json.load(handle)
        except (FileNotFoundError, ObjectNotFound):
            return None
        return data

    def get(self, kind: str, entity_id: str) -> dict[str, Any]:
        """One entity; 404 when missing."""
        data = self.load(kind, entity_id)
        if data is None:
            raise ObjectNotFound("Not found")
        return data

    def all(self, kind: str) -> list[dict[str, Any]]:
        """Every entity of ``kind``, in id order."""
        folder = self.root / kind
        if not folder.is_dir():
            return []
        names = sorted(
            (
                entry.name[:-5]
                for entry in os.scandir(folder)
                if entry.name.endswith(".json")
            ),
            key=lambda name: (len(name), name),
        )
        return [data for name in names if (data := self.load(kind, name)) is not None]

    def create(self, kind: str, data: dict[str, Any]) -> dict[str, Any]:
        """Store ``data`` under the next free integer id; return it with its id."""
        with self._lock():
            counter = self.root / ".next_id"
            number = int(counter.read_text() or "0") + 1 if counter.exists() else 1
            write_atomic(counter, str(number).encode())
            entity = {**data, "id": str(number)}
            self.save(kind, entity)
        return entity

    def save(self, kind: str, entity: dict[str, Any]) -> None:
        """Write ``entity`` (its ``id`` names the file)."""
        write_atomic(self._path(kind, entity["id"]), json.dumps(entity).encode())

    def delete(self, kind: str, entity_id: str) -> bool:
        """Remove an entity; return whether it existed."""
        try:
            self._path(kind, entity_id).unlink()
        except (FileNotFoundError, ObjectNotFound):
            return False
        return True

    @contextmanager
    def _lock(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "a+b") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)


def cimi_store() -> CimiStore:
    """The store of the current driver and provider."""
    config = current_app.config
    root = config.get("CIMI_STORAGE") or str(
        Path(config["MOCK_STORAGE"]).parent / "cimi"
    )
    scope = f"{current_driver_name()}-{current_provider() or 'default'}"
    if not SAFE.match(scope) or ".." in scope:
        raise ObjectNotFound("Not found")
    return CimiStore(Path(root) / scope)


def metadata_key(kind: str, entity_id: str) -> str:
    """The id of the metadata record of a cloud-backed entity (safe for a file name)."""
    return f"{kind}-{entity_id}"[:128] if SAFE.match(f"{kind}-{entity_id}") else ""


def overrides(kind: str, entity_id: str) -> dict[str, Any]:
    """Name, description and properties stored for a cloud entity."""
    key = metadata_key(kind, entity_id)
    return (cimi_store().load("metadata", key) or {}) if key else {}


def remember(kind: str, entity_id: str, body: dict[str, Any]) -> None:
    """Keep the name, description and properties a create request gave."""
    key = metadata_key(kind, entity_id)
    kept = {k: body[k] for k in ("name", "description", "properties") if body.get(k)}
    if key and kept:
        cimi_store().save("metadata", {"id": key, **kept})


def forget(kind: str, entity_id: str) -> None:
    """Drop the stored metadata of a deleted cloud entity."""
    key = metadata_key(kind, entity_id)
    if key:
        cimi_store().delete("metadata", key)
