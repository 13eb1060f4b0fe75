"""Networks: the port groups VMs connect to (standard and distributed); the
uplink port groups of distributed switches carry no VMs and are left out.
Port groups have no address blocks, so there are no subnets."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deltaflask.drivers.base import filter_on
from deltaflask.models import Network
from deltaflask.plugins.vsphere.base import VsphereBase


class VsphereNetworks(VsphereBase):
    """Networks of the vsphere driver (mixed into ``VsphereDriver``)."""

    def networks(self, filters: Mapping[str, Any]) -> list[Network]:
        """Port groups, filtered by ``id``."""
        from pyVmomi import vim

        uplinks = {
            group.id
            for group in self.fetch(
                vim.dvs.DistributedVirtualPortgroup, ("config.uplink",)
            )
            if group.get("config.uplink")
        }
        found = [
            Network(group.id, str(group.get("name")))
            for group in self.fetch(vim.Network, ("name",))
            if group.id not in uplinks
        ]
        return filter_on(found, filters, "id")
