"""``/api/subnets``: address blocks inside networks."""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask import g
from flask import redirect
from werkzeug.wrappers import Response as BaseResponse

from deltaflask.context import current_driver
from deltaflask.context import current_driver_class
from deltaflask.errors import ObjectNotFound
from deltaflask.models import Subnet
from deltaflask.plugins.deltacloud.params import filters
from deltaflask.plugins.deltacloud.params import request_params
from deltaflask.plugins.deltacloud.params import require
from deltaflask.plugins.deltacloud.render import empty
from deltaflask.plugins.deltacloud.render import href
from deltaflask.plugins.deltacloud.render import respond
from deltaflask.plugins.deltacloud.views.forms import Field
from deltaflask.plugins.deltacloud.views.forms import Form
from deltaflask.plugins.deltacloud.views.forms import page
from deltaflask.plugins.deltacloud.views.forms import register_form

FORMATS = {"api.subnets_new": ("html",)}


def register(bp: Blueprint) -> None:
    """Add the subnet routes."""
    bp.add_url_rule("/subnets", "subnets_index", index, methods=["GET"])
    bp.add_url_rule("/subnets/new", "subnets_new", new, methods=["GET"])
    bp.add_url_rule("/subnets/<subnet_id>", "subnets_show", show, methods=["GET"])
    bp.add_url_rule("/subnets", "subnets_create", create, methods=["POST"])
    bp.add_url_rule(
        "/subnets/<subnet_id>", "subnets_destroy", destroy, methods=["DELETE"]
    )
    register_form("subnets_create", form)


def to_json(subnet: Subnet) -> dict[str, object]:
    """A subnet as the classic JSON shows it (the XML has no type)."""
    return {
        "id": subnet.id,
        "name": subnet.name,
        "href": href("subnets", subnet.id),
        "type": subnet.type,
        "state": subnet.state,
        "address_block": subnet.address_block,
        "network": {
            "id": subnet.network_id,
            "href": href("networks", subnet.network_id),
        },
    }


def _context() -> dict[str, object]:
    return {"can_destroy": current_driver_class().supports("destroy_subnet")}


def index() -> Response:
    """List subnets, filtered by ``id`` and ``network_id``."""
    subnets = current_driver().subnets(filters(("id", "network_id")))
    return respond(
        "subnets/index",
        lambda: {"subnets": [to_json(s) for s in subnets]},
        subnets=subnets,
        **_context(),
    )


def show(subnet_id: str) -> Response:
    """One subnet."""
    subnet = current_driver().subnet(subnet_id)
    if subnet is None:
        raise ObjectNotFound(f"Subnet '{subnet_id}' not found")
    return respond(
        "subnets/show", lambda: {"subnet": to_json(subnet)}, subnet=subnet, **_context()
    )


def form(values: dict[str, str]) -> Form:
    """The form to add a subnet to a network."""
    networks = [
        (n.id, f"{n.name} ({', '.join(n.address_blocks)})")
        for n in current_driver().networks({})
    ]
    return Form(
        title="Create new subnet",
        action=href("subnets"),
        fields=[
            Field("network_id", "Network", "select", required=True, options=networks),
            Field(
                "address_block",
                "Address block (CIDR)",
                required=True,
                placeholder="10.0.1.0/24",
            ),
            Field("name", "Name"),
        ],
        submit="Create subnet",
        crumbs=[("subnets", href("subnets")), ("new", None)],
    )


def new() -> Response:
    """The HTML form to create a subnet."""
    return page(form)


def create() -> BaseResponse:
    """Create a subnet from ``network_id`` and ``address_block`` (200)."""
    params = request_params()
    require(params, "network_id", "address_block")
    subnet = current_driver().create_subnet(
        params["network_id"], params["address_block"], params.get("name") or None
    )
    if g.format == "html":
        return redirect(href("subnets", subnet.id), 303)
    return respond(
        "subnets/show", lambda: {"subnet": to_json(subnet)}, subnet=subnet, **_context()
    )


def destroy(subnet_id: str) -> BaseResponse:
    """Delete a subnet nothing is bound to (204)."""
    current_driver().destroy_subnet(subnet_id)
    if g.format == "html":
        return redirect(href("subnets"), 303)
    return empty()
