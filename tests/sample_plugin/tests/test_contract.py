"""The sample driver proves itself with deltaflask's contract suite, as any
third-party driver package would: one fixture names the driver."""

import pytest

from deltaflask.testing import DriverContract
from deltaflask.testing import DriverUnderTest


class TestSampleContract(DriverContract):
    @pytest.fixture
    def driver_under_test(self):
        return DriverUnderTest("sample", credentials=None)
