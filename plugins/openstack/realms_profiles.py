"""Realms are Nova's availability zones; hardware profiles are its flavors,
named by the flavor's name (the name Nova reports on a server)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deltaflask.drivers.base import as_list
from deltaflask.drivers.base import filter_on
from deltaflask.models import HardwareProfile
from deltaflask.models import Property
from deltaflask.models import Realm
from deltaflask.plugins.openstack.base import OpenStackBase
from deltaflask.plugins.openstack.errors import openstack_errors

#: Nova's zone for its own services, which no instance can be placed in
INTERNAL_ZONE = "internal"


class OpenStackRealmsProfiles(OpenStackBase):
    """Realms and hardware profiles of the openstack driver."""

    def realms(self, filters: Mapping[str, Any]) -> list[Realm]:
        """Available compute zones, filtered by ``id`` (the zone name)."""
        with openstack_errors():
            zones = list(self.connection().compute.availability_zones())
        found = [
            Realm(zone.name, zone.name, _zone_state(zone))
            for zone in zones
            if zone.name != INTERNAL_ZONE
        ]
        if filters.get("id"):
            wanted = as_list(filters["id"])
            found = [realm for realm in found if realm.id in wanted]
        return found

    def hardware_profiles(
        self, filters: Mapping[str, Any] | None = None
    ) -> list[HardwareProfile]:
        """Flavors as fixed profiles, filtered by ``id`` (the flavor name).

        Flavors do not say which architecture they run, so the profiles have
        no ``architecture`` property and an architecture filter keeps none.
        """
        filters = filters or {}
        with openstack_errors():
            flavors = list(self.connection().compute.flavors(details=True))
        found = filter_on([to_profile(f) for f in flavors], filters, "id")
        return [] if filters.get("architecture") else found


def _zone_state(zone: Any) -> str:
    available = (zone.state or {}).get("available", True)
    return "AVAILABLE" if available else "UNAVAILABLE"


def to_profile(flavor: Any) -> HardwareProfile:
    """A fixed hardware profile from a Nova flavor (memory MB, storage GB)."""
    return HardwareProfile(
        id=flavor.name,
        name=flavor.name,
        properties=[
            Property("cpu", "fixed", int(flavor.vcpus or 0)),
            Property("memory", "fixed", int(flavor.ram or 0)),
            Property("storage", "fixed", int(flavor.disk or 0)),
        ],
    )
