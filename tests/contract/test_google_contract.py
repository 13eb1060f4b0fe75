"""The driver contract suite on the google driver, against a freshly wiped
gcp-storage-emulator (the storage scenarios; every other collection is 412)."""

from __future__ import annotations

import pytest

from deltaflask.testing import DriverContract
from deltaflask.testing import DriverUnderTest
from tests.support.gcs_emulator import PROJECT
from tests.support.gcs_emulator import GcsEmulator

pytestmark = pytest.mark.xdist_group("gcs")


class TestGoogleContract(DriverContract):
    @pytest.fixture
    def driver_under_test(self, gcs: GcsEmulator) -> DriverUnderTest:
        return DriverUnderTest(
            "google", credentials=(PROJECT, "emulator"), config=gcs.config()
        )
