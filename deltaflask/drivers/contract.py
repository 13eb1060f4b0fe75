"""Helpers shared by the operation mixins of the driver contract."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from typing import Any
from typing import TypeVar

from deltaflask.errors import CapabilityMissing

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


def operation(method: F) -> F:
    """Mark ``method`` as a contract operation a driver may implement.

    The base version raises :class:`CapabilityMissing` (412) naming the
    operation, which is what a client sees when the current driver lacks it.
    """
    method.__contract__ = True  # type: ignore[attr-defined]
    return method


def missing(name: str) -> CapabilityMissing:
    """The error for an operation the driver does not implement."""
    return CapabilityMissing(name)


def first(items: Iterable[T]) -> T | None:
    """The first item, or ``None``."""
    return next(iter(items), None)
