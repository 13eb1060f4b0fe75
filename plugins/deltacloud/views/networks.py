"""``/api/networks``: isolated networks (VPCs) and their address blocks."""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask import g
from flask import redirect
from werkzeug.wrappers import Response as BaseResponse

from deltaflask.context import current_driver
from deltaflask.context import current_driver_class
from deltaflask.errors import ObjectNotFound
from deltaflask.models import Network
from deltaflask.plugins.deltacloud.params import filters
from deltaflask.plugins.deltacloud.params import request_params
from deltaflask.plugins.deltacloud.render import empty
from deltaflask.plugins.deltacloud.render import href
from deltaflask.plugins.deltacloud.render import respond
from deltaflask.plugins.deltacloud.views.forms import Field
from deltaflask.plugins.deltacloud.views.forms import Form
from deltaflask.plugins.deltacloud.views.forms import page
from deltaflask.plugins.deltacloud.views.forms import register_form

FORMATS = {"api.networks_new": ("html",)}


def register(bp: Blueprint) -> None:
    """Add the network routes."""
    bp.add_url_rule("/networks", "networks_index", index, methods=["GET"])
    bp.add_url_rule("/networks/new", "networks_new", new, methods=["GET"])
    bp.add_url_rule("/networks/<network_id>", "networks_show", show, methods=["GET"])
    bp.add_url_rule("/networks", "networks_create", create, methods=["POST"])
    bp.add_url_rule(
        "/networks/<network_id>", "networks_destroy", destroy, methods=["DELETE"]
    )
    register_form("networks_create", form)


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


def _context() -> dict[str, object]:
    return {"can_destroy": current_driver_class().supports("destroy_network")}


def index() -> Response:
    """List networks."""
    networks = current_driver().networks(filters(("id",)))
    return respond(
        "networks/index",
        lambda: {"networks": [to_json(n) for n in networks]},
        networks=networks,
        **_context(),
    )


def show(network_id: str) -> Response:
    """One network."""
    network = current_driver().network(network_id)
    if network is None:
        raise ObjectNotFound(f"Network '{network_id}' not found")
    return respond(
        "networks/show",
        lambda: {"network": to_json(network)},
        network=network,
        **_context(),
    )


def form(values: dict[str, str]) -> Form:
    """The form to create a network."""
    return Form(
        title="Create new network",
        action=href("networks"),
        fields=[
            Field("name", "Name"),
            Field("address_block", "Address block (CIDR)", placeholder="10.0.0.0/16"),
        ],
        submit="Create network",
        crumbs=[("networks", href("networks")), ("new", None)],
    )


def new() -> Response:
    """The HTML form to create a network."""
    return page(form)


def create() -> BaseResponse:
    """Create a network from ``name`` and ``address_block`` (200, as the original)."""
    params = request_params()
    network = current_driver().create_network(
        params.get("name") or None, params.get("address_block") or None
    )
    if g.format == "html":
        return redirect(href("networks", network.id), 303)
    return respond(
        "networks/show",
        lambda: {"network": to_json(network)},
        network=network,
        **_context(),
    )


def destroy(network_id: str) -> BaseResponse:
    """Delete a network without subnets (204)."""
    current_driver().destroy_network(network_id)
    if g.format == "html":
        return redirect(href("networks"), 303)
    return empty()
