"""Networks (the driver's subnets), NetworkConfigurations and NetworkTemplates
(stored by CIMI), ForwardingGroups (the driver's networks) and their templates.

A Network is created inside the forwarding group its template names; without
one, a forwarding group of its own is created for it (and deleted with it). Its
address block is the first free one next to its siblings'.
"""

from __future__ import annotations

import ipaddress
from contextlib import suppress
from typing import Any

from flask import Blueprint
from flask import Response

from deltaflask.context import current_driver
from deltaflask.drivers import BaseDriver
from deltaflask.drivers import SubnetCreate
from deltaflask.drivers.contract import missing
from deltaflask.errors import Conflict
from deltaflask.errors import ObjectNotFound
from deltaflask.models import Network
from deltaflask.models import Subnet
from deltaflask.plugins.cimi import parsing
from deltaflask.plugins.cimi.families import Data
from deltaflask.plugins.cimi.families import Family
from deltaflask.plugins.cimi.families import created
from deltaflask.plugins.cimi.families import described
from deltaflask.plugins.cimi.families import edit_ops
from deltaflask.plugins.cimi.families import found
from deltaflask.plugins.cimi.families import referenced
from deltaflask.plugins.cimi.render import compact
from deltaflask.plugins.cimi.render import empty
from deltaflask.plugins.cimi.render import ref
from deltaflask.plugins.cimi.render import url
from deltaflask.plugins.cimi.store import forget
from deltaflask.plugins.cimi.store import overrides
from deltaflask.plugins.cimi.store import remember
from deltaflask.plugins.cimi.stored import StoredFamily
from deltaflask.plugins.cimi.stored import local_ref
from deltaflask.plugins.cimi.stored import lookup
from deltaflask.plugins.cimi.stored import resolve
from deltaflask.store.base import is_safe_id

STATES = {"UP": "STARTED", "DOWN": "STOPPED"}
CONFIG_FIELDS = ("networkType", "mtu", "classOfService")
#: the block a network gets when its forwarding group has none
DEFAULT_BLOCK = "192.168.0.0/24"
MAX_TRIES = 256


def network_data(driver: BaseDriver, subnet: Subnet) -> Data:
    """A subnet as a Network (what its configuration said is kept by CIMI)."""
    own = url("networks", subnet.id)
    stored = overrides("networks", subnet.id)
    return compact(
        {
            **described("networks", subnet.id, subnet.name, what="Network"),
            "state": STATES.get(subnet.state.upper(), subnet.state.upper()),
            "networkType": stored.get("networkType") or subnet.type,
            "mtu": stored.get("mtu"),
            "classOfService": stored.get("classOfService"),
            "networkPorts": {"href": own + "/network_ports"},
            "forwardingGroup": ref("forwarding_groups", subnet.network_id),
            "operations": edit_ops(own, driver.supports("destroy_subnet")),
        }
    )


def group_data(driver: BaseDriver, network: Network) -> Data:
    """A network as a ForwardingGroup of its subnets."""
    own = url("forwarding_groups", network.id)
    return compact(
        {
            **described(
                "forwarding_groups", network.id, network.name, what="Forwarding Group"
            ),
            "networks": [ref("networks", subnet) for subnet in network.subnet_ids],
            "operations": edit_ops(own, driver.supports("destroy_network")),
        }
    )


def _delete_network(network_id: str) -> Response:
    """DELETE /networks/<id>: the subnet, and a forwarding group made for it."""
    driver = current_driver()
    holder = overrides("networks", network_id).get("holder")
    driver.destroy_subnet(network_id)
    forget("networks", network_id)
    if holder:
        with suppress(Conflict, ObjectNotFound):  # reused or gone since: leave it
            driver.destroy_network(holder)
    return empty(200)


class Networks(Family):
    """The Network family, whose delete also drops a forwarding group it owns."""

    def delete(self, entity_id: str) -> Response:
        """DELETE /networks/<id>."""
        return _delete_network(entity_id)


NETWORKS = Networks(
    "networks",
    "Network",
    "networks",
    "subnets",
    "subnet",
    network_data,
    creator="create_subnet",
    destroyer="destroy_subnet",
)
GROUPS = Family(
    "forwarding_groups",
    "ForwardingGroup",
    "forwardingGroups",
    "networks",
    "network",
    group_data,
    destroyer="destroy_network",
)


def _group_id(driver: BaseDriver, reference: dict[str, Any]) -> str:
    return referenced(reference, "forwardingGroup", driver.network)


def _build_template(body: Data) -> Data:
    config = lookup("network_configurations", body["networkConfig"], "networkConfig")
    built: Data = {"networkConfig": local_ref("network_configurations", config["id"])}
    if body.get("forwardingGroup"):
        group = _group_id(current_driver(), body["forwardingGroup"])
        built["forwardingGroup"] = local_ref("forwarding_groups", group)
    return built


