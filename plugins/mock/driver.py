"""The mock driver: a JSON-file cloud with the original mock's data and habits."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from typing import ClassVar

from deltaflask.drivers import Credentials
from deltaflask.plugins.mock.addresses import MockAddresses
from deltaflask.plugins.mock.base import MOCK_PASSWORD as MOCK_PASSWORD
from deltaflask.plugins.mock.base import MOCK_USER as MOCK_USER
from deltaflask.plugins.mock.blobs import MockBlobs
from deltaflask.plugins.mock.compute import MockCompute
from deltaflask.plugins.mock.firewalls import MockFirewalls
from deltaflask.plugins.mock.load_balancers import MockLoadBalancers
from deltaflask.plugins.mock.network import MockNetwork
from deltaflask.plugins.mock.profiles import HARDWARE_PROFILES
from deltaflask.plugins.mock.profiles import STATE_MACHINE
from deltaflask.plugins.mock.storage import MockStorage
from deltaflask.plugins.mock.store import MockStore
from deltaflask.resources import resource_dir


class MockDriver(
    MockCompute,
    MockStorage,
    MockBlobs,
    MockNetwork,
    MockAddresses,
    MockFirewalls,
    MockLoadBalancers,
):
    """Deltacloud's mock cloud, kept in JSON files under ``MOCK_STORAGE``."""

    name: ClassVar[str] = "mock"
    display_name: ClassVar[str] = "Mock"
    features: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "instances": (
            "metrics",
            "realm_filter",
            "user_name",
            "authentication_key",
            "network_placement",
        ),
    }
    state_machine = STATE_MACHINE
    chooses_addresses = True
    static_hardware_profiles = HARDWARE_PROFILES

    def __init__(
        self,
        credentials: Credentials | None,
        provider: str | None = None,
        settings: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(credentials, provider, settings)
        self.store = MockStore.open(
            os.fspath(self.settings.get("MOCK_STORAGE") or "mock-storage"),
            resource_dir("mock"),
        )
