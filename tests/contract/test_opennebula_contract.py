"""The driver contract suite on the opennebula driver, against the fake oned
(a real XML-RPC server on loopback) reset for every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from deltaflask.testing import DriverContract
from deltaflask.testing import DriverUnderTest
from tests.fakes.opennebula.server import FakeOned
from tests.fakes.opennebula.server import running_oned

pytestmark = pytest.mark.xdist_group("opennebula")


@pytest.fixture(scope="module")
def oned_server() -> Iterator[FakeOned]:
    with running_oned() as server:
        yield server


class TestOpenNebulaContract(DriverContract):
    @pytest.fixture
    def driver_under_test(self, oned_server: FakeOned) -> DriverUnderTest:
        oned_server.reset()
        return DriverUnderTest(
            "opennebula",
            credentials=("oneadmin", "opennebula"),
            provider=oned_server.endpoint,
        )
