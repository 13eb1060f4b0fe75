"""The entity store shared by the built-in plugins: JSON documents grouped by
kind, each under a safe id (see :mod:`deltaflask.store.base` for the
interface and :mod:`deltaflask.store.json_files` for the on-disk backend)."""

from deltaflask.store.base import EntityStore
from deltaflask.store.base import check_id
from deltaflask.store.base import is_safe_id
from deltaflask.store.base import natural_key
from deltaflask.store.json_files import JsonFileStore

__all__ = ["EntityStore", "JsonFileStore", "check_id", "is_safe_id", "natural_key"]
