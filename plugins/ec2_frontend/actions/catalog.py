"""Regions, availability zones (realms) and instance types (hardware profiles)."""

from __future__ import annotations

from typing import Any

from flask import request

from deltaflask.drivers import BaseDriver
from deltaflask.models import HardwareProfile
from deltaflask.plugins.ec2_frontend.actions.common import Item
from deltaflask.plugins.ec2_frontend.actions.common import apply_filters
from deltaflask.plugins.ec2_frontend.actions.common import max_results
from deltaflask.plugins.ec2_frontend.actions.common import paginate
from deltaflask.plugins.ec2_frontend.actions.common import path
from deltaflask.plugins.ec2_frontend.dispatch import action
from deltaflask.plugins.ec2_frontend.errors import EC2Error
from deltaflask.plugins.ec2_frontend.params import Params
from deltaflask.plugins.ec2_frontend.params import get_list
from deltaflask.plugins.ec2_frontend.regions import current_region
from deltaflask.plugins.ec2_frontend.regions import regions

REGION_FILTERS = {"region-name": path("regionName"), "endpoint": path("regionEndpoint")}
ZONE_FILTERS = {
    "zone-name": path("zoneName"),
    "zone-id": path("zoneId"),
    "state": path("zoneState"),
    "region-name": path("regionName"),
}
TYPE_FILTERS = {
    "instance-type": path("instanceType"),
    "vcpu-info.default-vcpus": path("vCpuInfo", "defaultVCpus"),
    "memory-info.size-in-mib": path("memoryInfo", "sizeInMiB"),
    "processor-info.supported-architecture": lambda item: [
        arch for arch in item["processorInfo"]["supportedArchitectures"]
    ],
}


@action("DescribeRegions")
def describe_regions(driver: BaseDriver, params: Params) -> Item:
    """The regions this endpoint serves."""
    known = regions()
    wanted = get_list(params, "RegionName")
    for name in wanted:
        if name not in known:
            raise EC2Error("InvalidParameterValue", f"Invalid region: {name}")
    endpoint = request.base_url
    items = [
        {
            "regionName": name,
            "regionEndpoint": endpoint,
            "optInStatus": "opt-in-not-required",
        }
        for name in known
        if not wanted or name in wanted
    ]
    return {"regionInfo": apply_filters(items, params, REGION_FILTERS)}


@action("DescribeAvailabilityZones")
def describe_availability_zones(driver: BaseDriver, params: Params) -> Item:
    """Realms as availability zones."""
    wanted = get_list(params, "ZoneName") + get_list(params, "ZoneId")
    realms = driver.realms({"id": wanted} if wanted else {})
    known = {realm.id for realm in realms}
    for name in wanted:
        if name not in known:
            raise EC2Error("InvalidParameterValue", f"The zone '{name}' does not exist")
    region = current_region()
    items = [
        {
            "zoneName": realm.id,
            "zoneId": realm.id,
            "zoneState": "available"
            if realm.state.upper() == "AVAILABLE"
            else "unavailable",
            "regionName": region,
            "zoneType": "availability-zone",
            "optInStatus": "opt-in-not-required",
            "messageSet": [],
        }
        for realm in realms
        if not wanted or realm.id in wanted
    ]
    return {"availabilityZoneInfo": apply_filters(items, params, ZONE_FILTERS)}


@action("DescribeInstanceTypes")
def describe_instance_types(driver: BaseDriver, params: Params) -> Item:
    """Hardware profiles as instance types."""
    wanted = get_list(params, "InstanceType")
    profiles = driver.hardware_profiles({})
    known = {profile.id for profile in profiles}
    for name in wanted:
        if name not in known:
            raise EC2Error(
                "InvalidInstanceType", f"The instance type '{name}' does not exist"
            )
    items = [_instance_type(p) for p in profiles if not wanted or p.id in wanted]
    items = apply_filters(items, params, TYPE_FILTERS)
    page, token = paginate(items, "instanceType", params, max_results(params, 5, 100))
    return {"instanceTypeSet": page, "nextToken": token}


def _instance_type(profile: HardwareProfile) -> Item:
    cpu, memory = _value(profile, "cpu"), _value(profile, "memory")
    storage, arch = _value(profile, "storage"), _value(profile, "architecture")
    return {
        "instanceType": profile.id,
        "currentGeneration": True,
        "supportedRootDeviceTypes": ["instance-store"],
        "supportedVirtualizationTypes": ["hvm"],
        "hypervisor": "xen",
        "processorInfo": {"supportedArchitectures": [arch] if arch else []},
        "vCpuInfo": {"defaultVCpus": int(float(cpu))} if cpu is not None else None,
        "memoryInfo": {"sizeInMiB": int(float(memory))} if memory is not None else None,
        "instanceStorageSupported": storage is not None,
        "instanceStorageInfo": (
            {"totalSizeInGB": int(float(storage))} if storage is not None else None
        ),
    }


def _value(profile: HardwareProfile, name: str) -> Any:
    prop = profile.property(name)
    return None if prop is None else prop.value
