"""Prove a driver against the driver contract with pytest.

A driver package runs the same scenarios as the built-in drivers by
subclassing :class:`DriverContract` and providing one fixture::

    # tests/test_contract.py of the package mycloud-deltaflask
    import pytest
    from deltaflask.testing import DriverContract, DriverUnderTest

    class TestMyCloudContract(DriverContract):
        @pytest.fixture
        def driver_under_test(self, my_emulator):
            return DriverUnderTest(
                "mycloud",
                credentials=("user", "secret"),
                config={"MYCLOUD_ENDPOINT_URL": my_emulator.url},
            )

The scenarios go through the classic ``/api`` frontend (JSON) and call the
driver object directly (:mod:`deltaflask.testing.objects`). A collection the
driver does not offer must answer 412, which the scenarios check. Needs
pytest (deltaflask's ``test`` extra).
"""

from deltaflask.testing.suite import DriverContract as DriverContract
from deltaflask.testing.target import DriverUnderTest as DriverUnderTest
