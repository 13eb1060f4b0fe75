"""Instance life cycle: Start, Stop, Reboot and TerminateInstances.

Every id is checked (exists, state allows the action) before any instance
changes. As on EC2, starting a running or stopping a stopped instance is a
no-op, and terminating a running instance stops it first when the driver's
state machine only destroys stopped instances.
"""

from __future__ import annotations

from deltaflask.drivers import BaseDriver
from deltaflask.drivers.contract import missing
from deltaflask.instance_actions import perform_instance_action
from deltaflask.models import Instance
from deltaflask.models import InstanceState
from deltaflask.plugins.ec2_frontend.actions.common import Item
from deltaflask.plugins.ec2_frontend.actions.instance_items import NOT_FOUND
from deltaflask.plugins.ec2_frontend.actions.instance_items import ec2_state
from deltaflask.plugins.ec2_frontend.actions.instance_items import find_instances
from deltaflask.plugins.ec2_frontend.dispatch import action
from deltaflask.plugins.ec2_frontend.errors import EC2Error
from deltaflask.plugins.ec2_frontend.errors import missing_parameter
from deltaflask.plugins.ec2_frontend.params import Params
from deltaflask.plugins.ec2_frontend.params import get_list

INCORRECT = "IncorrectInstanceState"
ALREADY = {"start": InstanceState.RUNNING, "stop": InstanceState.STOPPED}
VERBS = {
    "start": "started",
    "stop": "stopped",
    "reboot": "rebooted",
    "destroy": "terminated",
}


def _plan(driver: BaseDriver, instance: Instance, name: str) -> list[str]:
    """The driver actions that carry out ``name`` on ``instance``."""
    if ALREADY.get(name) == instance.state:
        return []
    if not driver.supports(f"{name}_instance"):
        raise missing(f"{name}_instance")
    allowed = driver.instance_actions(instance)
    if name in allowed:
        return [name]
    if name == "destroy" and "stop" in allowed:
        return ["stop", "destroy"]
    raise EC2Error(
        INCORRECT,
        f"The instance '{instance.id}' is not in a state from which it can be "
        f"{VERBS[name]}.",
    )


def _change(driver: BaseDriver, params: Params, name: str) -> list[Item]:
    ids = get_list(params, "InstanceId")
    if not ids:
        raise missing_parameter("InstanceId")
    before = {instance.id: instance for instance in find_instances(driver, ids)}
    plans = {
        instance_id: _plan(driver, before[instance_id], name) for instance_id in ids
    }
    items = []
    for instance_id in ids:
        for step in plans[instance_id]:
            perform_instance_action(driver, instance_id, step)
        after = driver.instance(instance_id)
        current = ec2_state(after.state if after else InstanceState.FINISH)
        items.append(
            {
                "instanceId": instance_id,
                "currentState": current,
                "previousState": ec2_state(before[instance_id].state),
            }
        )
    return items


@action("StartInstances", not_found=NOT_FOUND, incorrect_state=INCORRECT)
def start_instances(driver: BaseDriver, params: Params) -> Item:
    """Start stopped instances."""
    return {"instancesSet": _change(driver, params, "start")}


@action("StopInstances", not_found=NOT_FOUND, incorrect_state=INCORRECT)
def stop_instances(driver: BaseDriver, params: Params) -> Item:
    """Stop running instances."""
    return {"instancesSet": _change(driver, params, "stop")}


@action("RebootInstances", not_found=NOT_FOUND, incorrect_state=INCORRECT)
def reboot_instances(driver: BaseDriver, params: Params) -> Item:
    """Reboot running instances."""
    _change(driver, params, "reboot")
    return {"return": True}


@action("TerminateInstances", not_found=NOT_FOUND, incorrect_state=INCORRECT)
def terminate_instances(driver: BaseDriver, params: Params) -> Item:
    """Terminate instances (running ones are stopped first if need be)."""
    return {"instancesSet": _change(driver, params, "destroy")}
