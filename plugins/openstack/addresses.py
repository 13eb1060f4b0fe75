"""Addresses are Neutron floating IPs, named by the address itself; they come
from the first external network and are bound to an instance's port."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deltaflask.drivers.base import as_list
from deltaflask.errors import Forbidden
from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ValidationFailure
from deltaflask.models import Address
from deltaflask.plugins.openstack.base import OpenStackBase
from deltaflask.plugins.openstack.base import side_by_side
from deltaflask.plugins.openstack.calls import by_id
from deltaflask.plugins.openstack.errors import openstack_errors


class OpenStackAddresses(OpenStackBase):
    """Address operations of the openstack driver."""

    def addresses(self, filters: Mapping[str, Any]) -> list[Address]:
        """The project's floating IPs, filtered by ``id`` (the address)."""
        network = self.connection().network
        query: dict[str, Any] = {"project_id": self.project_id}
        wanted = as_list(filters["id"]) if filters.get("id") else None
        if wanted and len(wanted) == 1:
            query["floating_ip_address"] = wanted[0]
        ips, ports = side_by_side(
            lambda: list(network.ips(**query)),
            lambda: list(network.ports(project_id=self.project_id)),
        )
        servers = {
            p.id: p.device_id
            for p in ports
            if (p.device_owner or "").startswith("compute:")
        }
        found = [
            Address(
                ip.floating_ip_address, servers.get(ip.port_id) if ip.port_id else None
            )
            for ip in ips
        ]
        return [a for a in found if wanted is None or a.id in wanted]

    def create_address(self, ip: str | None = None) -> Address:
        """Allocate a floating IP on the first external network."""
        if ip:
            raise ValidationFailure("OpenStack chooses the floating IP: omit ip")
        network = self.connection().network
        with openstack_errors():
            external = list(network.networks(is_router_external=True))
        if not external:
            raise ValidationFailure("The cloud has no external network for addresses")
        with openstack_errors():
            made = network.create_ip(floating_network_id=external[0].id)
        return Address(made.floating_ip_address)

    def destroy_address(self, address_id: str) -> None:
        """Release a floating IP (403 while it is associated)."""
        floating = self._floating(address_id)
        if floating.port_id:
            raise Forbidden(
                f"Address '{address_id}' is associated: disassociate it first"
            )
        with openstack_errors():
            self.connection().network.delete_ip(floating, ignore_missing=False)

    def associate_address(self, address_id: str, instance_id: str) -> None:
        """Bind a floating IP to the instance's first port."""
        conn = self.connection()
        floating = self._floating(address_id)
        if not by_id(conn.compute.get_server, instance_id):
            raise ValidationFailure(f"Instance '{instance_id}' does not exist.")
        with openstack_errors():
            ports = list(conn.network.ports(device_id=instance_id))
        if not ports:
            raise ValidationFailure(f"Instance '{instance_id}' has no network port")
        with openstack_errors():
            conn.network.update_ip(floating, port_id=ports[0].id)

    def disassociate_address(self, address_id: str) -> None:
        """Unbind a floating IP (403 when it is not bound)."""
        floating = self._floating(address_id)
        if not floating.port_id:
            raise Forbidden(f"Address '{address_id}' is not associated")
        with openstack_errors():
            self.connection().network.update_ip(floating, port_id=None)

    def _floating(self, address: str) -> Any:
        with openstack_errors():
            found = list(
                self.connection().network.ips(
                    floating_ip_address=address, project_id=self.project_id
                )
            )
        if not found:
            raise ObjectNotFound(f"Address '{address}' not found")
        return found[0]
