"""What plugins register: driver and frontend specs, and the per-app registry."""

from __future__ import annotations

import importlib
import importlib.util
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
    so that a missing SDK disables only this driver. ``requires`` names the
    SDK's top-level modules, looked up (not imported) before the driver is
    offered, so a driver whose SDK is imported lazily is not listed as
    available without it. ``sdk_extra`` names the pip extra that installs the
    SDK, shown when it is missing. ``sample_credentials`` (user, password) are
    printed in the start-up banner: only for a demo cloud such as the mock.
    """

    name: str
    display_name: str
    loader: str
    sdk_extra: str | None = None
    requires: tuple[str, ...] = ()
    sample_credentials: tuple[str, str] | None = None

    def missing_modules(self) -> list[str]:
        """The ``requires`` modules that cannot be found (a cheap lookup)."""
        return [name for name in self.requires if not _findable(name)]


def _findable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a broken install or a refusing finder
        return False


@dataclass(frozen=True)
class FrontendSpec:
    """An API frontend: the blueprint it mounts and how it renders errors.

    ``entry_point`` is the path, below ``url_prefix``, a client starts from.
    """

    name: str
    url_prefix: str
    create_blueprint: Callable[[Flask], Blueprint]
    render_error: Callable[[Exception], Response]
    entry_point: str = ""

    def owns(self, path: str) -> bool:
        """Whether ``path`` falls under this frontend's prefix."""
        prefix = self.url_prefix.rstrip("/")
        return path == prefix or path.startswith(prefix + "/")


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
            spec = entry.spec
            extra = spec.sdk_extra
            hint = f" (pip install 'deltaflask[{extra}]')" if extra else ""
            missing = spec.missing_modules()
            if missing:
                names = ", ".join(missing)
                entry.error = f"its SDK is not installed: no module {names}{hint}"
            else:
                module_name, _, class_name = spec.loader.partition(":")
                try:
                    module = importlib.import_module(module_name)
                    entry.driver_class = getattr(module, class_name)
                except Exception as exc:  # an SDK may fail in any way on import
                    entry.error = f"it failed to load ({exc}){hint}"
            entry.resolved = True

    def driver_class(self, name: str) -> type[BaseDriver]:
        """The class of driver ``name``; unknown or broken drivers are a 404."""
        entry = self.drivers.get(name)
        if entry is not None and entry.driver_class is not None:
            return entry.driver_class  # resolved before: every request's case
        known = ", ".join(sorted(self.drivers)) or "none"
        listed = f"the drivers of this server: {known}; see /api/drivers"
        if entry is None:
            raise DriverUnavailable(f"Driver '{name}' is not available ({listed})")
        self.resolve(entry)
        if entry.driver_class is None:
            raise DriverUnavailable(
                f"Driver '{name}' is not available: {entry.error} ({listed})"
            )
        return entry.driver_class

    def unavailable_reason(self, name: str) -> str | None:
        """Why driver ``name`` cannot serve (``None`` when it can): unknown
        names list the drivers that exist."""
        entry = self.drivers.get(name)
        if entry is None:
            known = ", ".join(sorted(self.drivers)) or "none"
            return f"unknown driver '{name}' (installed drivers: {known})"
        self.resolve(entry)
        if entry.error is not None:
            return f"driver '{name}' is unavailable: {entry.error}"
        return None

    def entries(self) -> list[DriverEntry]:
        """Every registered driver, resolved, sorted by name."""
        found = [self.drivers[name] for name in sorted(self.drivers)]
        for entry in found:
            self.resolve(entry)
        return found
