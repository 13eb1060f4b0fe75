"""Network operations of the driver contract: networks, subnets, interfaces."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from deltaflask.drivers.contract import first
from deltaflask.drivers.contract import missing
from deltaflask.drivers.contract import operation
from deltaflask.models import Network
from deltaflask.models import NetworkInterface
from deltaflask.models import Subnet

Filters = Mapping[str, Any]


@dataclass(slots=True)
class SubnetCreate:
    """A subnet of ``address_block`` inside network ``network_id``, in realm
    ``realm_id`` when given (the cloud picks one otherwise)."""

    network_id: str
    address_block: str
    name: str | None = None
    realm_id: str | None = None


class NetworkOperations:
    """Operations on networks. Override what the cloud offers."""

    @operation
    def networks(self, filters: Filters) -> list[Network]:
        """List networks, filtered by ``id``."""
        raise missing("networks")

    def network(self, network_id: str) -> Network | None:
        """One network by id, or ``None``."""
        return first(self.networks({"id": network_id}))

    @operation
    def create_network(self, name: str | None, address_block: str | None) -> Network:
        """Create a network."""
        raise missing("create_network")

    @operation
    def destroy_network(self, network_id: str) -> None:
        """Delete a network without subnets."""
        raise missing("destroy_network")

    @operation
    def subnets(self, filters: Filters) -> list[Subnet]:
        """List subnets, filtered by ``id`` and ``network_id``."""
        raise missing("subnets")

    def subnet(self, subnet_id: str) -> Subnet | None:
        """One subnet by id, or ``None``."""
        return first(self.subnets({"id": subnet_id}))

    @operation
    def create_subnet(self, request: SubnetCreate) -> Subnet:
        """Create a subnet inside a network (an unknown realm is a 400)."""
        raise missing("create_subnet")

    @operation
    def destroy_subnet(self, subnet_id: str) -> None:
        """Delete a subnet no instance is bound to."""
        raise missing("destroy_subnet")

    @operation
    def network_interfaces(self, filters: Filters) -> list[NetworkInterface]:
        """List network interfaces, filtered by ``id``."""
        raise missing("network_interfaces")

    def network_interface(self, interface_id: str) -> NetworkInterface | None:
        """One network interface by id, or ``None``."""
        return first(self.network_interfaces({"id": interface_id}))

    @operation
    def create_network_interface(
        self, instance_id: str, network_id: str, name: str | None
    ) -> NetworkInterface:
        """Attach an instance to a network or subnet through a new interface."""
        raise missing("create_network_interface")

    @operation
    def destroy_network_interface(self, interface_id: str) -> None:
        """Delete a network interface."""
        raise missing("destroy_network_interface")
