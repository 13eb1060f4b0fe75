"""The opennebula driver: every part of it composed into one class."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from deltaflask.plugins.opennebula.instances import STATE_MACHINE
from deltaflask.plugins.opennebula.instances import OneInstances
from deltaflask.plugins.opennebula.networks import OneNetworks
from deltaflask.plugins.opennebula.realms import OneRealms
from deltaflask.plugins.opennebula.templates import OneTemplates
from deltaflask.plugins.opennebula.volumes import OneVolumes


class OneDriver(OneRealms, OneTemplates, OneInstances, OneNetworks, OneVolumes):
    """OpenNebula through oned's XML-RPC API (pyone)."""

    name: ClassVar[str] = "opennebula"
    display_name: ClassVar[str] = "OpenNebula"
    features: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "instances": (
            "user_name",
            "user_data",
            "instance_count",
            "realm_filter",
            "network_placement",
        ),
        "images": ("owner_id",),
        "storage_volumes": ("volume_name", "volume_description"),
    }
    state_machine = STATE_MACHINE