def _build_group_template(body: Data) -> Data:
    driver = current_driver()
    return {
        "networks": [
            local_ref("networks", referenced(item, "network", driver.subnet))
            for item in body["networks"]
        ]
    }


CONFIGURATIONS = StoredFamily(
    "network_configurations",
    "NetworkConfiguration",
    "networkConfigurations",
    parsing.NetworkConfigurationCreate,
    lambda body: {k: body[k] for k in CONFIG_FIELDS if body.get(k) is not None},
)
TEMPLATES = StoredFamily(
    "network_templates",
    "NetworkTemplate",
    "networkTemplates",
    parsing.NetworkTemplateCreate,
    _build_template,
)
GROUP_TEMPLATES = StoredFamily(
    "forwarding_group_templates",
    "ForwardingGroupTemplate",
    "forwardingGroupTemplates",
    parsing.ForwardingGroupTemplateCreate,
    _build_group_template,
)


def register(bp: Blueprint) -> None:
    """Add the routes of the network families."""
    NETWORKS.register(bp, create_network)
    bp.add_url_rule(
        "/networks/<entity_id>/<any(start,stop,suspend):action>",
        "network_action",
        network_action,
        methods=["POST"],
    )
    GROUPS.register(bp)
    for family in (CONFIGURATIONS, TEMPLATES, GROUP_TEMPLATES):
        family.register(bp)


def network_action(entity_id: str, action: str) -> Response:
    """POST /networks/<id>/<action>: the driver contract cannot start, stop or
    suspend a network, so an existing one answers 412 (as the original did),
    a missing one 404; no operation advertises these actions."""
    found(current_driver().subnet(entity_id))
    raise missing(f"{action}_network")


# -- create --------------------------------------------------------------------------
def create_network() -> Response:
    """POST /networks: a NetworkTemplate by reference or by value, its
    NetworkConfiguration by reference or by value."""
    driver = current_driver()
    body = parsing.load(parsing.NetworkCreate)
    template = resolve("network_templates", body["networkTemplate"], "networkTemplate")
    config = resolve(
        "network_configurations", template["networkConfig"], "networkConfig"
    )
    group = template.get("forwardingGroup")
    holder = None
    if group:
        parent = found(driver.network(_group_id(driver, group)))
    else:
        parent = holder = driver.create_network(None, None)
    name = body.get("name")
    try:
        subnet = driver.create_subnet(
            SubnetCreate(
                network_id=parent.id,
                address_block=free_block(driver, parent),
                name=name if name and is_safe_id(name) else None,
            )
        )
    except Exception:
        if holder is not None:
            driver.destroy_network(holder.id)
        raise
    kept = {**body, **{k: config.get(k) for k in CONFIG_FIELDS}}
    if holder is not None:
        kept["holder"] = holder.id
    remember(
        "networks",
        subnet.id,
        kept,
        ("name", "description", "properties", *CONFIG_FIELDS, "holder"),
    )
    return created("Network", network_data(driver, subnet))


def free_block(driver: BaseDriver, network: Network) -> str:
    """The first block of its siblings' size that overlaps none of them (inside
    the forwarding group's own block when it has no subnets yet)."""
    taken = [
        ipaddress.ip_network(s.address_block)
        for s in driver.subnets({"network_id": network.id})
    ]
    if not taken:
        own = [ipaddress.ip_network(b) for b in network.address_blocks]
        block = own[0] if own else ipaddress.ip_network(DEFAULT_BLOCK)
        size = max(block.prefixlen, 24 if block.version == 4 else 64)
        return str(next(block.subnets(new_prefix=size)))
    candidate = max(taken, key=lambda b: (b.version, int(b.network_address)))
    for _ in range(MAX_TRIES):
        start = int(candidate.network_address) + candidate.num_addresses
        try:
            candidate = type(candidate)((start, candidate.prefixlen))
        except ValueError:  # past the end of the address space
            break
        if not any(_overlap(other, candidate) for other in taken):
            return str(candidate)
    raise Conflict(f"ForwardingGroup '{network.id}' has no free address block left")


def _overlap(one: Any, other: Any) -> bool:
    return bool(one.version == other.version and one.overlaps(other))


ENTRY_POINT = {
    "networks": NETWORKS.entry(),
    "networkTemplates": TEMPLATES.entry("subnets"),
    "networkConfigs": CONFIGURATIONS.entry("subnets"),
    "forwardingGroups": GROUPS.entry(),
    "forwardingGroupTemplates": GROUP_TEMPLATES.entry("networks"),
}
