"""NetworkPorts with their NetworkPortTemplates and NetworkPortConfigurations.

Clouds behind the driver contract have no switch ports, so CIMI keeps them
(seeded, for the mock, with the original mock's ports). A port is created from
a template by reference or by value, on an existing Network, and is started and
stopped with Action entities.
"""

from __future__ import annotations

from flask import Blueprint
from flask import Response

from deltaflask.context import current_driver
from deltaflask.drivers import BaseDriver
from deltaflask.errors import Conflict
from deltaflask.plugins.cimi import parsing
from deltaflask.plugins.cimi.families import Data
from deltaflask.plugins.cimi.families import edit_ops
from deltaflask.plugins.cimi.families import found
from deltaflask.plugins.cimi.families import referenced
from deltaflask.plugins.cimi.links import last_segment
from deltaflask.plugins.cimi.query import apply
from deltaflask.plugins.cimi.render import Collection
from deltaflask.plugins.cimi.render import empty
from deltaflask.plugins.cimi.render import operation
from deltaflask.plugins.cimi.render import respond
from deltaflask.plugins.cimi.render import url
from deltaflask.plugins.cimi.store import cimi_store
from deltaflask.plugins.cimi.stored import StoredFamily
from deltaflask.plugins.cimi.stored import local_ref
from deltaflask.plugins.cimi.stored import lookup
from deltaflask.plugins.cimi.stored import resolve

CONFIG_FIELDS = ("portType", "classOfService")
#: action -> (state it needs, state it leaves)
ACTIONS = {"start": ("STOPPED", "STARTED"), "stop": ("STARTED", "STOPPED")}


def _port_ops(stored: Data, own: str) -> list[dict[str, str]]:
    ops = edit_ops(own)
    for action, (needs, _) in ACTIONS.items():
        if stored.get("state") == needs:
            ops.append(operation(action, f"{own}/{action}"))
    return ops


def network_id(driver: BaseDriver, reference: dict[str, str]) -> str:
    """The id of the existing Network (subnet) ``reference`` names; else 404."""
    return referenced(reference, "network", driver.subnet)


def _build_port(body: Data) -> Data:
    template = resolve(
        "network_port_templates", body["networkPortTemplate"], "networkPortTemplate"
    )
    config = resolve(
        "network_port_configurations",
        template["networkPortConfig"],
        "networkPortConfig",
    )
    subnet_id = network_id(current_driver(), template["network"])
    return {
        "state": "STARTED",
        "network": local_ref("networks", subnet_id),
        **{k: config[k] for k in CONFIG_FIELDS if config.get(k)},
    }


def _build_template(body: Data) -> Data:
    config = lookup(
        "network_port_configurations", body["networkPortConfig"], "networkPortConfig"
    )
    return {
        "network": local_ref("networks", network_id(current_driver(), body["network"])),
        "networkPortConfig": local_ref("network_port_configurations", config["id"]),
    }


PORTS = StoredFamily(
    "network_ports",
    "NetworkPort",
    "networkPorts",
    parsing.NetworkPortCreate,
    _build_port,
    _port_ops,
)
CONFIGURATIONS = StoredFamily(
    "network_port_configurations",
    "NetworkPortConfiguration",
    "networkPortConfigurations",
    parsing.NetworkPortConfigurationCreate,
    lambda body: {k: body[k] for k in CONFIG_FIELDS if body.get(k)},
)
TEMPLATES = StoredFamily(
    "network_port_templates",
    "NetworkPortTemplate",
    "networkPortTemplates",
    parsing.NetworkPortTemplateCreate,
    _build_template,
)


def register(bp: Blueprint) -> None:
    """Add the routes of ports, their templates and configurations."""
    for family in (PORTS, CONFIGURATIONS, TEMPLATES):
        family.register(bp)
    bp.add_url_rule(
        "/network_ports/<entity_id>/<any(start,stop):action>",
        "network_port_action",
        port_action,
        methods=["POST"],
    )
    bp.add_url_rule(
        "/networks/<entity_id>/network_ports", "network_network_ports", network_ports
    )


def port_action(entity_id: str, action: str) -> Response:
    """POST /network_ports/<id>/<action> with an Action naming the same action."""
    PORTS.get(entity_id)
    parsing.load_action(action)
    needs, leaves = ACTIONS[action]

    def act(port: Data) -> None:
        if port.get("state") != needs:
            raise Conflict(f"NetworkPort '{entity_id}' is {port.get('state')}")
        port["state"] = leaves

    cimi_store().update("network_ports", entity_id, act)
    return empty(202)


def network_ports(entity_id: str) -> Response:
    """GET /networks/<id>/network_ports: the ports on one Network."""
    found(current_driver().subnet(entity_id))
    entries = [
        PORTS.data(port)
        for port in cimi_store().all("network_ports")
        if last_segment((port.get("network") or {}).get("href") or "-", "network")
        == entity_id
    ]
    own = url("networks", entity_id, "network_ports")
    return respond(apply(Collection("NetworkPort", own, "networkPorts", entries)))


ENTRY_POINT = {
    "networkPorts": PORTS.entry("subnets"),
    "networkPortTemplates": TEMPLATES.entry("subnets"),
    "networkPortConfigs": CONFIGURATIONS.entry("subnets"),
}
