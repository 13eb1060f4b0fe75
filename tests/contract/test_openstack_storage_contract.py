"""The contract's object-storage scenarios on the openstack driver against a
real Swift behind a real Keystone (tests/support/swift.py).

Only Keystone and Swift run here, so the scenarios are the bucket, blob and
segmented-blob ones of :class:`StorageScenarios`; the whole contract, with
Nova, Cinder and Neutron, runs in test_openstack_contract.py.
"""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from deltaflask.testing.storage import StorageScenarios

pytestmark = pytest.mark.xdist_group("openstack")


class TestOpenStackObjectStorageContract:
    """The contract's bucket, blob and segmented-blob scenarios."""

    @pytest.fixture
    def driver_client(self, swift_client: FlaskClient) -> FlaskClient:
        return swift_client

    @pytest.fixture
    def driver_auth(self, swift_auth: dict[str, str]) -> dict[str, str]:
        return swift_auth

    test_bucket_and_blob_lifecycle = StorageScenarios.test_bucket_and_blob_lifecycle
    test_segmented_blob_of_five_mib_segments = (
        StorageScenarios.test_segmented_blob_of_five_mib_segments
    )
    test_segmented_upload_abort = StorageScenarios.test_segmented_upload_abort
