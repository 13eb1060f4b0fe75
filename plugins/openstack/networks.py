"""Networks are Neutron networks, their address blocks those of their subnets
(or, before the first subnet, the block the network was created with, kept in
its description); network interfaces are Neutron ports of instances."""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Mapping
from typing import Any

from deltaflask.drivers import SubnetCreate
from deltaflask.drivers.base import filter_on
from deltaflask.errors import ValidationFailure
from deltaflask.models import Network
from deltaflask.models import NetworkInterface
from deltaflask.models import Subnet
from deltaflask.plugins.openstack.base import POLL_SECONDS
from deltaflask.plugins.openstack.base import WAIT_SECONDS
from deltaflask.plugins.openstack.base import OpenStackBase
from deltaflask.plugins.openstack.base import side_by_side
from deltaflask.plugins.openstack.calls import by_id
from deltaflask.plugins.openstack.calls import one
from deltaflask.plugins.openstack.errors import openstack_errors
from deltaflask.plugins.openstack.instances import PORT_DESCRIPTION

#: how a network's description records the block it was created with
BLOCK_PREFIX = "address_block="
#: ports Neutron makes for itself (routers, DHCP, floating IPs)
INTERNAL_OWNERS = ("network:",)


class OpenStackNetworks(OpenStackBase):
    """Network, subnet and network interface operations of the openstack driver."""

    def networks(self, filters: Mapping[str, Any]) -> list[Network]:
        """Networks with their subnets' address blocks, filtered by ``id``."""
        network = self.connection().network

        def found() -> list[Any]:
            if filters.get("id"):
                return by_id(network.get_network, filters["id"])
            return list(network.networks())

        networks, subnets = side_by_side(found, lambda: list(network.subnets()))
        return [to_network(n, subnets) for n in networks]

    def create_network(self, name: str | None, address_block: str | None) -> Network:
        """Create a network; ``address_block`` bounds its future subnets."""
        arguments: dict[str, Any] = {
            "name": name or f"deltaflask-{secrets.token_hex(4)}"
        }
        if address_block:
            arguments["description"] = BLOCK_PREFIX + str(cidr(address_block))
        with openstack_errors():
            made = self.connection().network.create_network(**arguments)
        return to_network(made, [])

    def destroy_network(self, network_id: str) -> None:
        """Delete a network with its subnets (409 while ports use it)."""
        network = self.connection().network
        one(network.get_network, network_id, "Network")
        with openstack_errors():
            network.delete_network(network_id, ignore_missing=False)

    def subnets(self, filters: Mapping[str, Any]) -> list[Subnet]:
        """Subnets, filtered by ``id`` and ``network_id``."""
        network = self.connection().network
        if filters.get("id"):
            found = by_id(network.get_subnet, filters["id"])
        else:
            with openstack_errors():
                found = list(network.subnets())
        return filter_on([to_subnet(s) for s in found], filters, "network_id")

    def create_subnet(self, request: SubnetCreate) -> Subnet:
        """Create an IPv4 or IPv6 subnet inside a network's address block."""
        network = self.connection().network
        block = cidr(request.address_block)
        found = by_id(network.get_network, request.network_id)
        if not found:
            raise ValidationFailure(f"Network '{request.network_id}' does not exist.")
        bound = recorded_block(found[0])
        if bound is not None and not _inside(block, bound):
            raise ValidationFailure(
                f"address_block {block} lies outside the network's block {bound}"
            )
        if request.realm_id and self.realm(request.realm_id) is None:
            raise ValidationFailure(f"Realm '{request.realm_id}' does not exist.")
        with openstack_errors():
            made = network.create_subnet(
                network_id=request.network_id,
                cidr=str(block),
                ip_version=block.version,
                name=request.name or "",
            )
        return to_subnet(made)

    def destroy_subnet(self, subnet_id: str) -> None:
        """Delete a subnet (409 while ports use it)."""
        network = self.connection().network
        one(network.get_subnet, subnet_id, "Subnet")
        with openstack_errors():
            network.delete_subnet(subnet_id, ignore_missing=False)

    def network_interfaces(self, filters: Mapping[str, Any]) -> list[NetworkInterface]:
        """The project's ports (not Neutron's own), filtered by ``id``."""
        network = self.connection().network
        if filters.get("id"):
            ports = by_id(network.get_port, filters["id"])
        else:
            with openstack_errors():
                ports = list(network.ports(project_id=self.project_id))
        return [
            to_interface(p)
            for p in ports
            if not (p.device_owner or "").startswith(INTERNAL_OWNERS)
        ]

    def create_network_interface(
        self, instance_id: str, network_id: str, name: str | None
    ) -> NetworkInterface:
        """A new port on a network (or in a subnet), attached to a server."""
        conn = self.connection()
        servers = by_id(conn.compute.get_server, instance_id)
        if not servers:
            raise ValidationFailure(f"Instance '{instance_id}' does not exist.")
        placement = self._port_placement(network_id)
        with openstack_errors():
            port = conn.network.create_port(
                name=name or "", description=PORT_DESCRIPTION, **placement
            )
        try:
            with openstack_errors():
                conn.compute.create_server_interface(servers[0], port_id=port.id)
        except Exception:
            with openstack_errors():
                conn.network.delete_port(port.id)
            raise
        return self._interface(port.id)

    def destroy_network_interface(self, interface_id: str) -> None:
        """Detach a port from its server and delete it."""
        conn = self.connection()
        port = one(conn.network.get_port, interface_id, "Network interface")
        if (port.device_owner or "").startswith("compute:"):
            with openstack_errors():
                conn.compute.delete_server_interface(port.id, server=port.device_id)
                # Neutron refuses to delete the port until Nova has let go
                conn.network.wait_for_status(
                    port,
                    status="",
                    failures=[],
                    interval=POLL_SECONDS,
                    wait=WAIT_SECONDS,
                    attribute="device_owner",
                )
        with openstack_errors():
            conn.network.delete_port(port.id, ignore_missing=True)

    def _port_placement(self, target: str) -> dict[str, Any]:
        network = self.connection().network
        if by_id(network.get_network, target):
            return {"network_id": target}
        subnet = by_id(network.get_subnet, target)
        if subnet:
            return {
                "network_id": subnet[0].network_id,
                "fixed_ips": [{"subnet_id": target}],
            }
        raise ValidationFailure(f"Network or subnet '{target}' does not exist.")

    def _interface(self, port_id: str) -> NetworkInterface:
        port = one(self.connection().network.get_port, port_id, "Network interface")
        return to_interface(port)


