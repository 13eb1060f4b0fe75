"""The rhevm driver: every part of it composed into one class."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from deltaflask.errors import AuthenticationFailure
from deltaflask.plugins.rhevm.catalogue import RhevmCatalogue
from deltaflask.plugins.rhevm.instances import STATE_MACHINE
from deltaflask.plugins.rhevm.networks import RhevmNetworks
from deltaflask.plugins.rhevm.volumes import RhevmVolumes


class RhevmDriver(RhevmCatalogue, RhevmNetworks, RhevmVolumes):
    """oVirt / Red Hat Virtualization (RHEV-M) through its engine API v4."""

    name: ClassVar[str] = "rhevm"
    display_name: ClassVar[str] = "oVirt / RHEV-M"
    features: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "instances": (
            "user_name",
            "user_data",
            "instance_count",
            "realm_filter",
            "network_placement",
        ),
        "storage_volumes": ("volume_name", "volume_description"),
    }
    state_machine = STATE_MACHINE

    def valid_credentials(self) -> bool:
        """Whether the engine's SSO accepts the user name and password."""
        creds = self._credentials
        if creds is None or not creds.user or not creds.password:
            return False
        try:
            with self.engine():
                self.system.get()
        except AuthenticationFailure:
            return False
        return True
