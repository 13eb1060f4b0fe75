"""``/api/load_balancers``: listeners, realms and registered instances."""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask import g
from flask import redirect
from werkzeug.wrappers import Response as BaseResponse

from deltaflask.context import current_driver
from deltaflask.context import current_driver_class
from deltaflask.errors import ObjectNotFound
from deltaflask.models import LoadBalancer
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

FORMATS = {"api.load_balancers_new": ("html",)}
COLLECTION = "load_balancers"


def register(bp: Blueprint) -> None:
    """Add the load balancer routes."""
    bp.add_url_rule(f"/{COLLECTION}", f"{COLLECTION}_index", index, methods=["GET"])
    bp.add_url_rule(f"/{COLLECTION}/new", f"{COLLECTION}_new", new, methods=["GET"])
    bp.add_url_rule(
        f"/{COLLECTION}/<balancer_id>", f"{COLLECTION}_show", show, methods=["GET"]
    )
    bp.add_url_rule(f"/{COLLECTION}", f"{COLLECTION}_create", create, methods=["POST"])
    bp.add_url_rule(
        f"/{COLLECTION}/<balancer_id>/<any(register,unregister):action>",
        f"{COLLECTION}_membership",
        membership,
        methods=["POST"],
    )
    bp.add_url_rule(
        f"/{COLLECTION}/<balancer_id>",
        f"{COLLECTION}_destroy",
        destroy,
        methods=["DELETE"],
    )
    register_form(f"{COLLECTION}_create", form)


def to_json(balancer: LoadBalancer) -> dict[str, object]:
    """A load balancer as the classic JSON shows it."""
    return {
        "id": balancer.id,
        "href": href(COLLECTION, balancer.id),
        "realms": [{"id": r, "href": href("realms", r)} for r in balancer.realm_ids],
        "listeners": [
            {
                "id": item.id,
                "protocol": item.protocol,
                "load_balancer_port": item.load_balancer_port,
                "instance_port": item.instance_port,
            }
            for item in balancer.listeners
        ],
        "instances": [
            {"id": i, "href": href("instances", i)} for i in balancer.instance_ids
        ],
        "public_addresses": list(balancer.public_addresses),
        "created_at": balancer.created_at,
    }


def _context() -> dict[str, object]:
    driver = current_driver_class()
    return {
        "can_destroy": driver.supports("destroy_load_balancer"),
        "can_register": driver.supports("lb_register_instance"),
        "can_unregister": driver.supports("lb_unregister_instance"),
    }


def _show(balancer: LoadBalancer, status: int = 200, **headers: str) -> Response:
    return respond(
        f"{COLLECTION}/show",
        lambda: {"load_balancer": to_json(balancer)},
        status=status,
        headers=headers or None,
        balancer=balancer,
        **_context(),
    )


def index() -> Response:
    """List load balancers."""
    balancers = current_driver().load_balancers(filters(("id",)))
    return respond(
        f"{COLLECTION}/index",
        lambda: {COLLECTION: [to_json(b) for b in balancers]},
        balancers=balancers,
        **_context(),
    )


def show(balancer_id: str) -> Response:
    """One load balancer."""
    balancer = current_driver().load_balancer(balancer_id)
    if balancer is None:
        raise ObjectNotFound(f"Load balancer '{balancer_id}' not found")
    return _show(balancer)


LISTENER_PROTOCOLS = [("HTTP", "HTTP"), ("TCP", "TCP")]


def form(values: dict[str, str]) -> Form:
    """The form to create a load balancer with one listener."""
    realms = [(r.id, r.name) for r in current_driver().realms({})]
    port = {"minimum": 1, "maximum": 65535}
    return Form(
        title="Create new load balancer",
        action=href(COLLECTION),
        fields=[
            Field("name", "Name", required=True),
            Field("realm_id", "Realm", "select", required=True, options=realms),
            Field(
                "listener_protocol",
                "Listener protocol",
                "select",
                required=True,
                options=LISTENER_PROTOCOLS,
            ),
            Field("listener_balancer_port", "Balancer port", "number", True, **port),
            Field("listener_instance_port", "Instance port", "number", True, **port),
        ],
        submit="Create load balancer",
        crumbs=[("load balancers", href(COLLECTION)), ("new", None)],
    )


def new() -> Response:
    """The HTML form to create a load balancer."""
    return page(form)


def create() -> BaseResponse:
    """Create a load balancer with one listener: 201 with ``Location``."""
    params = request_params()
    require(
        params,
        "name",
        "realm_id",
        "listener_protocol",
        "listener_balancer_port",
        "listener_instance_port",
    )
    balancer = current_driver().create_load_balancer(
        params["name"],
        params["realm_id"],
        params["listener_protocol"],
        params["listener_balancer_port"],
        params["listener_instance_port"],
    )
    location = href(COLLECTION, balancer.id)
    if g.format == "html":
        return redirect(location, 303)
    return _show(balancer, 201, Location=location)


def membership(balancer_id: str, action: str) -> BaseResponse:
    """Register or unregister ``instance_id``: 200 with the load balancer."""
    params = request_params()
    require(params, "instance_id")
    driver = current_driver()
    if action == "register":
        balancer = driver.lb_register_instance(balancer_id, params["instance_id"])
    else:
        balancer = driver.lb_unregister_instance(balancer_id, params["instance_id"])
    if g.format == "html":
        return redirect(href(COLLECTION, balancer_id), 303)
    return _show(balancer)


def destroy(balancer_id: str) -> BaseResponse:
    """Delete a load balancer (204)."""
    current_driver().destroy_load_balancer(balancer_id)
    if g.format == "html":
        return redirect(href(COLLECTION), 303)
    return empty()
