"""What the vsphere driver reads from vcsim: realms, images, hardware
profiles and networks, compared with vcsim's own inventory."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from deltaflask.plugins.vsphere.driver import VsphereDriver
from tests.support.vcsim import Vcsim

pytestmark = pytest.mark.xdist_group("vcsim")

Headers = dict[str, str]


def _listed(client: FlaskClient, auth: Headers, path: str) -> list[dict]:
    response = client.get(path, headers=auth)
    assert response.status_code == 200, response.get_data(as_text=True)
    return list(response.get_json()[path.split("?")[0].rsplit("/", 1)[-1]])


def test_realms_are_clusters_and_standalone_hosts(
    vsphere_client: FlaskClient, vsphere_auth: Headers
) -> None:
    realms = _listed(vsphere_client, vsphere_auth, "/api/realms")
    assert sorted(r["name"] for r in realms) == ["DC0/DC0_C0", "DC0/DC0_H0"]
    assert {r["state"] for r in realms} == {"AVAILABLE"}


def test_images_are_the_templates(
    vsphere_client: FlaskClient, vsphere_auth: Headers, templates: dict[str, str]
) -> None:
    images = _listed(vsphere_client, vsphere_auth, "/api/images")
    assert {i["id"]: i["name"] for i in images} == {
        template_id: name for name, template_id in templates.items()
    }
    assert {i["architecture"] for i in images} == {"i386"}  # vcsim's otherGuest
    profiles = {p["id"] for p in images[0]["hardware_profiles"]}
    assert profiles == {"1cpu-32mb", "2cpu-64mb"}
    none_64 = _listed(vsphere_client, vsphere_auth, "/api/images?architecture=x86_64")
    assert none_64 == []


def test_hardware_profiles_are_the_template_sizes(
    vsphere_client: FlaskClient, vsphere_auth: Headers
) -> None:
    profiles = _listed(vsphere_client, vsphere_auth, "/api/hardware_profiles")
    assert [(p["id"], p["properties"]) for p in profiles] == [
        ("1cpu-32mb", {"cpu": "1", "memory": "32"}),
        ("2cpu-64mb", {"cpu": "2", "memory": "64"}),
    ]
    shown = vsphere_client.get("/api/hardware_profiles/2cpu-64mb", headers=vsphere_auth)
    assert shown.get_json()["hardware_profile"]["id"] == "2cpu-64mb"


def test_networks_are_port_groups(
    vsphere_client: FlaskClient, vsphere_auth: Headers, vsphere: VsphereDriver
) -> None:
    networks = _listed(vsphere_client, vsphere_auth, "/api/networks")
    names = {n["name"] for n in networks}
    assert {"VM Network", "DC0_DVPG0"} <= names
    assert all(n["address_blocks"] == [] and n["subnets"] == [] for n in networks)
    vm = vsphere.instances({})[0]
    bound = {binding.network_id for binding in vm.network_bindings}
    assert bound and bound <= {n["id"] for n in networks}
    missing = vsphere_client.get("/api/subnets", headers=vsphere_auth)
    assert missing.status_code == 412


def test_buckets_and_volumes_are_not_offered(
    vsphere_client: FlaskClient, vsphere_auth: Headers
) -> None:
    for collection in ("buckets", "storage_volumes", "keys", "firewalls"):
        response = vsphere_client.get(f"/api/{collection}", headers=vsphere_auth)
        assert response.status_code == 412, collection


def test_sessions_are_reused_between_requests(
    vsphere_client: FlaskClient, vsphere_auth: Headers, vcsim: Vcsim
) -> None:
    """Two requests with the same credentials share one vCenter session."""
    from pyVim.connect import Disconnect

    admin = vcsim.connect()
    try:
        manager = admin.RetrieveContent().sessionManager
        vsphere_client.get("/api/realms", headers=vsphere_auth)
        before = {s.key for s in manager.sessionList}
        assert before
        vsphere_client.get("/api/images", headers=vsphere_auth)
        vsphere_client.get("/api/instances", headers=vsphere_auth)
        assert {s.key for s in manager.sessionList} == before
    finally:
        Disconnect(admin)
