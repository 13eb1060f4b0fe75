"""``/api/network_interfaces``: network cards attaching instances to subnets."""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask import g
from flask import redirect
from werkzeug.wrappers import Response as BaseResponse

from deltaflask.context import current_driver
from deltaflask.context import current_driver_class
from deltaflask.errors import ObjectNotFound
from deltaflask.models import NetworkInterface
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

FORMATS = {"api.network_interfaces_new": ("html",)}
COLLECTION = "network_interfaces"


def register(bp: Blueprint) -> None:
    """Add the network interface routes."""
    bp.add_url_rule(f"/{COLLECTION}", f"{COLLECTION}_index", index, methods=["GET"])
    bp.add_url_rule(f"/{COLLECTION}/new", f"{COLLECTION}_new", new, methods=["GET"])
    bp.add_url_rule(
        f"/{COLLECTION}/<interface_id>", f"{COLLECTION}_show", show, methods=["GET"]
    )
    bp.add_url_rule(f"/{COLLECTION}", f"{COLLECTION}_create", create, methods=["POST"])
    bp.add_url_rule(
        f"/{COLLECTION}/<interface_id>",
        f"{COLLECTION}_destroy",
        destroy,
        methods=["DELETE"],
    )
    register_form(f"{COLLECTION}_create", form)


def to_json(nic: NetworkInterface) -> dict[str, object]:
    """An interface as the classic JSON shows it, plus its subnet."""
    data: dict[str, object] = {
        "id": nic.id,
        "name": nic.name,
        "href": href(COLLECTION, nic.id),
        "network": {
            "id": nic.network_id,
            "href": href("networks", nic.network_id or ""),
        },
        "instance": {
            "id": nic.instance_id,
            "href": href("instances", nic.instance_id or ""),
        },
        "ip_address": nic.ip_address,
    }
    if nic.subnet_id:
        data["subnet"] = {"id": nic.subnet_id, "href": href("subnets", nic.subnet_id)}
    return data


def _context() -> dict[str, object]:
    return {"can_destroy": current_driver_class().supports("destroy_network_interface")}


def index() -> Response:
    """List interfaces, filtered by ``id`` and ``instance_id``."""
    nics = current_driver().network_interfaces(filters(("id", "instance_id")))
    return respond(
        f"{COLLECTION}/index",
        lambda: {COLLECTION: [to_json(n) for n in nics]},
        nics=nics,
        **_context(),
    )


def show(interface_id: str) -> Response:
    """One interface."""
    nic = current_driver().network_interface(interface_id)
    if nic is None:
        raise ObjectNotFound(f"Network interface '{interface_id}' not found")
    return respond(
        f"{COLLECTION}/show",
        lambda: {"network_interface": to_json(nic)},
        nic=nic,
        **_context(),
    )


def form(values: dict[str, str]) -> Form:
    """The form to attach an instance to a subnet."""
    driver = current_driver()
    instances = [(i.id, f"{i.name or i.id} ({i.id})") for i in driver.instances({})]
    subnets = [(s.id, f"{s.name} ({s.address_block})") for s in driver.subnets({})]
    return Form(
        title="Create new network interface",
        action=href(COLLECTION),
        fields=[
            Field("instance", "Instance", "select", required=True, options=instances),
            Field("network", "Subnet", "select", required=True, options=subnets),
            Field("name", "Name"),
        ],
        submit="Create network interface",
        crumbs=[("network interfaces", href(COLLECTION)), ("new", None)],
    )


def new() -> Response:
    """The HTML form to attach an instance to a subnet."""
    return page(form)


def create() -> BaseResponse:
    """Create an interface on ``instance`` in ``network`` (a subnet id) (200)."""
    params = request_params()
    require(params, "instance", "network")
    nic = current_driver().create_network_interface(
        params["instance"], params["network"], params.get("name") or None
    )
    if g.format == "html":
        return redirect(href(COLLECTION, nic.id), 303)
    return respond(
        f"{COLLECTION}/show",
        lambda: {"network_interface": to_json(nic)},
        nic=nic,
        **_context(),
    )


def destroy(interface_id: str) -> BaseResponse:
    """Delete an interface (204)."""
    current_driver().destroy_network_interface(interface_id)
    if g.format == "html":
        return redirect(href(COLLECTION), 303)
    return empty()
