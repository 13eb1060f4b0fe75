"""What plugins register: driver and frontend specs, and the per-app registry."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import TYPE_CHECKING

from deltaflask.errors import ObjectNotFound

if TYPE_CHECKING:
    from flask import Blueprint
    from flask import Flask
    from flask import Response

    from deltaflask.drivers import BaseDriver


@dataclass(frozen=True)
class DriverSpec:
    """A driver a plugin offers.

    ``loader`` is ``"package.module:ClassName"``; it is imported on first use
    so that a missing SDK disables only this driver. ``sdk_extra`` names the
    pip extra that installs the SDK, shown when the import fails.
    """

    name: str
    display_name: str
    loader: str
    sdk_extra: str | None = None


@dataclass(frozen=True)
class FrontendSpec:
    """An API frontend: the blueprint it mounts and how it renders errors."""

    name: str
    url_prefix: str
    create_blueprint: Callable[[Flask], Blueprint]
    render_error: Callable[[Exception], Response]


#: held while a driver class is imported (once per driver, see ``resolve``)
_resolving = threading.Lock()


class DriverUnavailable(ObjectNotFound):
    """The driver is unknown, or its plugin or SDK could not be imported."""

    kind = "ObjectNotFound"


@dataclass
class DriverEntry:
    """A registered driver and, once resolved, its class or why it failed."""

    spec: DriverSpec
    driver_class: type[BaseDriver] | None = None
    error: str | None = None
    resolved: bool = False


@dataclass
class Registry:
    """The drivers and frontends known to one application."""

    drivers: dict[str, DriverEntry] = field(default_factory=dict)
    frontends: dict[str, FrontendSpec] = field(default_factory=dict)
    failed_plugins: dict[str, str] = field(default_factory=dict)

    def add_driver(self, spec: DriverSpec) -> None:
        """Register a driver spec; the first registration of a name wins."""
        self.drivers.setdefault(spec.name, DriverEntry(spec))

    def add_frontend(self, spec: FrontendSpec) -> None:
        """Register a frontend spec; the first registration of a name wins."""
        self.frontends.setdefault(spec.name, spec)

    def resolve(self, entry: DriverEntry) -> None:
        """Import the driver class once, remembering any failure (threads
        asking meanwhile wait for the outcome)."""
        if entry.resolved:
            return
        with _resolving:
            if entry.resolved:
                return
            module_name, _, class_name = entry.spec.loader.partition(":")
            try:
                module = importlib.import_module(module_name)
                entry.driver_class = getattr(module, class_name)
            except Exception as exc:  # an SDK may fail in any way on import
                hint = f" (pip install 'deltaflask[{entry.spec.sdk_extra}]')"
                entry.error = f"{type(exc).__name__}: {exc}" + (
                    hint if entry.spec.sdk_extra else ""
                )
            entry.resolved = True

    def driver_class(self, name: str) -> type[BaseDriver]:
        """The class of driver ``name``; unknown or broken drivers are a 404."""
        entry = self.drivers.get(name)
        if entry is None:
            raise DriverUnavailable(f"Driver '{name}' is not available")
        self.resolve(entry)
        if entry.driver_class is None:
            raise DriverUnavailable(f"Driver '{name}' is not available: {entry.error}")
        return entry.driver_class

    def entries(self) -> list[DriverEntry]:
        """Every registered driver, resolved, sorted by name."""
        found = [self.drivers[name] for name in sorted(self.drivers)]
        for entry in found:
            self.resolve(entry)
        return found
