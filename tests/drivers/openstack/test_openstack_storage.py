"""Cinder volumes on real services: the seed's volume_name and
volume_description features, attach and detach to a booted Nova server with
the device reported, snapshots and volumes made from them."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.support.openstack_cloud import OpenStackCloud

pytestmark = pytest.mark.xdist_group("openstack")


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json() if response.data else None


def test_volume_name_and_description_reach_cinder(
    api: FlaskClient, auth: dict[str, str], openstack: OpenStackCloud
) -> None:
    volume = ok(
        api.post(
            "/api/storage_volumes",
            data={"capacity": "1", "name": "db-data", "description": "postgres"},
            headers=auth,
        ),
        201,
    )["storage_volume"]
    assert (volume["name"], volume["description"]) == ("db-data", "postgres")
    assert volume["state"] == "AVAILABLE"
    cinder = openstack.sdk("demo").block_storage.get_volume(volume["id"])
    assert (cinder.name, cinder.description, cinder.size) == ("db-data", "postgres", 1)
    ok(api.delete(f"/api/storage_volumes/{volume['id']}", headers=auth), 204)


def test_attach_to_a_booted_server_reports_the_device_then_detach(
    api: FlaskClient, auth: dict[str, str], openstack: OpenStackCloud
) -> None:
    image = ok(api.get("/api/images", headers=auth))["images"][0]["id"]
    server = ok(
        api.post("/api/instances", data={"image_id": image}, headers=auth), 201
    )["instance"]
    volume = ok(
        api.post("/api/storage_volumes", data={"capacity": "1"}, headers=auth), 201
    )["storage_volume"]
    url = f"/api/storage_volumes/{volume['id']}"
    attached = ok(
        api.post(
            f"{url}/attach",
            data={"instance_id": server["id"], "device": "/dev/sdc"},
            headers=auth,
        ),
        202,
    )["storage_volume"]
    assert attached["state"] == "IN-USE"
    assert attached["instance"]["id"] == server["id"]
    assert attached["device"] == "/dev/sdc"
    nova = openstack.sdk("demo").compute
    attachments = list(nova.volume_attachments(server["id"]))
    assert [(a.volume_id, a.device) for a in attachments] == [
        (volume["id"], attached["device"])
    ]
    refused = api.post(
        f"{url}/attach",
        data={"instance_id": server["id"], "device": "/dev/sdd"},
        headers=auth,
    )
    assert refused.status_code == 409
    detached = ok(api.post(f"{url}/detach", headers=auth), 202)["storage_volume"]
    assert detached["state"] == "AVAILABLE"
    assert list(nova.volume_attachments(server["id"])) == []
    ok(api.delete(url, headers=auth), 204)
    ok(api.delete(f"/api/instances/{server['id']}", headers=auth), 204)


def test_attach_to_an_unknown_instance_is_400(
    api: FlaskClient, auth: dict[str, str]
) -> None:
    volume = ok(
        api.post("/api/storage_volumes", data={"capacity": "1"}, headers=auth), 201
    )["storage_volume"]
    url = f"/api/storage_volumes/{volume['id']}"
    refused = api.post(
        f"{url}/attach",
        data={"instance_id": "no-such-server", "device": "/dev/sdc"},
        headers=auth,
    )
    assert refused.status_code == 400
    ok(api.delete(url, headers=auth), 204)


def test_volume_from_a_snapshot(
    api: FlaskClient, auth: dict[str, str], openstack: OpenStackCloud
) -> None:
    source = ok(
        api.post("/api/storage_volumes", data={"capacity": "2"}, headers=auth), 201
    )["storage_volume"]
    snapshot = ok(
        api.post(
            "/api/storage_snapshots",
            data={"volume_id": source["id"], "name": "nightly"},
            headers=auth,
        ),
        201,
    )["storage_snapshot"]
    cinder = openstack.sdk("demo").block_storage
    cinder.wait_for_status(cinder.get_snapshot(snapshot["id"]), "available", wait=120)
    copy = ok(
        api.post(
            "/api/storage_volumes",
            data={"snapshot_id": snapshot["id"], "name": "restored"},
            headers=auth,
        ),
        201,
    )["storage_volume"]
    assert copy["capacity"] == 2
    assert cinder.get_volume(copy["id"]).snapshot_id == snapshot["id"]
    refused = api.post(
        "/api/storage_volumes", data={"snapshot_id": "no-such-snap"}, headers=auth
    )
    assert refused.status_code == 400
    ok(api.delete(f"/api/storage_volumes/{copy['id']}", headers=auth), 204)
    ok(api.delete(f"/api/storage_snapshots/{snapshot['id']}", headers=auth), 204)
    ok(api.delete(f"/api/storage_volumes/{source['id']}", headers=auth), 204)
