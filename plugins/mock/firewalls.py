"""Mock firewalls (security groups) and their ingress rules."""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Mapping
from typing import Any

from deltaflask.drivers import FirewallRuleCreate
from deltaflask.drivers.base import filter_on
from deltaflask.errors import Conflict
from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ValidationFailure
from deltaflask.models import Firewall
from deltaflask.models import FirewallRule
from deltaflask.plugins.mock.base import MockBase
from deltaflask.plugins.mock.store import check_id

PROTOCOLS = ("tcp", "udp", "icmp")


class MockFirewalls(MockBase):
    """Firewall operations of the mock driver (mixed into ``MockDriver``)."""

    def firewalls(self, filters: Mapping[str, Any]) -> list[Firewall]:
        """Firewalls, filtered by id."""
        self.user()
        found = [_to_firewall(data) for data in self.store.all("firewalls")]
        return filter_on(found, filters, "id")

    def create_firewall(self, name: str, description: str) -> Firewall:
        """Create an empty firewall named ``name``."""
        user = self.user()
        check_id(name, "firewall name")
        with self.store.transaction():
            if self.store.exists("firewalls", name):
                raise Conflict(f"Firewall '{name}' already exists")
            entity = {
                "id": name,
                "name": name,
                "description": description,
                "owner_id": user,
                "rules": [],
            }
            self.store.save("firewalls", entity)
        return _to_firewall(entity)

    def delete_firewall(self, firewall_id: str) -> None:
        """Delete a firewall no other firewall's rule names as a source."""
        self.user()
        with self.store.transaction():
            self._firewall(firewall_id)
            for other in self.store.all("firewalls"):
                if other["id"] != firewall_id and any(
                    source.get("type") == "group" and source.get("name") == firewall_id
                    for rule in other.get("rules", [])
                    for source in rule.get("sources", [])
                ):
                    raise Conflict(
                        f"Firewall '{firewall_id}' is a source of firewall "
                        f"'{other['id']}'"
                    )
            self.store.delete("firewalls", firewall_id)

    def create_firewall_rule(self, request: FirewallRuleCreate) -> Firewall:
        """Add an ingress rule; every part is checked before anything is stored."""
        firewall_id, protocol = request.firewall_id, request.protocol
        port_from, port_to = request.port_from, request.port_to
        addresses, groups = request.addresses, request.groups
        self.user()
        protocol = (protocol or "").lower()
        if protocol not in PROTOCOLS:
            raise ValidationFailure(
                f"Invalid protocol '{protocol}': use one of {', '.join(PROTOCOLS)}"
            )
        low, high = _port(port_from, "port_from"), _port(port_to, "port_to")
        if low > high:
            raise ValidationFailure("port_from must not be greater than port_to")
        if not addresses and not groups:
            raise ValidationFailure(
                "No sources. Specify at least one source ip address or group."
            )
        sources = [_address_source(value) for value in addresses]
        with self.store.transaction():
            data = self._firewall(firewall_id)
            for name, owner in groups.items():
                if self.store.load("firewalls", name) is None:
                    raise ValidationFailure(f"Source group '{name}' does not exist")
                sources.append({"type": "group", "name": name, "owner": owner})
            rule = {
                "id": f"rule-{secrets.token_hex(4)}",
                "allow_protocol": protocol,
                "port_from": str(low),
                "port_to": str(high),
                "sources": sources,
                "direction": "ingress",
            }
            if any(_same_rule(rule, old) for old in data.get("rules", [])):
                raise Conflict("The firewall already has this rule")
            data["rules"] = [*data.get("rules", []), rule]
            self.store.save("firewalls", data)
        return _to_firewall(data)

    def delete_firewall_rule(self, firewall_id: str, rule_id: str) -> None:
        """Remove one rule from a firewall."""
        self.user()
        with self.store.transaction():
            data = self._firewall(firewall_id)
            rules = data.get("rules", [])
            kept = [rule for rule in rules if rule.get("id") != rule_id]
            if len(kept) == len(rules):
                raise ObjectNotFound(
                    f"Rule '{rule_id}' not found in firewall '{firewall_id}'"
                )
            data["rules"] = kept
            self.store.save("firewalls", data)

    def _firewall(self, firewall_id: str) -> dict[str, Any]:
        return self.store.require("firewalls", firewall_id, "Firewall")


def _port(value: str, what: str) -> int:
    try:
        port = int(str(value).strip())
    except ValueError as exc:
        raise ValidationFailure(f"{what} must be a port number, not '{value}'") from exc
    if not 0 <= port <= 65535:
        raise ValidationFailure(f"{what} must lie between 0 and 65535")
    return port


def _address_source(value: str) -> dict[str, str]:
    try:
        block = ipaddress.ip_network(value.strip(), strict=False)
    except ValueError as exc:
        raise ValidationFailure(f"Invalid source address '{value}': {exc}") from exc
    return {
        "type": "address",
        "family": f"ipv{block.version}",
        "address": str(block.network_address),
        "prefix": str(block.prefixlen),
    }


def _same_rule(new: Mapping[str, Any], old: Mapping[str, Any]) -> bool:
    keys = ("allow_protocol", "port_from", "port_to")
    return all(str(new[k]) == str(old.get(k)) for k in keys) and _sources(
        new
    ) == _sources(old)


def _sources(rule: Mapping[str, Any]) -> list[tuple[tuple[str, str], ...]]:
    return sorted(tuple(sorted(s.items())) for s in rule.get("sources", []))


def _to_firewall(data: Mapping[str, Any]) -> Firewall:
    return Firewall(
        id=data["id"],
        name=data.get("name") or data["id"],
        description=data.get("description"),
        owner_id=data.get("owner_id"),
        rules=[
            FirewallRule(
                id=rule["id"],
                allow_protocol=rule["allow_protocol"],
                port_from=str(rule["port_from"]),
                port_to=str(rule["port_to"]),
                sources=list(rule.get("sources", [])),
                direction=rule.get("direction", "ingress"),
            )
            for rule in data.get("rules", [])
        ],
    )
