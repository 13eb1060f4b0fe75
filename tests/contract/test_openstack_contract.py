"""The driver contract suite on the openstack driver, against real Keystone,
Nova, Glance, Cinder and Neutron started once for the session
(:mod:`tests.support.openstack_cloud`). Object storage (Swift) is proven by its
own tests."""

from __future__ import annotations

import pytest

from deltaflask.testing import DriverContract
from deltaflask.testing import DriverUnderTest
from tests.support.openstack_cloud import OpenStackCloud

pytestmark = pytest.mark.xdist_group("openstack")


class TestOpenStackContract(DriverContract):
    @pytest.fixture
    def driver_under_test(self, openstack: OpenStackCloud) -> DriverUnderTest:
        return DriverUnderTest(
            "openstack",
            credentials=openstack.credentials("demo"),
            provider=openstack.provider,
        )
