"""Small helpers around SDK objects shared by the driver's mixins."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING
from typing import Any

from deltaflask.drivers.base import as_list

if TYPE_CHECKING:
    from deltaflask.plugins.rhevm.base import RhevmBase

MIB = 1024**2
GIB = 1024**3


def ids_of(filters: Mapping[str, Any], name: str = "id") -> list[str]:
    """The ids a filter asks for (empty when it asks for none)."""
    value = filters.get(name)
    return as_list(value) if value not in (None, "") else []


def listed(driver: RhevmBase, service: Any, **query: Any) -> list[Any]:
    """``service.list(**query)`` with typed errors."""
    with driver.engine():
        return list(service.list(**query))


def value_of(enum: Any) -> str | None:
    """The engine's word for an SDK enum member (``up``, ``ok`` ...)."""
    if enum is None:
        return None
    return str(getattr(enum, "value", enum))


def mib(size: Any) -> int:
    """Bytes as whole MiB."""
    return int(size or 0) // MIB


def timestamp(value: Any) -> str | None:
    """An SDK datetime as ISO 8601 text."""
    return value.isoformat() if hasattr(value, "isoformat") else None
