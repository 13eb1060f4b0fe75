"""Realms from availability zones; hardware profiles from instance types.

The profiles are a curated set of common instance types, described once per
region and endpoint and kept for the life of the process (instance types are
public facts, the same for every account), so listing them costs one call the
first time and none afterwards. A type outside the set is still found by id.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from deltaflask.drivers.base import as_list
from deltaflask.drivers.base import filter_on
from deltaflask.models import HardwareProfile
from deltaflask.models import Property
from deltaflask.models import Realm
from deltaflask.plugins.ec2.base import Ec2Base
from deltaflask.plugins.ec2.calls import ids_of
from deltaflask.plugins.ec2.calls import lookup
from deltaflask.plugins.ec2.calls import paged
from deltaflask.plugins.ec2.calls import where

#: the instance types listed as hardware profiles, in listing order
PROFILE_TYPES = (
    "t2.nano",
    "t2.micro",
    "t2.small",
    "t2.medium",
    "t2.large",
    "t3.micro",
    "t3.small",
    "t3.medium",
    "t3.large",
    "t4g.micro",
    "t4g.small",
    "m5.large",
    "m5.xlarge",
    "m5.2xlarge",
    "m6g.medium",
    "m6g.large",
    "c5.large",
    "c5.xlarge",
    "c6g.large",
    "r5.large",
    "r5.xlarge",
)
DEFAULT_PROFILE = "t2.micro"

_lock = threading.Lock()
_profiles: dict[tuple[str, str], tuple[HardwareProfile, ...]] = {}


def to_profile(data: Mapping[str, Any]) -> HardwareProfile:
    """A hardware profile from one entry of ``describe_instance_types``."""
    cpus = data.get("VCpuInfo", {}).get("DefaultVCpus", 0)
    memory = data.get("MemoryInfo", {}).get("SizeInMiB", 0)
    properties = [
        Property("cpu", "fixed", int(cpus)),
        Property("memory", "fixed", int(memory)),
    ]
    storage = data.get("InstanceStorageInfo", {}).get("TotalSizeInGB")
    if storage:
        properties.append(Property("storage", "fixed", int(storage)))
    archs = list(data.get("ProcessorInfo", {}).get("SupportedArchitectures") or [])
    if len(archs) == 1:
        properties.append(Property("architecture", "fixed", archs[0]))
    elif archs:
        properties.append(Property("architecture", "enum", archs[0], values=archs))
    return HardwareProfile(str(data["InstanceType"]), properties=properties)


def _zone_state(zone: Mapping[str, Any]) -> str:
    return "AVAILABLE" if zone.get("State") == "available" else "UNAVAILABLE"


def architectures(profile: HardwareProfile) -> list[str]:
    """The architectures a profile runs."""
    prop = profile.property("architecture")
    if prop is None:
        return []
    return [str(v) for v in prop.values] if prop.kind == "enum" else [str(prop.value)]


class Ec2RealmsProfiles(Ec2Base):
    """Realms and hardware profiles of the ec2 driver (mixed into ``Ec2Driver``)."""

    def realms(self, filters: Mapping[str, Any]) -> list[Realm]:
        """The region's availability zones, filtered by ``id`` (zone name)."""
        zones = lookup(
            self.ec2.describe_availability_zones,
            "AvailabilityZones",
            **where("zone-name", ids_of(filters)),
        )
        return [
            Realm(zone["ZoneName"], zone["ZoneName"], _zone_state(zone))
            for zone in zones
        ]

    def hardware_profiles(
        self, filters: Mapping[str, Any] | None = None
    ) -> list[HardwareProfile]:
        """The curated instance types, filtered by ``id`` and ``architecture``."""
        filters = filters or {}
        found = list(self._catalogue())
        wanted = ids_of(filters)
        if wanted:
            known = {p.id for p in found}
            found = filter_on(found, filters, "id")
            found += self._described([w for w in wanted if w not in known])
        if filters.get("architecture"):
            archs = set(as_list(filters["architecture"]))
            found = [p for p in found if archs & set(architectures(p))]
        return found

    def hardware_profile(self, profile_id: str) -> HardwareProfile | None:
        """One instance type by name (curated or not), or ``None``."""
        return next(iter(self.hardware_profiles({"id": profile_id})), None)

    def _catalogue(self) -> tuple[HardwareProfile, ...]:
        key = (self.provider or "", str(self.settings.get("EC2_ENDPOINT_URL") or ""))
        with _lock:
            cached = _profiles.get(key)
        if cached is not None:
            return cached
        types = paged(
            self.ec2,
            "describe_instance_types",
            "InstanceTypes",
            Filters=[{"Name": "instance-type", "Values": list(PROFILE_TYPES)}],
        )
        order = {name: index for index, name in enumerate(PROFILE_TYPES)}
        profiles = tuple(
            sorted(
                (to_profile(t) for t in types),
                key=lambda p: order.get(p.id, len(order)),
            )
        )
        with _lock:
            _profiles[key] = profiles
        return profiles

    def _described(self, names: list[str]) -> list[HardwareProfile]:
        if not names:
            return []
        types = lookup(
            self.ec2.describe_instance_types,
            "InstanceTypes",
            Filters=[{"Name": "instance-type", "Values": names}],
        )
        return [to_profile(t) for t in types]
