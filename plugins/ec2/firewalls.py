"""Firewalls: security groups with their ingress rules.

A firewall's id is the group id (``sg-...``); a group name works wherever an
id is expected. A rule is one EC2 ``IpPermission`` (protocol and port range
with all its sources); its id is ``protocol~from~to``, so deleting a rule
revokes that permission with every source it has.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

from deltaflask.drivers import FirewallRuleCreate
from deltaflask.errors import Conflict
from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ValidationFailure
from deltaflask.models import Firewall
from deltaflask.models import FirewallRule
from deltaflask.plugins.ec2.base import Ec2Base
from deltaflask.plugins.ec2.calls import ids_of
from deltaflask.plugins.ec2.calls import lookup
from deltaflask.plugins.ec2.calls import only
from deltaflask.plugins.ec2.calls import port
from deltaflask.plugins.ec2.errors import aws_errors

PROTOCOLS = ("tcp", "udp", "icmp")
ALL = "all"


class Ec2Firewalls(Ec2Base):
    """Firewall operations of the ec2 driver (mixed into ``Ec2Driver``)."""

    def firewalls(self, filters: Mapping[str, Any]) -> list[Firewall]:
        """Security groups, filtered by ``id`` (group id or name)."""
        wanted = ids_of(filters)
        if wanted:
            groups = self.security_groups(wanted)
        else:
            groups = lookup(self.ec2.describe_security_groups, "SecurityGroups")
        return [to_firewall(group) for group in groups]

    def create_firewall(self, name: str, description: str) -> Firewall:
        """Create a security group in the default VPC."""
        if not name or name.startswith("sg-"):
            raise ValidationFailure(f"Invalid firewall name '{name}'")
        with aws_errors():
            made = self.ec2.create_security_group(
                GroupName=name, Description=description or name
            )
        return to_firewall(self._group(made["GroupId"]))

    def delete_firewall(self, firewall_id: str) -> None:
        """Delete a security group (409 while something uses it)."""
        group_id = self._group(firewall_id)["GroupId"]
        groups = lookup(self.ec2.describe_security_groups, "SecurityGroups")
        for other in groups:
            if other["GroupId"] != group_id and any(
                pair.get("GroupId") == group_id
                for permission in other.get("IpPermissions") or ()
                for pair in permission.get("UserIdGroupPairs") or ()
            ):
                raise Conflict(
                    f"Firewall '{firewall_id}' is a source of firewall "
                    f"'{other['GroupId']}'"
                )
        with aws_errors():
            self.ec2.delete_security_group(GroupId=group_id)

    def create_firewall_rule(self, request: FirewallRuleCreate) -> Firewall:
        """Allow ingress from CIDR ``addresses`` and source ``groups``."""
        firewall_id, protocol = request.firewall_id, request.protocol
        port_from, port_to = request.port_from, request.port_to
        addresses, groups = request.addresses, request.groups
        protocol = (protocol or "").lower()
        if protocol not in PROTOCOLS:
            raise ValidationFailure(
                f"Invalid protocol '{protocol}': use one of {', '.join(PROTOCOLS)}"
            )
        low = port(port_from, "port_from", -1)
        high = port(port_to, "port_to", -1)
        if low > high:
            raise ValidationFailure("port_from must not be greater than port_to")
        if not addresses and not groups:
            raise ValidationFailure(
                "No sources. Specify at least one source ip address or group."
            )
        permission: dict[str, Any] = {
            "IpProtocol": protocol,
            "FromPort": low,
            "ToPort": high,
        }
        v4, v6 = _ranges(addresses)
        if v4:
            permission["IpRanges"] = [{"CidrIp": block} for block in v4]
        if v6:
            permission["Ipv6Ranges"] = [{"CidrIpv6": block} for block in v6]
        target = self._group(firewall_id)
        group_id = target["GroupId"]
        if groups:
            permission["UserIdGroupPairs"] = [
                {"GroupId": g["GroupId"], "UserId": g["OwnerId"]}
                for g in self._sources(list(groups), target.get("VpcId"))
            ]
        with aws_errors():
            self.ec2.authorize_security_group_ingress(
                GroupId=group_id, IpPermissions=[permission]
            )
        return to_firewall(self._group(group_id))

    def delete_firewall_rule(self, firewall_id: str, rule_id: str) -> None:
        """Revoke the permission ``rule_id`` names, with all its sources."""
        group = self._group(firewall_id)
        permission = next(
            (p for p in group.get("IpPermissions") or () if rule_key(p) == rule_id),
            None,
        )
        if permission is None:
            raise ObjectNotFound(
                f"Rule '{rule_id}' not found in firewall '{firewall_id}'"
            )
        with aws_errors():
            self.ec2.revoke_security_group_ingress(
                GroupId=group["GroupId"], IpPermissions=[_revocable(permission)]
            )

    def _group(self, firewall_id: str) -> dict[str, Any]:
        groups = self.security_groups([firewall_id])
        return dict(only(groups, f"Firewall '{firewall_id}'"))

    def _sources(self, names: list[str], vpc_id: str | None) -> list[dict[str, Any]]:
        """Source groups: names are looked up in the VPC of the rule's group."""
        groups = self.security_groups(names, vpc_id)
        known = {g["GroupId"] for g in groups} | {g["GroupName"] for g in groups}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise ValidationFailure(f"Source group '{unknown[0]}' does not exist")
        return groups


