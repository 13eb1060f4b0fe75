"""Networks: the port groups VMs connect to (standard and distributed); the
uplink port groups of distributed switches carry no VMs and are left out.
Port groups have no address blocks, so there are no subnets. A launch into a
network connects the clone's first network card (or a new one) to it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deltaflask.drivers.base import filter_on
from deltaflask.errors import ValidationFailure
from deltaflask.models import Network
from deltaflask.plugins.vsphere.base import VsphereBase
from deltaflask.plugins.vsphere.errors import vsphere_errors


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

    def nic_backing(self, network_id: str) -> Any:
        """How a network card joins port group ``network_id`` (400 when there
        is no such port group, or it is an uplink group)."""
        from pyVmomi import vim

        card = vim.vm.device.VirtualEthernetCard
        group = self.fetch_one(
            vim.dvs.DistributedVirtualPortgroup,
            network_id,
            ("config.key", "config.uplink", "config.distributedVirtualSwitch"),
        )
        if group is not None:
            if group.get("config.uplink"):
                raise ValidationFailure(f"Network '{network_id}' carries no VMs")
            with vsphere_errors():
                switch_uuid = group.get("config.distributedVirtualSwitch").uuid
            port = vim.dvs.PortConnection(
                portgroupKey=group.get("config.key"), switchUuid=switch_uuid
            )
            return card.DistributedVirtualPortBackingInfo(port=port)
        standard = self.fetch_one(vim.Network, network_id, ("name",))
        if standard is None:
            raise ValidationFailure(f"Network '{network_id}' does not exist.")
        return card.NetworkBackingInfo(
            network=standard.obj, deviceName=str(standard.get("name"))
        )
