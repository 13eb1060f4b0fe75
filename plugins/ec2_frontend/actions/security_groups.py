"""Security groups (firewalls): Describe, Create, AuthorizeIngress, Delete.

A group's ``groupId`` is the firewall id, its ``groupName`` the firewall name
(the same on the mock).
"""

from __future__ import annotations

from deltaflask.drivers import BaseDriver
from deltaflask.drivers import FirewallRuleCreate
from deltaflask.models import Firewall
from deltaflask.models import FirewallRule
from deltaflask.plugins.ec2_frontend.actions.common import Item
from deltaflask.plugins.ec2_frontend.actions.common import apply_filters
from deltaflask.plugins.ec2_frontend.actions.common import check_found
from deltaflask.plugins.ec2_frontend.actions.common import existing
from deltaflask.plugins.ec2_frontend.actions.common import path
from deltaflask.plugins.ec2_frontend.dispatch import action
from deltaflask.plugins.ec2_frontend.errors import EC2Error
from deltaflask.plugins.ec2_frontend.errors import missing_parameter
from deltaflask.plugins.ec2_frontend.params import Params
from deltaflask.plugins.ec2_frontend.params import check_ids
from deltaflask.plugins.ec2_frontend.params import get_list
from deltaflask.plugins.ec2_frontend.params import get_str
from deltaflask.plugins.ec2_frontend.params import get_structs
from deltaflask.plugins.ec2_frontend.params import parse_int
from deltaflask.plugins.ec2_frontend.params import require

NOT_FOUND = "InvalidGroup.NotFound"
MALFORMED = "InvalidGroupId.Malformed"
#: EC2's protocol of a rule for every protocol (a driver's ``all``)
ALL_PROTOCOLS = "-1"
FILTERS = {
    "group-id": path("groupId"),
    "group-name": path("groupName"),
    "description": path("groupDescription"),
    "owner-id": path("ownerId"),
}


def _permission(rule: FirewallRule) -> Item:
    ranges, groups = [], []
    for source in rule.sources:
        if source.get("type") == "group":
            name = str(source.get("name") or "")
            key = "groupId" if name.startswith("sg-") else "groupName"
            groups.append({key: name, "userId": source.get("owner")})
        else:
            ranges.append({"cidrIp": f"{source.get('address')}/{source.get('prefix')}"})
    protocol = rule.allow_protocol
    return {
        "ipProtocol": ALL_PROTOCOLS if protocol == "all" else protocol,
        "fromPort": rule.port_from or None,  # no ports: every protocol's rule
        "toPort": rule.port_to or None,
        "groups": groups,
        "ipRanges": ranges,
        "ipv6Ranges": [],
        "prefixListIds": [],
    }


def _item(firewall: Firewall) -> Item:
    return {
        "ownerId": firewall.owner_id,
        "groupId": firewall.id,
        "groupName": firewall.name,
        "groupDescription": firewall.description or "",
        "ipPermissions": [
            _permission(r) for r in firewall.rules if r.direction == "ingress"
        ],
        "ipPermissionsEgress": [],
    }


def _group(driver: BaseDriver, params: Params) -> Firewall:
    value = get_str(params, "GroupId") or get_str(params, "GroupName")
    if value is None:
        raise missing_parameter("GroupId")
    check_ids([value], MALFORMED, "security group")
    return _named(driver, value)


@action("DescribeSecurityGroups", not_found=NOT_FOUND)
def describe_security_groups(driver: BaseDriver, params: Params) -> Item:
    """Security groups by ``GroupId.N``, ``GroupName.N`` and filters."""
    ids, names = get_list(params, "GroupId"), get_list(params, "GroupName")
    check_ids(ids + names, MALFORMED, "security group")
    firewalls = driver.firewalls({})
    check_found(ids, [f.id for f in firewalls], NOT_FOUND, "security group")
    named = {_named(driver, name).id for name in names}
    items = [
        _item(f)
        for f in firewalls
        if not (ids or names) or f.id in ids or f.id in named
    ]
    return {"securityGroupInfo": apply_filters(items, params, FILTERS)}