def _ranges(addresses: list[str]) -> tuple[list[str], list[str]]:
    """Source CIDR blocks split by family (400 on a malformed one)."""
    v4: list[str] = []
    v6: list[str] = []
    for value in addresses:
        try:
            block = ipaddress.ip_network(value.strip(), strict=False)
        except ValueError as exc:
            raise ValidationFailure(
                f"Invalid source address '{value}': {exc}"
            ) from None
        (v4 if block.version == 4 else v6).append(str(block))
    return v4, v6


def _revocable(permission: Mapping[str, Any]) -> dict[str, Any]:
    """A described permission as ``revoke_security_group_ingress`` takes it."""
    keys = ("IpProtocol", "FromPort", "ToPort", "IpRanges", "Ipv6Ranges")
    kept = {k: permission[k] for k in keys if permission.get(k) not in (None, [])}
    pairs = [
        {"GroupId": p["GroupId"], "UserId": p["UserId"]}
        for p in permission.get("UserIdGroupPairs") or ()
    ]
    if pairs:
        kept["UserIdGroupPairs"] = pairs
    return kept


def rule_key(permission: Mapping[str, Any]) -> str:
    """The rule id of a permission: ``protocol~from~to``."""
    protocol = str(permission.get("IpProtocol"))
    protocol = ALL if protocol == "-1" else protocol
    low = permission.get("FromPort", "")
    high = permission.get("ToPort", "")
    return f"{protocol}~{low}~{high}"


def _sources_of(permission: Mapping[str, Any]) -> list[dict[str, str]]:
    sources = []
    for entry in permission.get("IpRanges") or ():
        network = ipaddress.ip_network(entry["CidrIp"], strict=False)
        sources.append(_address(network))
    for entry in permission.get("Ipv6Ranges") or ():
        network = ipaddress.ip_network(entry["CidrIpv6"], strict=False)
        sources.append(_address(network))
    for pair in permission.get("UserIdGroupPairs") or ():
        sources.append(
            {
                "type": "group",
                "name": str(pair.get("GroupName") or pair.get("GroupId")),
                "owner": str(pair.get("UserId") or ""),
            }
        )
    return sources


def _address(network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> dict[str, str]:
    return {
        "type": "address",
        "family": f"ipv{network.version}",
        "address": str(network.network_address),
        "prefix": str(network.prefixlen),
    }


def to_firewall(group: Mapping[str, Any]) -> Firewall:
    """A firewall from one entry of ``describe_security_groups``."""
    return Firewall(
        id=group["GroupId"],
        name=group["GroupName"],
        description=group.get("Description"),
        owner_id=group.get("OwnerId"),
        rules=[
            FirewallRule(
                id=rule_key(p),
                allow_protocol=ALL if p.get("IpProtocol") == "-1" else p["IpProtocol"],
                port_from=str(p.get("FromPort", "")),
                port_to=str(p.get("ToPort", "")),
                sources=_sources_of(p),
            )
            for p in group.get("IpPermissions") or ()
        ],
    )
