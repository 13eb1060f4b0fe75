"""The plugin contract: every hook deltaflask calls, with its markers.

Plugins are modules (or objects) with functions marked ``@hookimpl`` whose
names match the specs below. They are found through the ``deltaflask``
entry-point group, built-in plugins included::

    entry_points={"deltaflask": ["mydriver = my_package.plugin"]}

Implementations may accept fewer arguments than the spec; hooks are always
called with keyword arguments.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from pathlib import Path

    from flask import Flask
    from flask import Request

    from deltaflask.drivers import Credentials
    from deltaflask.registry import DriverSpec
    from deltaflask.registry import FrontendSpec

hookspec = pluggy.HookspecMarker("deltaflask")
hookimpl = pluggy.HookimplMarker("deltaflask")
"""Marker for plugin functions: ``@hookimpl def register_drivers(): ...``."""


@hookspec
def register_drivers() -> list[DriverSpec]:
    """Declare cloud drivers.

    :return: driver specs; each names its class as ``"module:Class"`` so the
        driver's SDK is imported only when the driver is first used.
    """


@hookspec
def register_frontends() -> list[FrontendSpec]:
    """Declare API frontends (``/api``, ``/cimi``, ``/ec2``, ...).

    :return: frontend specs; the app mounts those its configuration enables.
    """


@hookspec(firstresult=True)
def credentials_from_request(request: Request, app: Flask) -> Credentials | None:
    """Find the provider credentials a request carries.

    :param request: the current request.
    :param app: the application (its ``config`` holds server-wide settings).
    :return: the credentials, or ``None`` to let the next plugin try. The
        built-in implementation (tried last) reads HTTP Basic auth, or the
        ``API_USER``/``API_PASSWORD`` settings when both are set.
    """


@hookspec
def prepare_app(app: Flask) -> None:
    """Adjust the application after the frontends are mounted.

    :param app: the application; add routes, template filters or request
        hooks here.
    """


@hookspec(firstresult=True)
def cimi_seed(driver_name: str) -> Path | None:
    """The folder of CIMI entities a driver's CIMI scope starts with.

    :param driver_name: the request's driver.
    :return: a folder laid out like the mock's ``mock/cimi`` (one folder per
        kind of entity, JSON files in it), or ``None`` to let the next plugin
        answer; a scope nobody seeds starts empty.
    """
