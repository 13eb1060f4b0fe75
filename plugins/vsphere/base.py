"""What every part of the vsphere driver shares: its session and settings."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from deltaflask.drivers import BaseDriver
from deltaflask.errors import AuthenticationFailure
from deltaflask.plugins.vsphere import inventory
from deltaflask.plugins.vsphere.connection import Endpoint
from deltaflask.plugins.vsphere.connection import Session
from deltaflask.plugins.vsphere.connection import session
from deltaflask.settings import flag

#: seconds one vCenter task may take (a SOAP call: the server's provider time-out)
DEFAULT_TASK_TIMEOUT = 600.0


class VsphereBase(BaseDriver):
    """The base every mixin of the vsphere driver extends: the request's
    vCenter session (made or reused on first use) and inventory reads."""

    _session: Session | None = None

    @property
    def session(self) -> Session:
        """The vCenter session for this request's provider and credentials."""
        if self._session is None:
            self._session = session(
                Endpoint.parse(self.provider),
                self.credentials,
                insecure=flag(self.setting("VSPHERE_INSECURE", "")),
                timeout=self.seconds("VSPHERE_TIMEOUT"),
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
