"""Instances as EC2 items: states, reservations and the lookup of ids."""

from __future__ import annotations

from collections.abc import Mapping

from deltaflask.drivers import BaseDriver
from deltaflask.models import Instance
from deltaflask.models import InstanceAddress
from deltaflask.models import InstanceState
from deltaflask.plugins.ec2_frontend.actions.common import Item
from deltaflask.plugins.ec2_frontend.actions.common import check_found
from deltaflask.plugins.ec2_frontend.params import check_ids
from deltaflask.plugins.ec2_frontend.render import iso_time

NOT_FOUND = "InvalidInstanceID.NotFound"
MALFORMED = "InvalidInstanceID.Malformed"
#: driver state -> EC2 (name, code)
STATES = {
    InstanceState.START: ("pending", 0),
    InstanceState.PENDING: ("pending", 0),
    InstanceState.RUNNING: ("running", 16),
    InstanceState.FINISH: ("terminated", 48),
    InstanceState.STOPPING: ("stopping", 64),
    InstanceState.STOPPED: ("stopped", 80),
}


def ec2_state(state: InstanceState | None) -> dict[str, object]:
    """``{code, name}`` of a driver state (others keep their name, code -1)."""
    name, code = STATES.get(state, (str(state or "unknown").lower(), -1))
    return {"code": code, "name": name}


def find_instances(driver: BaseDriver, ids: list[str]) -> list[Instance]:
    """The instances ``ids`` (all of them, else ``InvalidInstanceID.NotFound``)."""
    check_ids(ids, MALFORMED, "instance")
    found = driver.instances({"id": ids})
    check_found(ids, [instance.id for instance in found], NOT_FOUND, "instance")
    return found


def _first(addresses: list[InstanceAddress], hostnames: bool) -> str | None:
    for address in addresses:
        if (address.type == "hostname") == hostnames:
            return address.address
    return None


def group_names(driver: BaseDriver, instances: list[Instance]) -> dict[str, str]:
    """Firewall id -> name for the groups of ``instances`` (one driver call)."""
    if not any(instance.firewalls for instance in instances):
        return {}
    if not driver.supports("firewalls"):
        return {}
    return {f.id: f.name or f.id for f in driver.firewalls({})}


def instance_item(
    driver: BaseDriver, instance: Instance, names: Mapping[str, str] | None = None
) -> Item:
    """An instance as an ``instancesSet`` item (``names``: firewall id -> name)."""
    names = names or {}
    profile_id = instance.profile.id if instance.profile else None
    arch = instance.profile.overrides.get("architecture") if instance.profile else None
    if arch is None and profile_id:
        profile = driver.hardware_profile(profile_id)
        prop = profile.property("architecture") if profile else None
        arch = str(prop.value) if prop else None
    return {
        "instanceId": instance.id,
        "imageId": instance.image_id,
        "instanceState": ec2_state(instance.state),
        "privateDnsName": _first(instance.private_addresses, True) or "",
        "dnsName": _first(instance.public_addresses, True) or "",
        "keyName": instance.keyname,
        "amiLaunchIndex": 0,
        "instanceType": profile_id,
        "launchTime": iso_time(instance.launch_time),
        "placement": {"availabilityZone": instance.realm_id, "tenancy": "default"},
        "monitoring": {"state": "disabled"},
        "privateIpAddress": _first(instance.private_addresses, False),
        "ipAddress": _first(instance.public_addresses, False),
        "architecture": arch,
        "rootDeviceType": instance.extra.get("root_device_type") or "instance-store",
        "groupSet": [
            {"groupId": group, "groupName": names.get(group, group)}
            for group in instance.firewalls
        ],
        "blockDeviceMapping": [
            {
                "deviceName": device or "",
                "ebs": {"volumeId": volume, "status": "attached"},
            }
            for volume, device in instance.storage_volumes
        ],
        "tagSet": [{"key": "Name", "value": instance.name}] if instance.name else [],
    }


def reservation(item: Item, owner: str | None) -> Item:
    """A reservation holding one instance item."""
    return {
        "reservationId": f"r-{item['instanceId']}",
        "ownerId": owner,
        "groupSet": [],
        "instancesSet": [item],
    }