def cidr(value: str | None) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """A CIDR block without host bits, or a 400 saying what is wrong."""
    try:
        return ipaddress.ip_network((value or "").strip(), strict=True)
    except ValueError as exc:
        raise ValidationFailure(f"Invalid address_block '{value}': {exc}") from None


def recorded_block(
    network: Any,
) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """The block a network was created with, if deltaflask recorded one."""
    text = network.description or ""
    if not text.startswith(BLOCK_PREFIX):
        return None
    try:
        return ipaddress.ip_network(text[len(BLOCK_PREFIX) :], strict=False)
    except ValueError:
        return None


def _inside(block: Any, bound: Any) -> bool:
    return block.version == bound.version and block.subnet_of(bound)


def to_network(network: Any, subnets: list[Any]) -> Network:
    """A network from a Neutron network and the subnets (of any network)."""
    own = [s for s in subnets if s.network_id == network.id]
    blocks = [s.cidr for s in own]
    if not blocks and (bound := recorded_block(network)) is not None:
        blocks = [str(bound)]
    return Network(
        id=network.id,
        name=network.name or network.id,
        state="UP" if network.status == "ACTIVE" else "DOWN",
        address_blocks=blocks,
        subnet_ids=[s.id for s in own] or list(network.subnet_ids or ()),
    )


def to_subnet(subnet: Any) -> Subnet:
    """A subnet from a Neutron subnet."""
    return Subnet(
        id=subnet.id,
        name=subnet.name or subnet.id,
        network_id=subnet.network_id,
        address_block=subnet.cidr,
    )


def to_interface(port: Any) -> NetworkInterface:
    """A network interface from a Neutron port (its first fixed IP)."""
    fixed = (port.fixed_ips or [{}])[0]
    on_server = (port.device_owner or "").startswith("compute:")
    return NetworkInterface(
        id=port.id,
        name=port.name or port.id,
        instance_id=port.device_id if on_server and port.device_id else None,
        network_id=port.network_id,
        subnet_id=fixed.get("subnet_id"),
        ip_address=fixed.get("ip_address"),
    )
