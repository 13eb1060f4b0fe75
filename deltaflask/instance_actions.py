"""Instance actions checked against the driver's state machine (all frontends)."""

from __future__ import annotations

from deltaflask.drivers import BaseDriver
from deltaflask.drivers.contract import missing
from deltaflask.errors import MethodNotAllowed
from deltaflask.errors import ObjectNotFound
from deltaflask.models import Instance

ACTIONS = ("start", "stop", "reboot", "destroy")


def perform_instance_action(
    driver: BaseDriver, instance_id: str, action: str
) -> Instance | None:
    """Run ``action`` on an instance if its current state allows it.

    :raises CapabilityMissing: the driver cannot do ``action`` at all (412).
    :raises ObjectNotFound: no such instance (404; the original said 403).
    :raises MethodNotAllowed: the state does not allow the action (405).
    :return: the instance afterwards (``None`` after destroy).
    """
    operation = f"{action}_instance"
    if action not in ACTIONS or not driver.supports(operation):
        raise missing(operation)
    instance = driver.instance(instance_id)
    if instance is None:
        raise ObjectNotFound(f"Instance '{instance_id}' not found")
    if action not in driver.instance_actions(instance):
        raise MethodNotAllowed(
            f"Cannot {action} instance '{instance_id}' in state {instance.state}"
        )
    result = getattr(driver, operation)(instance_id)
    if action == "destroy":
        return None
    return result if isinstance(result, Instance) else driver.instance(instance_id)
