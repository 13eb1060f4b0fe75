"""Firewalls are Neutron security groups; their rules are its ingress rules,
one per source (a CIDR block or another group)."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

from deltaflask.drivers import FirewallRuleCreate
from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ValidationFailure
from deltaflask.models import Firewall
from deltaflask.models import FirewallRule
from deltaflask.plugins.openstack.base import OpenStackBase
from deltaflask.plugins.openstack.calls import by_id
from deltaflask.plugins.openstack.calls import one
from deltaflask.plugins.openstack.errors import openstack_errors

PROTOCOLS = ("tcp", "udp", "icmp")


class OpenStackFirewalls(OpenStackBase):
    """Firewall operations of the openstack driver."""

    def firewalls(self, filters: Mapping[str, Any]) -> list[Firewall]:
        """The project's security groups, filtered by ``id``."""
        network = self.connection().network
        if filters.get("id"):
            groups = by_id(network.get_security_group, filters["id"])
        else:
            with openstack_errors():
                groups = list(network.security_groups(project_id=self.project_id))
        names = {g.id: g.name for g in groups}
        return [to_firewall(g, names) for g in groups]

    def create_firewall(self, name: str, description: str) -> Firewall:
        """Create a security group (Neutron adds its egress rules)."""
        if not name or not name.strip():
            raise ValidationFailure("A firewall needs a name")
        with openstack_errors():
            group = self.connection().network.create_security_group(
                name=name, description=description or ""
            )
        return to_firewall(group, {group.id: group.name})

    def delete_firewall(self, firewall_id: str) -> None:
        """Delete a security group (409 while a port uses it)."""
        network = self.connection().network
        one(network.get_security_group, firewall_id, "Firewall")
        with openstack_errors():
            network.delete_security_group(firewall_id, ignore_missing=False)

    def create_firewall_rule(self, request: FirewallRuleCreate) -> Firewall:
        """Allow ingress from each CIDR block and source group asked for."""
        network = self.connection().network
        protocol = (request.protocol or "").lower()
        if protocol not in PROTOCOLS:
            raise ValidationFailure(
                f"Invalid protocol '{protocol}': use one of {', '.join(PROTOCOLS)}"
            )
        low = _port(request.port_from, "port_from")
        high = _port(request.port_to, "port_to")
        if low > high:
            raise ValidationFailure("port_from must not be greater than port_to")
        if not request.addresses and not request.groups:
            raise ValidationFailure(
                "No sources. Specify at least one source ip address or group."
            )
        blocks = [_block(address) for address in request.addresses]
        group = one(network.get_security_group, request.firewall_id, "Firewall")
        sources = [self._source_group(name) for name in request.groups]
        common = {
            "security_group_id": group.id,
            "direction": "ingress",
            "protocol": protocol,
            "port_range_min": low,
            "port_range_max": high,
        }
        with openstack_errors():
            for block in blocks:
                network.create_security_group_rule(
                    remote_ip_prefix=str(block),
                    ether_type=f"IPv{block.version}",
                    **common,
                )
            for source in sources:
                network.create_security_group_rule(remote_group_id=source, **common)
        return self.firewalls({"id": group.id})[0]

    def delete_firewall_rule(self, firewall_id: str, rule_id: str) -> None:
        """Delete one ingress rule of a security group."""
        network = self.connection().network
        group = one(network.get_security_group, firewall_id, "Firewall")
        if rule_id not in {r["id"] for r in group.security_group_rules or ()}:
            raise ObjectNotFound(
                f"Rule '{rule_id}' not found in firewall '{firewall_id}'"
            )
        with openstack_errors():
            network.delete_security_group_rule(rule_id, ignore_missing=False)

    def _source_group(self, name: str) -> str:
        with openstack_errors():
            groups = list(
                self.connection().network.security_groups(project_id=self.project_id)
            )
        match = [g.id for g in groups if name in (g.id, g.name)]
        if not match:
            raise ValidationFailure(f"Firewall '{name}' does not exist.")
        return match[0]


def _port(value: str, what: str) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValidationFailure(
            f"{what} must be a port number, not '{value}'"
        ) from None
    if not 0 <= number <= 65535:
        raise ValidationFailure(f"{what} must lie between 0 and 65535")
    return number


def _block(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        raise ValidationFailure(f"'{text}' is no IP address or CIDR block") from None


def to_firewall(group: Any, names: Mapping[str, str]) -> Firewall:
    """A firewall from a security group (its ingress rules only)."""
    return Firewall(
        id=group.id,
        name=group.name,
        description=group.description or None,
        owner_id=group.project_id,
        rules=[
            to_rule(rule, names)
            for rule in group.security_group_rules or ()
            if rule.get("direction") == "ingress"
        ],
    )


def to_rule(rule: Mapping[str, Any], names: Mapping[str, str]) -> FirewallRule:
    """A firewall rule from a security group rule (a dict in the group)."""
    sources = []
    if rule.get("remote_ip_prefix"):
        block = ipaddress.ip_network(rule["remote_ip_prefix"], strict=False)
        sources.append(
            {
                "type": "address",
                "family": f"ipv{block.version}",
                "address": str(block.network_address),
                "prefix": str(block.prefixlen),
            }
        )
    if rule.get("remote_group_id"):
        group_id = rule["remote_group_id"]
        sources.append(
            {
                "type": "group",
                "name": names.get(group_id, group_id),
                "owner": str(rule.get("project_id") or ""),
            }
        )
    low, high = rule.get("port_range_min"), rule.get("port_range_max")
    return FirewallRule(
        id=rule["id"],
        allow_protocol=rule.get("protocol") or "all",
        port_from="" if low is None else str(low),
        port_to="" if high is None else str(high),
        sources=sources,
    )
