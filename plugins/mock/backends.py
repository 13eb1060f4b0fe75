"""The mock cloud's two backends, chosen by one setting: files under
``MOCK_STORAGE`` (the default), or the PostgreSQL database of ``DATABASE_URL``
every node shares (see ``store``, ``blob_files`` and ``blob_rows``)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from deltaflask.plugins.mock.blob_files import FileBlobStore
from deltaflask.plugins.mock.blob_files import sweep_stale
from deltaflask.plugins.mock.blob_rows import DatabaseBlobStore
from deltaflask.plugins.mock.blob_store import BlobStore
from deltaflask.plugins.mock.store import MockDatabaseStore
from deltaflask.plugins.mock.store import MockScope
from deltaflask.plugins.mock.store import MockStore
from deltaflask.plugins.mock.store import open_store


def open_mock(settings: Mapping[str, Any]) -> tuple[MockScope, BlobStore]:
    """The entity store and the blob store of the mock cloud the settings name."""
    store = open_store(settings)
    if isinstance(store, MockDatabaseStore):
        return store, DatabaseBlobStore(store)
    assert isinstance(store, MockStore)
    return store, FileBlobStore(store)


def sweep_mock(settings: Mapping[str, Any]) -> None:
    """Sweep what killed or abandoned uploads left in the mock cloud (its
    folder is swept without being seeded: nothing is made before a request)."""
    if settings.get("DATABASE_URL"):
        open_mock(settings)[1].sweep(settings)
    else:
        sweep_stale(Path(settings["MOCK_STORAGE"]), settings)
