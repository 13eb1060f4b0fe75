"""The driver contract suite on the rhevm driver, against the fake engine.

Two scenarios are replaced by their rhevm form, for reasons of the engine,
not of the driver: a VM is created down (the original rhevm state machine:
start -> pending -> stopped), so the life cycle starts it first; and the
engine, not the client, names a disk's guest device, so an attachment shows
the device the guest reports (none on the fake), not the one asked for.
"""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from deltaflask.testing import DriverContract
from deltaflask.testing import DriverUnderTest
from deltaflask.testing.api import Headers
from deltaflask.testing.api import action_rels
from deltaflask.testing.api import answer
from deltaflask.testing.api import error_message
from deltaflask.testing.api import gone_or_finished
from deltaflask.testing.api import launch
from deltaflask.testing.api import show
from tests.fakes.rhevm.server import EngineServer
from tests.fakes.rhevm.state import PASSWORD
from tests.fakes.rhevm.state import EngineState
from tests.support.rhevm_engine import TIMEOUT
from tests.support.rhevm_engine import USER
from tests.support.rhevm_engine import engine as engine
from tests.support.rhevm_engine import rhevm_server as rhevm_server

pytestmark = pytest.mark.xdist_group("rhevm")


class TestRhevmContract(DriverContract):
    @pytest.fixture
    def driver_under_test(
        self, rhevm_server: EngineServer, engine: EngineState
    ) -> DriverUnderTest:
        return DriverUnderTest(
            "rhevm",
            credentials=(USER, PASSWORD),
            provider=rhevm_server.url,
            config={"RHEVM_TIMEOUT": TIMEOUT},
        )

    def test_instance_lifecycle(
        self, driver_client: FlaskClient, driver_auth: Headers
    ) -> None:
        created = launch(driver_client, driver_auth, name="contract-web")
        instance_id = created["id"]
        assert created["name"] == "contract-web"
        down = show(driver_client, driver_auth, instance_id)
        assert down["state"] == "STOPPED"
        assert action_rels(down) == {"start", "destroy"}
        listed = answer(driver_client.get("/api/instances", headers=driver_auth))
        assert instance_id in {i["id"] for i in listed["instances"]}

        started = driver_client.post(
            f"/api/instances/{instance_id}/start", headers=driver_auth
        )
        assert answer(started, 202)["state"] == "RUNNING"
        assert {"stop", "reboot"} <= action_rels(
            show(driver_client, driver_auth, instance_id)
        )
        rebooted = driver_client.post(
            f"/api/instances/{instance_id}/reboot", headers=driver_auth
        )
        assert answer(rebooted, 202)["state"] == "RUNNING"
        error_message(
            driver_client.post(
                f"/api/instances/{instance_id}/start", headers=driver_auth
            ),
            405,
        )
        error_message(
            driver_client.delete(f"/api/instances/{instance_id}", headers=driver_auth),
            405,
        )
        stopped = driver_client.post(
            f"/api/instances/{instance_id}/stop", headers=driver_auth
        )
        assert answer(stopped, 202)["state"] == "STOPPED"
        destroyed = driver_client.delete(
            f"/api/instances/{instance_id}", headers=driver_auth
        )
        assert destroyed.status_code == 204
        gone_or_finished(driver_client, driver_auth, instance_id)

    def test_volume_attach_and_detach(
        self, driver_client: FlaskClient, driver_auth: Headers
    ) -> None:
        instance = launch(driver_client, driver_auth)
        realm_id = instance["realm"]["id"]
        volume = answer(
            driver_client.post(
                "/api/storage_volumes",
                data={"capacity": "1", "realm_id": realm_id},
                headers=driver_auth,
            ),
            201,
        )["storage_volume"]
        assert volume["realm"]["id"] == realm_id
        url = f"/api/storage_volumes/{volume['id']}"
        attached = driver_client.post(
            f"{url}/attach",
            data={"instance_id": instance["id"], "device": "/dev/sdf"},
            headers=driver_auth,
        )
        shown = answer(attached, 202)["storage_volume"]
        assert shown["state"] == "IN-USE"
        assert shown["instance"]["id"] == instance["id"]
        volumes = show(driver_client, driver_auth, instance["id"])["storage_volumes"]
        assert volume["id"] in {v["id"] for v in volumes}
        assert "detach" in error_message(
            driver_client.delete(url, headers=driver_auth), 409
        )
        detached = answer(driver_client.post(f"{url}/detach", headers=driver_auth), 202)
        assert detached["storage_volume"]["state"] == "AVAILABLE"
        assert detached["storage_volume"]["instance"] == {}
        answer(driver_client.delete(url, headers=driver_auth), 204)
