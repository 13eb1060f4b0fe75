"""The driver contract suite (:mod:`deltaflask.testing`) on the built-in drivers:
the mock on a fresh JSON cloud, ec2 against a freshly reset moto server."""

from __future__ import annotations

from pathlib import Path

import pytest

from deltaflask.testing import DriverContract
from deltaflask.testing import DriverUnderTest
from tests.support.moto_server import MotoServer


class TestMockContract(DriverContract):
    @pytest.fixture
    def driver_under_test(self, tmp_path: Path) -> DriverUnderTest:
        return DriverUnderTest(
            "mock",
            credentials=("mockuser", "mockpassword"),
            config={"MOCK_STORAGE": str(tmp_path / "mock")},
        )


class TestEc2Contract(DriverContract):
    @pytest.fixture
    def driver_under_test(self, aws: MotoServer) -> DriverUnderTest:
        return DriverUnderTest(
            "ec2",
            credentials=("testing", "testing"),
            provider="us-east-1",
            config={"EC2_ENDPOINT_URL": aws.endpoint},
        )
