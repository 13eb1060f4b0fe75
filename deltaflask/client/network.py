"""Networking: addresses, firewalls and their rules, load balancers,
networks, subnets and network interfaces."""

from __future__ import annotations

from typing import TYPE_CHECKING

from deltaflask.client.resource import Resource
from deltaflask.client.resource import link_id
from deltaflask.client.storage import instance_id_of

if TYPE_CHECKING:
    from deltaflask.client.compute import Instance


class Address(Resource):
    """A public (elastic) address; ``associate`` binds it to an instance."""

    collection = "addresses"
    member = "address"
    columns = ("id", "associated", "instance_id")
    destroy_rel = "destroy"

    def associate(self, instance: Instance | str) -> Address:
        """Bind the address to ``instance``."""
        return self.perform("associate", {"instance_id": instance_id_of(instance)})

    def disassociate(self) -> Address:
        """Unbind the address from its instance."""
        return self.perform("disassociate")

    @property
    def actions(self) -> dict[str, tuple[str, str]]:
        """An address's JSON links no actions: they follow from its binding."""
        step = "disassociate" if self.data.get("associated") else "associate"
        return {
            step: (f"{self.href}/{step}", "POST"),
            "destroy": (self.href, "DELETE"),
        }


class Firewall(Resource):
    """A security group and its ingress rules."""

    collection = "firewalls"
    member = "firewall"
    columns = ("id", "name", "description", "owner_id", "rules")

    def add_rule(
        self,
        protocol: str,
        port_from: int | str,
        port_to: int | str,
        sources: list[str] | tuple[str, ...] = (),
        **params: str,
    ) -> Firewall:
        """Allow ``protocol`` on the port range from the CIDR ``sources``
        (``group<i>``/``group<i>owner`` params name source groups)."""
        fields = {
            "protocol": protocol,
            "port_from": str(port_from),
            "port_to": str(port_to),
            **{f"ip_address{n}": source for n, source in enumerate(sources, 1)},
            **params,
        }
        return self.post("rules", fields)

    def delete_rule(self, rule_id: str) -> Firewall:
        """Remove the rule ``rule_id``; returns the firewall re-read."""
        self.client.session.request("DELETE", f"{self.href}/{rule_id}")
        return self.refresh()


class LoadBalancer(Resource):
    """A load balancer; ``register``/``unregister`` add and remove instances."""

    collection = "load_balancers"
    member = "load_balancer"
    columns = ("id", "realms", "listeners", "instances", "public_addresses")

    def register(self, instance: Instance | str) -> LoadBalancer:
        """Send traffic to ``instance`` too."""
        return self.post("register", {"instance_id": instance_id_of(instance)})

    def unregister(self, instance: Instance | str) -> LoadBalancer:
        """Stop sending traffic to ``instance``."""
        return self.post("unregister", {"instance_id": instance_id_of(instance)})


class Network(Resource):
    """A network (VPC) and its address blocks."""

    collection = "networks"
    member = "network"
    columns = ("id", "name", "state", "address_blocks", "subnets")


class Subnet(Resource):
    """A subnet of a network."""

    collection = "subnets"
    member = "subnet"
    columns = ("id", "name", "state", "type", "address_block", "network")

    @property
    def network_id(self) -> str | None:
        """The network it belongs to."""
        return link_id(self.data.get("network"))


class NetworkInterface(Resource):
    """An instance's interface on a network."""

    collection = "network_interfaces"
    member = "network_interface"
    columns = ("id", "name", "instance", "network", "subnet", "ip_address")

    @property
    def instance_id(self) -> str | None:
        """The instance it belongs to."""
        return link_id(self.data.get("instance"))
