"""``/api/drivers``: installed drivers, their providers and availability.

A browser can also pick the driver and provider of its session here: the
"use this driver" form stores the choice in the signed session cookie, and
requests that name no driver (header, matrix or ``api[driver]`` parameter)
then use it (see :func:`session_choice`).
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

from flask import Blueprint
from flask import Response
from flask import current_app
from flask import redirect
from flask import request
from flask import session
from werkzeug.wrappers import Response as BaseResponse

from deltaflask.context import current_driver_name
from deltaflask.context import current_provider
from deltaflask.errors import ObjectNotFound
from deltaflask.header_values import is_choice
from deltaflask.plugins.deltacloud.render import href
from deltaflask.plugins.deltacloud.render import respond
from deltaflask.plugins.deltacloud.views.forms import Field
from deltaflask.plugins.deltacloud.views.forms import Form
from deltaflask.plugins.deltacloud.views.forms import FormInvalid
from deltaflask.plugins.deltacloud.views.forms import register_form
from deltaflask.plugins.deltacloud.views.forms import submitted_values
from deltaflask.plugins.deltacloud.views.forms import validate
from deltaflask.state import state

FORMATS = {"api.drivers_use": ("html",)}
#: the session entry holding ``{"driver": name, "provider": provider or ""}``
SESSION_KEY = "api_driver"
#: what a provider typed by hand may contain (regions, zones, endpoints' names)
PROVIDER_PATTERN = r"[A-Za-z0-9_.:@/-]{1,100}"


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
    """Add the drivers routes and the driver picker."""
    bp.add_url_rule("/drivers", "drivers_index", index, methods=["GET"])
    bp.add_url_rule("/drivers/<driver_id>", "drivers_show", show, methods=["GET"])
    bp.add_url_rule("/drivers/<driver_id>/use", "drivers_use", use, methods=["POST"])
    register_form("drivers_use", use_form)


def session_choice() -> tuple[str | None, str | None]:
    """The driver and provider this browser session picked, if it did.

    The session is read only when the request carries its cookie, so that
    clients which never picked anything get no ``Vary: Cookie``. A stored
    choice that is no valid name (a cookie from an older version) is ignored.
    """
    if "HTTP_COOKIE" not in request.environ:  # no cookie at all: nothing to parse
        return None, None
    if current_app.config["SESSION_COOKIE_NAME"] not in request.cookies:
        return None, None
    choice = session.get(SESSION_KEY)
    if not isinstance(choice, dict):
        return None, None
    driver, provider = choice.get("driver"), choice.get("provider") or None
    if not isinstance(driver, str) or not is_choice("driver", driver):
        return None, None  # a choice no header could carry is ignored
    if provider is not None and not (
        isinstance(provider, str) and is_choice("provider", provider)
    ):
        return driver, None
    return driver, provider


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


def _found(driver_id: str) -> DriverView:
    driver = next((d for d in all_drivers() if d.id == driver_id), None)
    if driver is None:
        raise ObjectNotFound(f"Driver '{driver_id}' not found")
    return driver


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


def use_form(values: dict[str, str], driver_id: str) -> Form:
    """The form that makes ``driver_id`` (and a provider) this session's choice."""
    driver = _found(driver_id)
    if not driver.available:
        raise ObjectNotFound(f"Driver '{driver_id}' is not available: {driver.reason}")
    other = Field(
        "other_provider",
        "Other provider" if driver.providers else "Provider",
        placeholder="default",
        pattern=PROVIDER_PATTERN,
        pattern_message="Use letters, digits and . _ - : @ / only (at most 100).",
    )
    fields = [other]
    if driver.providers:
        options = [(p, p) for p in driver.providers]
        picker = Field(
            "provider", "Provider", "select", options=options, blank="(default)"
        )
        fields.insert(0, picker)
    return Form(
        title=f"Use the {driver.name} driver",
        action=href("drivers", driver.id, "use"),
        fields=fields,
        submit=f"Use {driver.id}",
        crumbs=[("drivers", href("drivers")), (driver.id, href("drivers", driver.id))],
        key=driver.id,
        values=_current_values(driver),
    )


def _current_values(driver: DriverView) -> dict[str, str]:
    """The form's defaults: the provider in effect when it is this driver."""
    provider = current_provider() if current_driver_name() == driver.id else None
    if not provider:
        return {}
    if provider in driver.providers:
        return {"provider": provider}
    return {"other_provider": provider}


def pickers(drivers: list[DriverView]) -> list[Form]:
    """The "use this driver" forms of the available ``drivers``."""
    return [use_form({}, d.id) for d in drivers if d.available]


def index() -> Response:
    """List the drivers (no authentication needed)."""
    drivers = all_drivers()
    return respond(
        "drivers/index",
        lambda: {d.id: _to_json(d) for d in drivers},
        drivers=drivers,
        pickers=pickers,
    )


def show(driver_id: str) -> Response:
    """One driver with its providers and their endpoints."""
    driver = _found(driver_id)
    return respond(
        "drivers/show",
        lambda: {"driver": {**_to_json(driver), "id": driver.id}},
        driver=driver,
        url=href("drivers", driver.id),
        pickers=pickers,
    )


def use(driver_id: str) -> BaseResponse:
    """Remember the driver and provider for this browser session; on to ``/api``."""
    values = submitted_values()
    errors = validate(use_form(values, driver_id), values)
    if errors:
        raise FormInvalid(errors)
    provider = values.get("other_provider", "").strip() or values.get("provider", "")
    session[SESSION_KEY] = {"driver": driver_id, "provider": provider}
    return redirect(request.root_url + "api", 303)
