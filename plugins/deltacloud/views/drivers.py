"""``/api/drivers``: installed drivers, their providers and availability."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

from flask import Blueprint
from flask import Response

from deltaflask.errors import ObjectNotFound
from deltaflask.plugins.deltacloud.render import href
from deltaflask.plugins.deltacloud.render import respond
from deltaflask.state import state


@dataclass
class DriverView:
    """What the drivers collection shows of one driver."""

    id: str
    name: str
    providers: dict[str, dict[str, str]] = field(default_factory=dict)
    reason: str | None = None

    @property
    def available(self) -> bool:
        """Whether the driver can be selected."""
        return self.reason is None


def register(bp: Blueprint) -> None:
    """Add the drivers routes."""
    bp.add_url_rule("/drivers", "drivers_index", index, methods=["GET"])
    bp.add_url_rule("/drivers/<driver_id>", "drivers_show", show, methods=["GET"])


def all_drivers() -> list[DriverView]:
    """Every registered driver, plus plugins that failed to load."""
    registry = state().registry
    found = []
    for entry in registry.entries():
        cls = entry.driver_class
        found.append(
            DriverView(
                entry.spec.name,
                entry.spec.display_name,
                {k: dict(v) for k, v in cls.providers.items()} if cls else {},
                entry.error,
            )
        )
    for name, reason in sorted(registry.failed_plugins.items()):
        found.append(DriverView(name, name, reason=f"plugin failed to load: {reason}"))
    return found


def _to_json(driver: DriverView) -> dict[str, object]:
    data: dict[str, object] = {"name": driver.name}
    if driver.providers:
        kinds: dict[str, dict[str, str]] = {}
        for provider, endpoints in driver.providers.items():
            for kind, url in endpoints.items():
                kinds.setdefault(kind, {})[provider] = url
        data["entrypoints"] = kinds
    if not driver.available:
        data["available"] = False
        data["reason"] = driver.reason
    return data


def index() -> Response:
    """List the drivers (no authentication needed)."""
    drivers = all_drivers()
    return respond(
        "drivers/index",
        lambda: {d.id: _to_json(d) for d in drivers},
        drivers=drivers,
    )


def show(driver_id: str) -> Response:
    """One driver with its providers and their endpoints."""
    driver = next((d for d in all_drivers() if d.id == driver_id), None)
    if driver is None:
        raise ObjectNotFound(f"Driver '{driver_id}' not found")
    return respond(
        "drivers/show",
        lambda: {"driver": {**_to_json(driver), "id": driver.id}},
        driver=driver,
        url=href("drivers", driver.id),
    )
