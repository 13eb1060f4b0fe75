"""The draft names of NetworkPorts: VSPs (Virtual Switch Ports).

Before CIMI 1.0 a NetworkPort was a VSP, created from a VSPTemplate holding a
VSPConfiguration; the seed post "CIMI Networking in Deltacloud" uses those
names with curl. ``/vsps``, ``/vsp_templates`` and ``/vsp_configurations``
serve the same entities as the NetworkPort collections (documents keep their
1.0 names and URLs), and a ``VSPCreate`` body is read as a
``NetworkPortCreate``. The CloudEntryPoint links only the 1.0 names.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import Response

from deltaflask.plugins.cimi import parsing
from deltaflask.plugins.cimi.families import created
from deltaflask.plugins.cimi.network_ports import CONFIGURATIONS
from deltaflask.plugins.cimi.network_ports import PORTS
from deltaflask.plugins.cimi.network_ports import TEMPLATES
from deltaflask.plugins.cimi.network_ports import port_action
from deltaflask.plugins.cimi.parsing import NAMESPACE
from deltaflask.plugins.cimi.store import cimi_store
from deltaflask.plugins.cimi.stored import common
from deltaflask.plugins.cimi.times import iso

#: draft collection -> the NetworkPort collection it names
ALIASES = {
    "vsps": "network_ports",
    "vsp_templates": "network_port_templates",
    "vsp_configurations": "network_port_configurations",
}
#: draft attribute -> its 1.0 name
RENAMED = {"vspTemplate": "networkPortTemplate", "vspConfig": "networkPortConfig"}


def register(bp: Blueprint) -> None:
    """Add the draft routes."""
    bp.add_url_rule("/vsps", "vsps", PORTS.listing)
    bp.add_url_rule("/vsps", "create_vsp", create_vsp, methods=["POST"])
    bp.add_url_rule("/vsps/<entity_id>", "vsp", PORTS.show)
    bp.add_url_rule("/vsps/<entity_id>", "delete_vsp", PORTS.delete, methods=["DELETE"])
    bp.add_url_rule(
        "/vsps/<entity_id>/<any(start,stop):action>",
        "vsp_action",
        port_action,
        methods=["POST"],
    )
    for path, family in (
        ("vsp_templates", TEMPLATES),
        ("vsp_configurations", CONFIGURATIONS),
    ):
        bp.add_url_rule(f"/{path}", path, family.listing)
        bp.add_url_rule(f"/{path}/<entity_id>", f"{path}_member", family.show)


def renamed(value: Any) -> Any:
    """A VSPCreate body with the 1.0 attribute names."""
    if isinstance(value, dict):
        return {RENAMED.get(key, key): renamed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [renamed(item) for item in value]
    return value


def create_vsp() -> Response:
    """POST /vsps: a VSPCreate, made as a NetworkPortCreate."""
    cimi_store()  # the credentials are checked before the body
    body = renamed(parsing.read_body())
    if body.get("resourceURI") == f"{NAMESPACE}/VSPCreate":
        body["resourceURI"] = f"{NAMESPACE}/NetworkPortCreate"
    loaded = parsing.load(parsing.NetworkPortCreate, body)
    assert PORTS.build is not None
    stored = {**common(loaded), "created": iso(), **PORTS.build(loaded)}
    return created(PORTS.type_name, PORTS.data(PORTS.save_new(stored)))
