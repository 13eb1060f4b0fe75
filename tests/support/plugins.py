"""Shared test helpers taken from test_html_driver_picker.py."""

from __future__ import annotations

from deltaflask.hookspecs import hookimpl
from deltaflask.registry import DriverSpec


class Ghost:
    """A plugin registering a driver whose SDK is missing."""

    @hookimpl
    def register_drivers(self) -> list[DriverSpec]:
        return [DriverSpec("ghost", "Ghost", "ghost_cloud_sdk.driver:Ghost", "ghost")]
