"""The request's driver, provider and credentials (kept on ``flask.g``)."""

from __future__ import annotations

from typing import cast

from flask import current_app
from flask import g
from flask import request

from deltaflask.drivers import BaseDriver
from deltaflask.drivers import Credentials
from deltaflask.errors import CapabilityMissing
from deltaflask.provider_calls import GuardedDriver
from deltaflask.state import state


def select_driver(name: str | None, provider: str | None) -> None:
    """Choose the driver and provider of this request (defaults from config)."""
    config, request_g = current_app.config, g._get_current_object()
    request_g.driver_name = name or config["DRIVER"]
    request_g.provider = provider or config.get("PROVIDER")
    request_g.pop("driver", None)
    request_g.pop("driver_class", None)


def current_driver_name() -> str:
    """The name of this request's driver."""
    return str(g.get("driver_name") or current_app.config["DRIVER"])


def current_provider() -> str | None:
    """This request's provider, if one is in effect."""
    return g.get("provider") or current_app.config.get("PROVIDER")


def sample_credentials(name: str) -> tuple[str, str] | None:
    """The demo account (user, password) driver ``name`` declares, if any."""
    entry = state().registry.drivers.get(name)
    return entry.spec.sample_credentials if entry is not None else None


def current_credentials() -> Credentials | None:
    """The credentials the request carries, if any."""
    request_g = g._get_current_object()
    if "credentials" not in request_g:
        request_g.credentials = state().pm.hook.credentials_from_request(
            request=request._get_current_object(),
            app=current_app._get_current_object(),
        )
    return request_g.credentials


def current_driver_class() -> type[BaseDriver]:
    """The class of this request's driver (404 if it is unknown), looked up
    once per request."""
    request_g = g._get_current_object()
    try:
        return request_g.driver_class  # type: ignore[no-any-return]
    except AttributeError:
        found = state().registry.driver_class(current_driver_name())
        request_g.driver_class = found
        return found


def require_collection(collection: str) -> None:
    """Refuse (412) a collection this request's driver does not offer."""
    if collection not in current_driver_class().collections():
        raise CapabilityMissing(collection)


def current_driver() -> BaseDriver:
    """A driver object for this request, created on first use; its provider
    calls are guarded (:mod:`deltaflask.provider_calls`)."""
    request_g = g._get_current_object()
    try:
        return request_g.driver
    except AttributeError:  # its first use in this request
        driver = current_driver_class()(
            current_credentials(), current_provider(), current_app.config
        )
        request_g.driver = cast(
            BaseDriver, GuardedDriver(driver, current_driver_name(), state().calls)
        )
        return request_g.driver
