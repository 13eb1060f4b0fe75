"""Instances: DescribeInstances, RunInstances, DescribeInstanceStatus."""

from __future__ import annotations

from deltaflask.drivers import BaseDriver
from deltaflask.drivers import InstanceCreate
from deltaflask.plugins.ec2_frontend.actions.common import Item
from deltaflask.plugins.ec2_frontend.actions.common import apply_filters
from deltaflask.plugins.ec2_frontend.actions.common import existing
from deltaflask.plugins.ec2_frontend.actions.common import max_results
from deltaflask.plugins.ec2_frontend.actions.common import paginate
from deltaflask.plugins.ec2_frontend.actions.common import path
from deltaflask.plugins.ec2_frontend.actions.instance_items import NOT_FOUND
from deltaflask.plugins.ec2_frontend.actions.instance_items import find_instances
from deltaflask.plugins.ec2_frontend.actions.instance_items import group_names
from deltaflask.plugins.ec2_frontend.actions.instance_items import instance_item
from deltaflask.plugins.ec2_frontend.actions.instance_items import reservation
from deltaflask.plugins.ec2_frontend.dispatch import action
from deltaflask.plugins.ec2_frontend.errors import EC2Error
from deltaflask.plugins.ec2_frontend.errors import invalid_value
from deltaflask.plugins.ec2_frontend.errors import missing_parameter
from deltaflask.plugins.ec2_frontend.params import Params
from deltaflask.plugins.ec2_frontend.params import get_bool
from deltaflask.plugins.ec2_frontend.params import get_int
from deltaflask.plugins.ec2_frontend.params import get_list
from deltaflask.plugins.ec2_frontend.params import get_str
from deltaflask.plugins.ec2_frontend.params import get_structs
from deltaflask.plugins.ec2_frontend.params import require_id

FILTERS = {
    "instance-id": path("instanceId"),
    "image-id": path("imageId"),
    "instance-state-name": path("instanceState", "name"),
    "instance-state-code": path("instanceState", "code"),
    "instance-type": path("instanceType"),
    "availability-zone": path("placement", "availabilityZone"),
    "key-name": path("keyName"),
    "architecture": path("architecture"),
    "dns-name": path("dnsName"),
    "tag:Name": lambda item: [tag["value"] for tag in item["tagSet"]],
}
STATUS_FILTERS = {
    "instance-state-name": path("instanceState", "name"),
    "instance-state-code": path("instanceState", "code"),
    "availability-zone": path("availabilityZone"),
    "instance-status.status": path("instanceStatus", "status"),
    "system-status.status": path("systemStatus", "status"),
}


def _listed(driver: BaseDriver, params: Params) -> list[Item]:
    ids = get_list(params, "InstanceId")
    limit = max_results(params)
    if ids and limit is not None:
        raise EC2Error(
            "InvalidParameterCombination",
            "The parameter instancesSet cannot be used with the parameter maxResults",
        )
    instances = find_instances(driver, ids) if ids else driver.instances({})
    names = group_names(driver, instances)
    return [instance_item(driver, instance, names) for instance in instances]


@action("DescribeInstances", not_found=NOT_FOUND)
def describe_instances(driver: BaseDriver, params: Params) -> Item:
    """Instances, one reservation each, by id and filters, paginated."""
    items = apply_filters(_listed(driver, params), params, FILTERS)
    page, token = paginate(items, "instanceId", params, max_results(params))
    owner = driver.credentials.user
    return {
        "reservationSet": [reservation(item, owner) for item in page],
        "nextToken": token,
    }


@action("RunInstances", incorrect_state="IncorrectInstanceState")
def run_instances(driver: BaseDriver, params: Params) -> Item:
    """Launch ``MaxCount`` instances of ``ImageId``."""
    image_id = require_id(params, "ImageId", "InvalidAMIID.Malformed", "image")
    low, high = get_int(params, "MinCount", 1), get_int(params, "MaxCount", 1)
    if low is None:
        raise missing_parameter("MinCount")
    if high is None:
        raise missing_parameter("MaxCount")
    if low > high:
        raise invalid_value("MinCount", str(low), "MinCount must not exceed MaxCount")
    instance_type = get_str(params, "InstanceType")
    if instance_type and driver.hardware_profile(instance_type) is None:
        raise invalid_value("InstanceType", instance_type, "no such instance type")
    existing(driver.image(image_id), "InvalidAMIID.NotFound", "image", image_id)
    key_name = get_str(params, "KeyName")
    if key_name and driver.key(key_name) is None:
        raise EC2Error(
            "InvalidKeyPair.NotFound", f"The key pair '{key_name}' does not exist"
        )
    zone = get_str(params, "Placement.AvailabilityZone")
    if zone and driver.realm(zone) is None:
        raise invalid_value("Placement.AvailabilityZone", zone, "no such zone")
    created = driver.create_instance(
        InstanceCreate(
            image_id=image_id,
            realm_id=zone,
            hwp_id=instance_type,
            name=_name_tag(params),
            keyname=key_name,
            user_data=get_str(params, "UserData"),
            firewalls=get_list(params, "SecurityGroupId")
            + get_list(params, "SecurityGroup"),
            instance_count=high,
            subnet_id=get_str(params, "SubnetId"),
        )
    )
    names = group_names(driver, created)
    return {
        "reservationId": f"r-{created[0].id}",
        "ownerId": driver.credentials.user,
        "groupSet": [],
        "instancesSet": [instance_item(driver, i, names) for i in created],
    }


def _name_tag(params: Params) -> str | None:
    """The ``Name`` tag of ``TagSpecification`` (other tags cannot be stored)."""
    name = None
    for spec in get_structs(params, "TagSpecification"):
        for key, value in spec.items():
            if key.endswith(".Key") and value == "Name":
                name = spec.get(key[: -len("Key")] + "Value")
            elif key.endswith(".Key"):
                raise EC2Error(
                    "UnsupportedOperation",
                    "The operation is not supported: "
                    f"the driver cannot store tag '{value}'",
                )
    return name


@action("DescribeInstanceStatus", not_found=NOT_FOUND)
def describe_instance_status(driver: BaseDriver, params: Params) -> Item:
    """Status checks: ``ok`` for running instances (all with IncludeAllInstances)."""
    include_all = get_bool(params, "IncludeAllInstances")
    items = []
    for item in _listed(driver, params):
        running = item["instanceState"]["name"] == "running"
        if not running and not include_all:
            continue
        status = "ok" if running else "not-applicable"
        check = {
            "status": status,
            "details": [
                {
                    "name": "reachability",
                    "status": ("passed" if running else "not-applicable"),
                }
            ],
        }
        items.append(
            {
                "instanceId": item["instanceId"],
                "availabilityZone": item["placement"]["availabilityZone"],
                "instanceState": item["instanceState"],
                "systemStatus": check,
                "instanceStatus": check,
                "eventsSet": [],
            }
        )
    items = apply_filters(items, params, STATUS_FILTERS)
    page, token = paginate(items, "instanceId", params, max_results(params))
    return {"instanceStatusSet": page, "nextToken": token}
