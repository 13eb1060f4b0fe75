"""Networks: the engine's logical networks; network interfaces: VM NICs.

oVirt has no subnets: a logical network is one layer-2 segment whose
addresses the guests (or an outside DHCP server) choose. So networks list no
address blocks or subnets, ``/api/subnets`` is not offered, and an instance's
network binding names its network with no subnet. Creating logical networks
is an administrator's task on the engine, so networks are read-only here. An
instance joins a network through a NIC on one of the network's vNIC profiles:
``POST /api/network_interfaces`` (or ``network_id`` when creating it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deltaflask.drivers.base import filter_on
from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ValidationFailure
from deltaflask.models import Network
from deltaflask.models import NetworkInterface
from deltaflask.plugins.rhevm.calls import ids_of
from deltaflask.plugins.rhevm.calls import listed
from deltaflask.plugins.rhevm.instances import RhevmInstances


class RhevmNetworks(RhevmInstances):
    """Networks and NICs of the rhevm driver (mixed into ``RhevmDriver``)."""

    def networks(self, filters: Mapping[str, Any]) -> list[Network]:
        """Logical networks (of the provider's data center, if it names one)."""
        found = [
            Network(str(n.id), str(n.name))
            for n in listed(self, self.system.networks_service())
            if not self.datacenter_id
            or (n.data_center is not None and n.data_center.id == self.datacenter_id)
        ]
        return filter_on(found, filters, "id")

    def network_interfaces(self, filters: Mapping[str, Any]) -> list[NetworkInterface]:
        """Every VM's NICs, filtered by ``id``."""
        networks = self.profile_networks()
        vms = listed(self, self.system.vms_service(), follow="nics")
        found = [
            NetworkInterface(
                id=str(nic.id),
                name=str(nic.name),
                instance_id=str(vm.id),
                network_id=networks.get(nic.vnic_profile.id)
                if nic.vnic_profile
                else None,
            )
            for vm in vms
            for nic in vm.nics or []
        ]
        wanted = set(ids_of(filters))
        return [nic for nic in found if not wanted or nic.id in wanted]

    def create_network_interface(
        self, instance_id: str, network_id: str, name: str | None
    ) -> NetworkInterface:
        """A new virtio NIC of ``instance_id`` on ``network_id``."""
        import ovirtsdk4.types as types

        profile = self.vnic_profile_for(network_id)
        if self.instance(instance_id) is None:
            raise ValidationFailure(f"Instance '{instance_id}' does not exist.")
        nics = self.system.vms_service().vm_service(instance_id).nics_service()
        taken = {nic.name for nic in listed(self, nics)}
        chosen = name or next(
            f"nic{n}" for n in range(1, len(taken) + 2) if f"nic{n}" not in taken
        )
        with self.engine():
            created = nics.add(
                types.Nic(
                    name=chosen,
                    interface=types.NicInterface.VIRTIO,
                    vnic_profile=types.VnicProfile(id=profile),
                )
            )
        return NetworkInterface(str(created.id), chosen, instance_id, network_id)

    def destroy_network_interface(self, interface_id: str) -> None:
        """Remove a NIC from its VM."""
        found = self.network_interfaces({"id": interface_id})
        if not found:
            raise ObjectNotFound(f"Network interface '{interface_id}' not found")
        nic = found[0]
        with self.engine():
            vm = self.system.vms_service().vm_service(nic.instance_id)
            vm.nics_service().nic_service(interface_id).remove()
