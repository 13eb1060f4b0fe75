"""``/api/networks``: isolated networks (VPCs) and their address blocks."""

from __future__ import annotations

from flask import Blueprint
from werkzeug.wrappers import Response as BaseResponse

from deltaflask.context import current_driver
from deltaflask.models import Network
from deltaflask.plugins.deltacloud.params import request_params
from deltaflask.plugins.deltacloud.render import href
from deltaflask.plugins.deltacloud.views.collection import Collection
from deltaflask.plugins.deltacloud.views.forms import Field
from deltaflask.plugins.deltacloud.views.forms import Form
from deltaflask.plugins.deltacloud.views.forms import new_form


def to_json(network: Network) -> dict[str, object]:
    """A network as the classic JSON shows it."""
    return {
        "id": network.id,
        "name": network.name,
        "href": href("networks", network.id),
        "state": network.state,
        "address_blocks": list(network.address_blocks),
        "subnets": [{"id": s, "href": href("subnets", s)} for s in network.subnet_ids],
    }


NETWORKS = Collection(
    "networks",
    "network",
    "network_id",
    "Network",
    to_json,
    capabilities={"can_destroy": "destroy_network"},
)
FORMATS = NETWORKS.formats


def register(bp: Blueprint) -> None:
    """Add the network routes."""
    NETWORKS.register(bp, create=create, destroy=destroy, form=form)


def form(values: dict[str, str]) -> Form:
    """The form to create a network."""
    fields = [
        Field("name", "Name"),
        Field("address_block", "Address block (CIDR)", placeholder="10.0.0.0/16"),
    ]
    return new_form("networks", "Create new network", fields, "Create network")


def create() -> BaseResponse:
    """Create a network from ``name`` and ``address_block`` (200, as the original)."""
    params = request_params()
    network = current_driver().create_network(
        params.get("name") or None, params.get("address_block") or None
    )
    return NETWORKS.created(network, 200)


def destroy(network_id: str) -> BaseResponse:
    """Delete a network without subnets (204)."""
    current_driver().destroy_network(network_id)
    return NETWORKS.gone(network_id)
