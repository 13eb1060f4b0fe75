"""``/api/firewalls``: security groups and their ingress rules."""

from __future__ import annotations

import re

from flask import Blueprint
from werkzeug.wrappers import Response as BaseResponse

from deltaflask.context import current_driver
from deltaflask.drivers import FirewallRuleCreate
from deltaflask.models import Firewall
from deltaflask.models import FirewallRule
from deltaflask.plugins.deltacloud.params import request_params
from deltaflask.plugins.deltacloud.params import require
from deltaflask.plugins.deltacloud.render import href
from deltaflask.plugins.deltacloud.views.collection import Collection
from deltaflask.plugins.deltacloud.views.forms import Field
from deltaflask.plugins.deltacloud.views.forms import Form
from deltaflask.plugins.deltacloud.views.forms import member_form
from deltaflask.plugins.deltacloud.views.forms import new_form

GROUP_PARAM = re.compile(r"^group(\d+)$")


def rule_json(rule: FirewallRule) -> dict[str, object]:
    """A rule as the classic JSON shows it (nulls removed)."""
    data: dict[str, object | None] = {
        "id": rule.id,
        "allow_protocol": rule.allow_protocol,
        "port_from": rule.port_from,
        "port_to": rule.port_to,
        "sources": rule.sources,
        "direction": rule.direction,
        "rule_action": rule.rule_action,
        "log_rule": rule.log_rule,
    }
    return {key: value for key, value in data.items() if value is not None}


def to_json(firewall: Firewall) -> dict[str, object]:
    """A firewall as the classic JSON shows it."""
    return {
        "id": firewall.id,
        "href": href("firewalls", firewall.id),
        "name": firewall.name,
        "description": firewall.description,
        "owner_id": firewall.owner_id,
        "rules": [rule_json(rule) for rule in firewall.rules],
    }


FIREWALLS = Collection(
    "firewalls",
    "firewall",
    "firewall_id",
    "Firewall",
    to_json,
    capabilities={
        "can_destroy": "delete_firewall",
        "can_add_rule": "create_firewall_rule",
        "can_destroy_rule": "delete_firewall_rule",
    },
)
FORMATS = FIREWALLS.html_only("new_rule")


def register(bp: Blueprint) -> None:
    """Add the firewall routes."""
    FIREWALLS.register(bp, create=create, destroy=destroy, form=form)
    FIREWALLS.form_page(bp, "new_rule", "new_rule", rule_form)
    FIREWALLS.action(bp, "rules", "create_rule", create_rule, rule_form)
    FIREWALLS.action(bp, "<rule_id>", "destroy_rule", destroy_rule, method="DELETE")


PROTOCOLS = [("tcp", "TCP"), ("udp", "UDP"), ("icmp", "ICMP")]


def form(values: dict[str, str]) -> Form:
    """The form to create a firewall."""
    fields = [
        Field("name", "Name", required=True),
        Field("description", "Description", required=True),
    ]
    return new_form("firewalls", "Create new firewall", fields, "Create firewall")


def rule_form(values: dict[str, str], firewall_id: str) -> Form:
    """The form to add an ingress rule to a firewall."""
    firewall = FIREWALLS.found(firewall_id)
    groups = [(f.id, f.name) for f in current_driver().firewalls({})]
    port = {"minimum": 0, "maximum": 65535, "whole": True}
    fields = [
        Field("protocol", "Protocol", "select", True, options=PROTOCOLS, value="tcp"),
        Field("port_from", "From port", "number", True, **port),
        Field("port_to", "To port", "number", True, **port),
        Field("ip_address1", "Source address (CIDR)", placeholder="0.0.0.0/0"),
        Field("group1", "Source firewall", "select", options=groups),
        Field("group1owner", "Source firewall owner"),
    ]
    return member_form(
        "firewalls",
        firewall.id,
        "new rule",
        f"Add a rule to {firewall.name}",
        fields,
        "Add rule",
        action=href("firewalls", firewall.id, "rules"),
    )


def create() -> BaseResponse:
    """Create a firewall from ``name`` and ``description``: 201 with ``Location``."""
    params = request_params()
    require(params, "name", "description")
    firewall = current_driver().create_firewall(params["name"], params["description"])
    return FIREWALLS.created(firewall)


def destroy(firewall_id: str) -> BaseResponse:
    """Delete a firewall (204)."""
    current_driver().delete_firewall(firewall_id)
    return FIREWALLS.gone(firewall_id)


def create_rule(firewall_id: str) -> BaseResponse:
    """Add a rule: ``protocol``, ``port_from``, ``port_to``, sources
    ``ip_address*`` and groups ``group<i>`` / ``group<i>owner``; 201 + firewall."""
    params = request_params()
    require(params, "protocol", "port_from", "port_to")
    addresses = [
        value
        for key, value in sorted(params.items())
        if key.startswith(("ip_address", "ip-address")) and value.strip()
    ]
    groups = {
        value: params.get(f"{key}owner", "")
        for key, value in sorted(params.items())
        if GROUP_PARAM.match(key) and value.strip()
    }
    firewall = current_driver().create_firewall_rule(
        FirewallRuleCreate(
            firewall_id=firewall_id,
            protocol=params["protocol"],
            port_from=params["port_from"],
            port_to=params["port_to"],
            addresses=addresses,
            groups=groups,
        )
    )
    return FIREWALLS.created(firewall, done="Rule added.")


def destroy_rule(firewall_id: str, rule_id: str) -> BaseResponse:
    """Remove a rule (204)."""
    current_driver().delete_firewall_rule(firewall_id, rule_id)
    done = f"Rule {rule_id} deleted."
    return FIREWALLS.gone(firewall_id, "firewalls", firewall_id, done=done)
