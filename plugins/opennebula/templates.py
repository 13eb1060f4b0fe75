"""Images and hardware profiles, both from OpenNebula VM templates.

A template is what OpenNebula instantiates, so it is the image; its capacity
(``VCPU`` as cpu, ``MEMORY`` in MB, ``OS/ARCH`` as architecture) is also a
hardware profile with the template's id. Launching an image with another
template's profile instantiates the image with that profile's capacity.
Templates that leave ``OS/ARCH`` to the host are x86_64 (KVM's default).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deltaflask.drivers.base import filter_on
from deltaflask.errors import ObjectNotFound
from deltaflask.models import HardwareProfile
from deltaflask.models import Image
from deltaflask.models import Property
from deltaflask.plugins.opennebula.base import ALL_VISIBLE
from deltaflask.plugins.opennebula.base import OneBase
from deltaflask.plugins.opennebula.base import pool_items
from deltaflask.plugins.opennebula.base import timestamp
from deltaflask.plugins.opennebula.base import wanted_ids

DEFAULT_ARCH = "x86_64"


def architecture(template: Mapping[str, Any]) -> str:
    """The architecture a template's ``OS`` asks for."""
    os_section = template.get("OS")
    arch = os_section.get("ARCH") if isinstance(os_section, Mapping) else None
    return str(arch) if arch else DEFAULT_ARCH


def capacity(template: Mapping[str, Any]) -> dict[str, str]:
    """The sizing attributes of a template: ``CPU``, ``VCPU``, ``MEMORY``."""
    return {
        key: str(template[key])
        for key in ("CPU", "VCPU", "MEMORY")
        if str(template.get(key, "")).strip()
    }


def vcpus(template: Mapping[str, Any]) -> int:
    """Virtual CPUs: ``VCPU``, else ``CPU`` rounded up, else 1."""
    for key in ("VCPU", "CPU"):
        try:
            return max(1, -int(-float(template[key]) // 1))
        except (KeyError, ValueError):
            continue
    return 1


def to_profile(data: Any) -> HardwareProfile:
    """A hardware profile from a ``VMTEMPLATE`` document."""
    template = data.TEMPLATE or {}
    properties = [Property("cpu", "fixed", vcpus(template))]
    memory = str(template.get("MEMORY", "")).strip()
    if memory.isdigit():
        properties.append(Property("memory", "fixed", int(memory)))
    properties.append(Property("architecture", "fixed", architecture(template)))
    return HardwareProfile(str(data.ID), str(data.NAME), properties)


def to_image(data: Any, profiles: list[HardwareProfile]) -> Image:
    """An image from a ``VMTEMPLATE`` document; ``profiles`` fit its architecture."""
    template = data.TEMPLATE or {}
    arch = architecture(template)
    return Image(
        id=str(data.ID),
        name=str(data.NAME),
        owner_id=str(data.UNAME),
        description=str(template.get("DESCRIPTION") or data.NAME),
        architecture=arch,
        state="AVAILABLE",
        creation_time=timestamp(data.REGTIME),
        hardware_profile_ids=[
            p.id
            for p in profiles
            if (prop := p.property("architecture")) is not None and prop.value == arch
        ],
    )


class OneTemplates(OneBase):
    """Images and hardware profiles of the opennebula driver."""

    def _templates(self, filters: Mapping[str, Any]) -> list[Any]:
        ids = wanted_ids(filters)
        if ids:
            found = [self.info("template.info", i) for i in ids]
            return [t for t in found if t is not None]
        return pool_items(
            self.call("templatepool.info", ALL_VISIBLE, -1, -1), "VMTEMPLATE"
        )

    def images(self, filters: Mapping[str, Any]) -> list[Image]:
        """Templates, filtered by ``id``, ``architecture`` and ``owner_id``."""
        templates = self._templates(filters)
        profiles = [to_profile(t) for t in templates]
        if wanted_ids(filters):
            profiles = self.hardware_profiles({})
        found = [to_image(t, profiles) for t in templates]
        return filter_on(found, filters, "architecture", "owner_id")

    def destroy_image(self, image_id: str) -> None:
        """Delete a template (the images its disks use stay)."""
        if self.info("template.info", image_id) is None:
            raise ObjectNotFound(f"Image '{image_id}' not found")
        self.call("template.delete", int(image_id), False)

    def hardware_profiles(
        self, filters: Mapping[str, Any] | None = None
    ) -> list[HardwareProfile]:
        """Template capacities, filtered by ``id`` and ``architecture``."""
        filters = filters or {}
        found = [to_profile(t) for t in self._templates(filters)]
        archs = wanted_ids(filters, "architecture")
        if archs:
            found = [
                p
                for p in found
                if (prop := p.property("architecture")) is not None
                and str(prop.value) in archs
            ]
        return found
