"""The driver a contract run proves, and how to reach it."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from flask import Flask

from deltaflask.app import create_app
from deltaflask.drivers import BaseDriver
from deltaflask.drivers import Credentials
from deltaflask.state import state


@dataclass(frozen=True)
class DriverUnderTest:
    """A driver, the credentials its cloud (or emulator) accepts, and settings.

    ``config`` is added to the app's settings (e.g. ``MOCK_STORAGE`` or an
    endpoint URL); ``provider`` is the default provider. The app serves the
    classic frontend with ``name`` as its default driver.
    """

    name: str
    credentials: tuple[str, str] | None
    provider: str | None = None
    config: Mapping[str, Any] = field(default_factory=dict)

    def app(self) -> Flask:
        """A fresh application whose default driver is this one."""
        return create_app(
            {
                "TESTING": True,
                "DRIVER": self.name,
                "PROVIDER": self.provider,
                "FRONTENDS": "deltacloud",
                **self.config,
            }
        )

    def auth_headers(self) -> dict[str, str]:
        """Headers that authenticate (when there are credentials) and ask for JSON."""
        headers = {"Accept": "application/json"}
        if self.credentials is not None:
            token = base64.b64encode(":".join(self.credentials).encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        return headers

    def driver(self, app: Flask) -> BaseDriver:
        """A driver object as a request of ``app`` would get it."""
        driver_class = state(app).registry.driver_class(self.name)
        credentials = Credentials(*self.credentials) if self.credentials else None
        return driver_class(credentials, self.provider, app.config)
