"""What every part of the vsphere driver shares: its session and settings."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from deltaflask.drivers import BaseDriver
from deltaflask.errors import AuthenticationFailure
from deltaflask.errors import ProviderError
from deltaflask.plugins.vsphere import inventory
from deltaflask.plugins.vsphere.connection import Endpoint
from deltaflask.plugins.vsphere.connection import Session
from deltaflask.plugins.vsphere.connection import session
from deltaflask.settings import flag

#: seconds one SOAP call may take, and one vCenter task
DEFAULT_TIMEOUT = 60.0
DEFAULT_TASK_TIMEOUT = 600.0


class VsphereBase(BaseDriver):
    """The base every mixin of the vsphere driver extends: the request's
    vCenter session (made or reused on first use) and inventory reads."""

    _session: Session | None = None

    def setting(self, name: str, default: Any = None) -> Any:
        """A server setting, else the environment variable of the same name."""
        value = self.settings.get(name)
        if value is None or value == "":
            value = os.environ.get(name, default)
        return value

    def seconds(self, name: str, default: float) -> float:
        """A time-out setting in seconds (a positive number)."""
        raw = self.setting(name, default)
        try:
            value = float(raw)
        except (TypeError, ValueError):
            value = 0.0
        if value <= 0:
            raise ProviderError(f"The server's {name} must be a number of seconds")
        return value

    @property
    def session(self) -> Session:
        """The vCenter session for this request's provider and credentials."""
        if self._session is None:
            self._session = session(
                Endpoint.parse(self.provider),
                self.credentials,
                insecure=flag(self.setting("VSPHERE_INSECURE", "")),
                timeout=self.seconds("VSPHERE_TIMEOUT", DEFAULT_TIMEOUT),
            )
        return self._session

    def valid_credentials(self) -> bool:
        """Whether vCenter accepts the user and password (logs in to check)."""
        creds = self._credentials
        if creds is None or not creds.user or not creds.password:
            return False
        try:
            return self.session is not None
        except AuthenticationFailure:
            return False

    def fetch(
        self, kind: Any, paths: Iterable[str], root: Any = None
    ) -> list[inventory.Found]:
        """Every object of ``kind`` (below ``root``) with properties ``paths``."""
        return inventory.fetch(self.session, kind, paths, root)

    def fetch_one(
        self, kind: Any, object_id: str, paths: Iterable[str]
    ) -> inventory.Found | None:
        """One object of ``kind`` by managed object id, or ``None``."""
        return inventory.fetch_one(self.session, kind, object_id, paths)

    def wait(self, task: Any) -> Any:
        """A task's result, waiting at most ``VSPHERE_TASK_TIMEOUT`` seconds."""
        return inventory.wait(
            task, self.seconds("VSPHERE_TASK_TIMEOUT", DEFAULT_TASK_TIMEOUT)
        )
