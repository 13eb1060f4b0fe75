"""The driver contract suite (:mod:`deltaflask.testing`) on the mock kept in
PostgreSQL (``DATABASE_URL``): every behaviour the suite proves on the files
holds on the database too, and the mock's folder stays empty."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from deltaflask.testing import DriverContract
from deltaflask.testing import DriverUnderTest

pytestmark = pytest.mark.xdist_group("postgres")


class TestMockOnPostgresContract(DriverContract):
    @pytest.fixture
    def driver_under_test(
        self, tmp_path: Path, database_url: str
    ) -> Iterator[DriverUnderTest]:
        folder = tmp_path / "mock"
        yield DriverUnderTest(
            "mock",
            credentials=("mockuser", "mockpassword"),
            config={"MOCK_STORAGE": str(folder), "DATABASE_URL": database_url},
        )
        assert not folder.exists(), "the mock wrote to its folder"
