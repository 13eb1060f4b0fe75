"""Images from templates; hardware profiles from the sizes templates come in.

A template is a virtual machine vCenter marks as one. Every distinct
(vCPUs, memory) pair among the templates is a profile (``2cpu-4096mb``); any
profile applies to any template, since a clone is resized after it is made.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deltaflask.drivers.base import as_list
from deltaflask.drivers.base import filter_on
from deltaflask.models import HardwareProfile
from deltaflask.models import Image
from deltaflask.models import Property
from deltaflask.plugins.vsphere.base import VsphereBase
from deltaflask.plugins.vsphere.inventory import Found

TEMPLATE_PATHS = (
    "name",
    "config.template",
    "config.hardware.numCPU",
    "config.hardware.memoryMB",
    "config.guestId",
    "config.guestFullName",
    "config.annotation",
    "config.createDate",
    "runtime.host",
)


def profile_id(cpus: int, memory_mb: int) -> str:
    """The id of the profile with ``cpus`` vCPUs and ``memory_mb`` MB."""
    return f"{cpus}cpu-{memory_mb}mb"


def size_of(found: Found) -> tuple[int, int]:
    """A virtual machine's (vCPUs, memory MB)."""
    return (
        int(found.get("config.hardware.numCPU") or 0),
        int(found.get("config.hardware.memoryMB") or 0),
    )


def architecture(guest_id: str | None) -> str:
    """The architecture of a vSphere guest OS id (``ubuntu64Guest``: x86_64)."""
    return "x86_64" if "64" in (guest_id or "") else "i386"


def to_profile(cpus: int, memory_mb: int) -> HardwareProfile:
    """The hardware profile of one template size."""
    return HardwareProfile(
        profile_id(cpus, memory_mb),
        properties=[
            Property("cpu", "fixed", cpus),
            Property("memory", "fixed", memory_mb),
        ],
    )


class VsphereImages(VsphereBase):
    """Images and hardware profiles of the vsphere driver."""

    def templates(self) -> list[Found]:
        """Every template vCenter knows."""
        from pyVmomi import vim

        return [
            vm
            for vm in self.fetch(vim.VirtualMachine, TEMPLATE_PATHS)
            if vm.get("config.template")
        ]

    def template(self, image_id: str) -> Found | None:
        """The template ``image_id``, or ``None``."""
        from pyVmomi import vim

        found = self.fetch_one(vim.VirtualMachine, image_id, TEMPLATE_PATHS)
        return found if found is not None and found.get("config.template") else None

    def images(self, filters: Mapping[str, Any]) -> list[Image]:
        """Templates, filtered by ``id`` and ``architecture``."""
        wanted = as_list(filters["id"]) if filters.get("id") else None
        if wanted is not None and len(wanted) == 1:
            one = self.template(wanted[0])
            templates = [one] if one is not None else []
        else:
            templates = self.templates()
        profiles = [p.id for p in self._profiles(templates if wanted is None else None)]
        found = [self._to_image(t, profiles) for t in templates]
        return filter_on(found, filters, "id", "architecture")

    def hardware_profiles(
        self, filters: Mapping[str, Any] | None = None
    ) -> list[HardwareProfile]:
        """The template sizes, filtered by ``id``; they name no architecture,
        so an ``architecture`` filter keeps none."""
        filters = filters or {}
        if filters.get("architecture"):
            return []
        return filter_on(self._profiles(None), filters, "id")

    def _profiles(self, templates: list[Found] | None) -> list[HardwareProfile]:
        sizes = {
            size_of(t) for t in (self.templates() if templates is None else templates)
        }
        return [to_profile(*size) for size in sorted(sizes)]

    @staticmethod
    def _to_image(template: Found, profiles: list[str]) -> Image:
        created = template.get("config.createDate")
        return Image(
            id=template.id,
            name=str(template.get("name")),
            description=template.get("config.annotation")
            or template.get("config.guestFullName"),
            architecture=architecture(template.get("config.guestId")),
            state="AVAILABLE",
            creation_time=created.isoformat() if created else None,
            hardware_profile_ids=profiles,
        )
