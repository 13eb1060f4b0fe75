"""The openstack driver behind the other faces: CIMI and the HTML UI."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from deltaflask import create_app
from tests.support.openstack_cloud import OpenStackCloud

pytestmark = pytest.mark.xdist_group("openstack")


def test_cimi_and_html_show_what_openstack_holds(
    openstack: OpenStackCloud, tmp_path: Path
) -> None:
    app = create_app(
        {
            "TESTING": True,
            "DRIVER": "openstack",
            "PROVIDER": openstack.provider,
            "FRONTENDS": ["deltacloud", "cimi"],
            "MOCK_STORAGE": str(tmp_path / "mock"),
        }
    )
    client = app.test_client()
    user, password = openstack.credentials("demo")
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    auth = {"Authorization": f"Basic {token}", "Accept": "application/json"}
    volume = openstack.sdk("demo").block_storage.create_volume(size=1, name="cimi-vol")
    openstack.sdk("demo").block_storage.wait_for_status(volume, "available", wait=120)

    volumes = client.get("/cimi/volumes", headers=auth)
    assert volumes.status_code == 200, volumes.get_data(as_text=True)
    assert volume.id in volumes.get_data(as_text=True)
    configs = client.get("/cimi/machine_configurations", headers=auth)
    assert configs.status_code == 200, configs.get_data(as_text=True)
    assert "m1.tiny" in configs.get_data(as_text=True)

    page = client.get("/api/storage_volumes", headers={**auth, "Accept": "text/html"})
    assert page.status_code == 200
    assert "cimi-vol" in page.get_data(as_text=True)
