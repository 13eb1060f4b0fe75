"""The opennebula driver's state machine: VMs in the fake oned move through
OpenNebula's STATE / LCM_STATE one scheduler or driver step at a time
(``FakeOned.settle``), and /api shows the original's states and actions."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from deltaflask.drivers import BaseDriver
from deltaflask.errors import MethodNotAllowed
from deltaflask.models import InstanceState
from deltaflask.plugins.opennebula.instances import one_state
from deltaflask.testing.api import action_rels
from deltaflask.testing.api import answer
from deltaflask.testing.api import error_message
from tests.drivers.opennebula.conftest import ADMIN
from tests.fakes.opennebula.server import FakeOned

pytestmark = pytest.mark.xdist_group("opennebula")
S = InstanceState


@pytest.fixture
def stepwise(oned: FakeOned) -> FakeOned:
    """The fake oned with VMs that stay in transient states until settled."""
    oned.reset(auto_settle=False)
    return oned


def launch(one: FlaskClient, **params: str) -> dict:
    created = one.post(
        "/api/instances", data={"image_id": "1", **params}, headers=ADMIN
    )
    return answer(created, 201)["instance"]


def shown(one: FlaskClient, instance_id: str) -> dict:
    return answer(one.get(f"/api/instances/{instance_id}", headers=ADMIN))["instance"]


def post(one: FlaskClient, instance_id: str, action: str) -> dict:
    return answer(
        one.post(f"/api/instances/{instance_id}/{action}", headers=ADMIN), 202
    )


@pytest.mark.parametrize(
    ("vm_state", "lcm_state", "expected"),
    [
        (1, 0, S.PENDING),  # PENDING
        (2, 0, S.PENDING),  # HOLD
        (3, 1, S.PENDING),  # ACTIVE / PROLOG
        (3, 2, S.PENDING),  # ACTIVE / BOOT
        (3, 3, S.RUNNING),  # ACTIVE / RUNNING
        (3, 17, S.RUNNING),  # ACTIVE / HOTPLUG
        (3, 20, S.PENDING),  # ACTIVE / BOOT_POWEROFF (resuming)
        (3, 12, S.STOPPING),  # ACTIVE / SHUTDOWN (terminating)
        (3, 18, S.STOPPING),  # ACTIVE / SHUTDOWN_POWEROFF
        (3, 11, S.STOPPING),  # ACTIVE / EPILOG
        (3, 14, S.ERROR),  # ACTIVE / FAILURE
        (3, 36, S.ERROR),  # ACTIVE / BOOT_FAILURE
        (3, 16, S.ERROR),  # ACTIVE / UNKNOWN (no longer monitored)
        (4, 0, S.STOPPED),  # STOPPED
        (5, 0, S.STOPPED),  # SUSPENDED
        (8, 0, S.STOPPED),  # POWEROFF
        (9, 0, S.STOPPED),  # UNDEPLOYED
        (6, 0, S.FINISH),  # DONE
        (7, 0, S.ERROR),  # FAILED
    ],
)
def test_vm_and_lcm_states_map_onto_the_contract(
    vm_state: int, lcm_state: int, expected: InstanceState
) -> None:
    assert one_state(vm_state, lcm_state) is expected


def test_instance_states_are_the_originals_plus_destroy_when_pending_or_stopped(
    one: FlaskClient,
) -> None:
    machine = answer(one.get("/api/instance_states", headers=ADMIN))
    moves = {
        (entry["name"], t["to"], t.get("action", "auto"))
        for entry in machine
        for t in entry["transitions"]
    }
    original = {
        ("start", "pending", "create"),
        ("pending", "running", "auto"),
        ("stopped", "running", "start"),
        ("running", "running", "reboot"),
        ("running", "stopping", "stop"),
        ("stopping", "stopped", "auto"),
        ("running", "stopping", "destroy"),
        ("stopping", "finish", "auto"),
    }
    assert moves == original | {
        ("pending", "finish", "destroy"),
        ("stopped", "finish", "destroy"),
    }


def test_a_vm_goes_through_every_state_step_by_step(
    one: FlaskClient, stepwise: FakeOned
) -> None:
    created = launch(one, name="steps")
    vm_id = created["id"]
    assert created["state"] == "PENDING"  # oned: PENDING, waiting for the scheduler
    assert action_rels(created) == {"destroy"}
    error_message(one.post(f"/api/instances/{vm_id}/stop", headers=ADMIN), 405)

    stepwise.settle()  # deployed: ACTIVE / BOOT
    booting = shown(one, vm_id)
    assert booting["state"] == "PENDING"
    assert booting["realm"]["id"] == "0"  # the host's cluster
    stepwise.settle()  # ACTIVE / RUNNING
    assert shown(one, vm_id)["state"] == "RUNNING"
    assert action_rels(shown(one, vm_id)) == {"reboot", "stop", "destroy"}

    assert post(one, vm_id, "stop")["state"] == "STOPPING"  # SHUTDOWN_POWEROFF
    error_message(one.post(f"/api/instances/{vm_id}/stop", headers=ADMIN), 405)
    stepwise.settle()  # POWEROFF
    stopped = shown(one, vm_id)
    assert stopped["state"] == "STOPPED"
    assert action_rels(stopped) == {"start", "destroy"}

    assert post(one, vm_id, "start")["state"] == "PENDING"  # BOOT_POWEROFF
    stepwise.settle()
    assert post(one, vm_id, "reboot")["state"] == "RUNNING"

    assert one.delete(f"/api/instances/{vm_id}", headers=ADMIN).status_code == 204
    assert shown(one, vm_id)["state"] == "STOPPING"  # ACTIVE / SHUTDOWN
    stepwise.settle()  # DONE
    done = shown(one, vm_id)
    assert (done["state"], done["actions"]) == ("FINISH", [])
    listed = answer(one.get("/api/instances", headers=ADMIN))["instances"]
    assert vm_id not in {i["id"] for i in listed}


def test_a_pending_vm_can_be_destroyed_at_once(
    one: FlaskClient, stepwise: FakeOned
) -> None:
    vm_id = launch(one)["id"]
    assert one.delete(f"/api/instances/{vm_id}", headers=ADMIN).status_code == 204
    assert shown(one, vm_id)["state"] == "FINISH"
    assert stepwise.cloud.vms[int(vm_id)]["state"] == 6  # DONE without a host


def test_a_stopped_vm_is_destroyed_through_epilog(
    one: FlaskClient, oned: FakeOned
) -> None:
    vm_id = launch(one)["id"]
    assert post(one, vm_id, "stop")["state"] == "STOPPED"
    assert one.delete(f"/api/instances/{vm_id}", headers=ADMIN).status_code == 204
    assert shown(one, vm_id)["state"] == "FINISH"


def test_oned_refusing_an_action_for_the_state_is_405(
    one: FlaskClient, oned: FakeOned, one_driver: BaseDriver
) -> None:
    """Between the driver's look and its call, the VM may have moved on: oned's
    ACTION error is then the same 405 the state machine gives."""
    vm_id = launch(one)["id"]
    post(one, vm_id, "stop")
    with pytest.raises(MethodNotAllowed) as raised:
        one_driver.stop_instance(vm_id)
    assert "not available for state POWEROFF" in raised.value.message
    assert oned.cloud.vms[int(vm_id)]["state"] == 8
