"""Realms from clusters, hardware profiles from instance types, images from
templates.

A realm is a cluster (VMs are placed in clusters), AVAILABLE while its data
center is up. The hardware profiles are the engine's instance types, each a
fixed CPU count and memory, plus ``template``: the sizing the template itself
carries, which a VM created without a profile keeps. Images are templates.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deltaflask.drivers.base import filter_on
from deltaflask.models import HardwareProfile
from deltaflask.models import Image
from deltaflask.models import Property
from deltaflask.models import Realm
from deltaflask.plugins.rhevm.base import RhevmBase
from deltaflask.plugins.rhevm.calls import ids_of
from deltaflask.plugins.rhevm.calls import listed
from deltaflask.plugins.rhevm.calls import mib
from deltaflask.plugins.rhevm.calls import timestamp
from deltaflask.plugins.rhevm.calls import value_of

TEMPLATE_PROFILE = "template"
#: what the engine assumes for a template whose architecture is "undefined"
DEFAULT_ARCHITECTURE = "x86_64"
#: template status -> image state
IMAGE_STATES = {"ok": "AVAILABLE", "locked": "PENDING", "illegal": "UNAVAILABLE"}


def cpu_count(cpu: Any) -> int:
    """Virtual CPUs of a ``<cpu><topology>``: sockets x cores x threads."""
    topology = getattr(cpu, "topology", None)
    if topology is None:
        return 1
    return (topology.sockets or 1) * (topology.cores or 1) * (topology.threads or 1)


def to_profile(kind: Any) -> HardwareProfile:
    """A hardware profile from an engine instance type."""
    return HardwareProfile(
        str(kind.name),
        properties=[
            Property("cpu", "fixed", cpu_count(kind.cpu)),
            Property("memory", "fixed", mib(kind.memory)),
        ],
    )


class RhevmCatalogue(RhevmBase):
    """Realms, hardware profiles and images of the rhevm driver."""

    def realms(self, filters: Mapping[str, Any]) -> list[Realm]:
        """Clusters (of the provider's data center, if it names one)."""
        with self.engine():
            clusters = self.system.clusters_service().list()
            centers = {dc.id: dc for dc in self.system.data_centers_service().list()}
        found = []
        for cluster in clusters:
            center = centers.get(cluster.data_center.id if cluster.data_center else "")
            if self.datacenter_id and (
                center is None or center.id != self.datacenter_id
            ):
                continue
            up = center is not None and value_of(center.status) == "up"
            found.append(
                Realm(
                    str(cluster.id),
                    str(cluster.name),
                    "AVAILABLE" if up else "UNAVAILABLE",
                )
            )
        return filter_on(found, filters, "id")

    def hardware_profiles(
        self, filters: Mapping[str, Any] | None = None
    ) -> list[HardwareProfile]:
        """The engine's instance types and ``template``, filtered by ``id``."""
        with self.engine():
            kinds = self.system.instance_types_service().list()
        found = [HardwareProfile(TEMPLATE_PROFILE), *map(to_profile, kinds)]
        return filter_on(found, filters or {}, "id")

    def images(self, filters: Mapping[str, Any]) -> list[Image]:
        """Templates, filtered by ``id`` and ``architecture``."""
        service = self.system.templates_service()
        wanted = ids_of(filters)
        if wanted:
            templates = [
                t
                for t in (self.fetched(service.template_service(i).get) for i in wanted)
                if t is not None
            ]
        else:
            templates = listed(self, service)
        profiles = [p.id for p in self.hardware_profiles()]
        found = [self.to_image(t, profiles) for t in templates]
        return filter_on(found, filters, "architecture")

    def to_image(self, template: Any, profiles: list[str]) -> Image:
        """An image from an engine template."""
        arch = value_of(getattr(template.cpu, "architecture", None))
        return Image(
            id=str(template.id),
            name=str(template.name),
            description=template.description or None,
            architecture=arch
            if arch not in (None, "undefined")
            else DEFAULT_ARCHITECTURE,
            state=IMAGE_STATES.get(value_of(template.status) or "", "UNAVAILABLE"),
            creation_time=timestamp(template.creation_time),
            root_type="persistent",
            hardware_profile_ids=profiles,
        )