def _named(driver: BaseDriver, name: str) -> Firewall:
    """The one group a ``GroupName`` (or ``GroupId``) means."""
    groups = _lookup(driver, name)
    if len(groups) > 1:
        raise EC2Error(
            "InvalidParameterValue",
            f"Several security groups are named '{name}': give its GroupId",
        )
    return existing(groups[0] if groups else None, NOT_FOUND, "security group", name)


def _lookup(driver: BaseDriver, name: str) -> list[Firewall]:
    """The group the driver finds by ``name`` as an id (on EC2 a name shared by
    several VPCs means the default VPC's group), else the groups of that name
    (a driver whose ids are not names may hold several)."""
    found = driver.firewall(name)
    if found is not None:
        return [found]
    return [f for f in driver.firewalls({}) if f.name == name]


@action("CreateSecurityGroup", incorrect_state="InvalidGroup.Duplicate")
def create_security_group(driver: BaseDriver, params: Params) -> Item:
    """Create a security group."""
    name = check_ids(
        [require(params, "GroupName")], "InvalidParameterValue", "group name"
    )[0]
    description = require(params, "GroupDescription")
    if _lookup(driver, name):
        raise EC2Error(
            "InvalidGroup.Duplicate", f"The security group '{name}' already exists"
        )
    firewall = driver.create_firewall(name, description)
    return {"return": True, "groupId": firewall.id}


def _port(permission: Params, name: str) -> str:
    """A rule's port (-1, all ICMP types, to 65535) as the driver reads it."""
    raw = permission.get(name) or ""
    return str(parse_int(name, raw, -1, 65535)) if raw else ""


def _permissions(params: Params) -> list[dict[str, str]]:
    found = get_structs(params, "IpPermissions")
    if not found and get_str(params, "IpProtocol"):
        found = [
            {
                "IpProtocol": params.get("IpProtocol", ""),
                "FromPort": params.get("FromPort", ""),
                "ToPort": params.get("ToPort", ""),
                "IpRanges.1.CidrIp": params.get("CidrIp", ""),
            }
        ]
    if not found:
        raise missing_parameter("IpPermissions")
    return found


@action(
    "AuthorizeSecurityGroupIngress",
    not_found=NOT_FOUND,
    incorrect_state="InvalidPermission.Duplicate",
)
def authorize_ingress(driver: BaseDriver, params: Params) -> Item:
    """Add ingress rules from CIDR ranges and/or other groups."""
    firewall = _group(driver, params)
    for permission in _permissions(params):
        protocol = permission.get("IpProtocol") or ""
        if protocol not in ("tcp", "udp", "icmp"):
            raise EC2Error("InvalidParameterValue", f"Invalid IP protocol '{protocol}'")
        cidrs = [
            value
            for key, value in permission.items()
            if key.startswith("IpRanges.") and key.endswith(".CidrIp") and value
        ]
        groups = {
            value: permission.get(key[: key.rindex(".")] + ".UserId") or ""
            for key, value in permission.items()
            if key.startswith("Groups.")
            and key.endswith((".GroupName", ".GroupId"))
            and value
        }
        if not cidrs and not groups:
            raise missing_parameter("IpRanges")
        driver.create_firewall_rule(
            FirewallRuleCreate(
                firewall_id=firewall.id,
                protocol=protocol,
                port_from=_port(permission, "FromPort"),
                port_to=_port(permission, "ToPort"),
                addresses=cidrs,
                groups=groups,
            )
        )
    return {"return": True}


@action(
    "DeleteSecurityGroup", not_found=NOT_FOUND, incorrect_state="DependencyViolation"
)
def delete_security_group(driver: BaseDriver, params: Params) -> Item:
    """Delete a security group nothing depends on."""
    driver.delete_firewall(_group(driver, params).id)
    return {"return": True}
