"""Storage volumes as persistent DATABLOCK images of the fake oned: made in the
realm's image datastore, hot-plugged into VMs as disks and unplugged."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from deltaflask.testing.api import answer
from deltaflask.testing.api import error_message
from tests.drivers.opennebula.conftest import ADMIN
from tests.fakes.opennebula.server import FakeOned

pytestmark = pytest.mark.xdist_group("opennebula")


def create(one: FlaskClient, **data: str) -> dict:
    made = one.post("/api/storage_volumes", data=data, headers=ADMIN)
    return answer(made, 201)["storage_volume"]


def test_a_volume_is_a_persistent_datablock_in_the_realms_datastore(
    one: FlaskClient, oned: FakeOned
) -> None:
    volume = create(one, capacity="3", realm_id="100", name="data", description="db")
    assert (volume["capacity"], volume["realm"]["id"], volume["state"]) == (
        3,
        "100",
        "AVAILABLE",
    )
    image = oned.cloud.images[int(volume["id"])]
    assert (image["type"], image["persistent"], image["size"]) == (2, 1, 3072)
    assert (image["datastore_id"], image["name"]) == (101, "data")
    assert image["template"]["DESCRIPTION"] == "db"
    listed = answer(one.get("/api/storage_volumes", headers=ADMIN))["storage_volumes"]
    assert [v["id"] for v in listed] == [volume["id"]]  # not the OS image ttylinux


def test_attach_plugs_the_image_in_as_a_disk_and_detach_unplugs_it(
    one: FlaskClient, oned: FakeOned
) -> None:
    created = one.post("/api/instances", data={"image_id": "1"}, headers=ADMIN)
    vm_id = answer(created, 201)["instance"]["id"]
    volume = create(one, capacity="1")
    url = f"/api/storage_volumes/{volume['id']}"
    attached = one.post(
        f"{url}/attach",
        data={"instance_id": vm_id, "device": "/dev/vdc"},
        headers=ADMIN,
    )
    shown = answer(attached, 202)["storage_volume"]
    assert (shown["state"], shown["device"]) == ("IN-USE", "/dev/vdc")
    disks = oned.cloud.vms[int(vm_id)]["template"]["DISK"]
    assert [(d["IMAGE_ID"], d["TARGET"]) for d in disks] == [(volume["id"], "vdc")]
    instance = answer(one.get(f"/api/instances/{vm_id}", headers=ADMIN))["instance"]
    assert [v["id"] for v in instance["storage_volumes"]] == [volume["id"]]

    again = one.post(
        f"{url}/attach",
        data={"instance_id": vm_id, "device": "/dev/vdd"},
        headers=ADMIN,
    )
    error_message(again, 409)
    assert "detach" in error_message(one.delete(url, headers=ADMIN), 409)
    detached = answer(one.post(f"{url}/detach", headers=ADMIN), 202)
    assert detached["storage_volume"]["state"] == "AVAILABLE"
    assert "DISK" not in oned.cloud.vms[int(vm_id)]["template"]
    answer(one.delete(url, headers=ADMIN), 204)
    assert int(volume["id"]) not in oned.cloud.images


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"instance_id": "99", "device": "/dev/vdb"}, "Instance '99' does not exist"),
        ({"instance_id": "0", "device": "C:"}, "device 'C:'"),
    ],
)
def test_bad_attachments_are_400(
    one: FlaskClient, oned: FakeOned, data: dict[str, str], words: str
) -> None:
    one.post("/api/instances", data={"image_id": "1"}, headers=ADMIN)
    volume = create(one)
    response = one.post(
        f"/api/storage_volumes/{volume['id']}/attach", data=data, headers=ADMIN
    )
    assert words in error_message(response, 400)
    assert oned.cloud.images[int(volume["id"])]["vms"] == []


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"capacity": "0"}, "capacity"),
        ({"capacity": "1", "realm_id": "9"}, "Realm '9'"),
    ],
)
def test_bad_volumes_are_400(
    one: FlaskClient, oned: FakeOned, data: dict[str, str], words: str
) -> None:
    response = one.post("/api/storage_volumes", data=data, headers=ADMIN)
    assert words in error_message(response, 400)
    assert list(oned.cloud.images) == [0]


def test_an_os_image_is_no_volume(one: FlaskClient) -> None:
    error_message(one.get("/api/storage_volumes/0", headers=ADMIN), 404)
    error_message(one.delete("/api/storage_volumes/0", headers=ADMIN), 404)
