"""The driver contract suite on the vsphere driver, against a real vcsim
(govmomi's vSphere simulator) with two of its VMs made templates."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from deltaflask.testing import DriverContract
from deltaflask.testing import DriverUnderTest
from tests.support.vcsim import PASSWORD
from tests.support.vcsim import USER
from tests.support.vcsim import Vcsim
from tests.support.vcsim import make_templates
from tests.support.vcsim import vcsim_server

pytestmark = pytest.mark.xdist_group("vcsim")


@pytest.fixture(scope="module")
def contract_vcsim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Vcsim]:
    """A vcsim of its own for the contract run, with templates."""
    with vcsim_server(tmp_path_factory.mktemp("vcsim-contract")) as server:
        make_templates(server)
        yield server


class TestVsphereContract(DriverContract):
    @pytest.fixture
    def driver_under_test(self, contract_vcsim: Vcsim) -> DriverUnderTest:
        return DriverUnderTest(
            "vsphere",
            credentials=(USER, PASSWORD),
            provider=contract_vcsim.provider,
            config={"VSPHERE_INSECURE": "1"},
        )
