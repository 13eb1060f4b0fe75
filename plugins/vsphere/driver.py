"""The vsphere driver: every part of it composed into one class."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from deltaflask.plugins.vsphere.instances import STATE_MACHINE
from deltaflask.plugins.vsphere.instances import VsphereInstances


class VsphereDriver(VsphereInstances):
    """VMware vSphere through a vCenter."""

    name: ClassVar[str] = "vsphere"
    display_name: ClassVar[str] = "VMware vSphere"
    features: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "instances": (
            "user_name",
            "instance_count",
            "realm_filter",
            "network_placement",
        ),
    }
    state_machine = STATE_MACHINE
