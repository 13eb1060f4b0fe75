"""The driver contract suite on the azure driver, against a fresh Azurite:
its storage scenarios run in full, every other collection answers 412."""

from __future__ import annotations

import pytest

from deltaflask.testing import DriverContract
from deltaflask.testing import DriverUnderTest
from tests.support.azurite import ACCOUNT
from tests.support.azurite import KEY
from tests.support.azurite import Azurite

pytestmark = pytest.mark.xdist_group("azurite")


class TestAzureContract(DriverContract):
    @pytest.fixture
    def driver_under_test(self, azurite_blob: Azurite) -> DriverUnderTest:
        return DriverUnderTest(
            "azure", credentials=(ACCOUNT, KEY), provider=azurite_blob.endpoint
        )
