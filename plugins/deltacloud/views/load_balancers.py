"""``/api/load_balancers``: listeners, realms and registered instances."""

from __future__ import annotations

from flask import Blueprint
from werkzeug.wrappers import Response as BaseResponse

from deltaflask.context import current_driver
from deltaflask.drivers import LoadBalancerCreate
from deltaflask.models import LoadBalancer
from deltaflask.plugins.deltacloud.params import request_params
from deltaflask.plugins.deltacloud.params import require
from deltaflask.plugins.deltacloud.render import href
from deltaflask.plugins.deltacloud.views.collection import Collection
from deltaflask.plugins.deltacloud.views.forms import Field
from deltaflask.plugins.deltacloud.views.forms import Form
from deltaflask.plugins.deltacloud.views.forms import instance_options
from deltaflask.plugins.deltacloud.views.forms import member_form
from deltaflask.plugins.deltacloud.views.forms import new_form

LISTENER_PROTOCOLS = [("HTTP", "HTTP"), ("TCP", "TCP")]


def to_json(balancer: LoadBalancer) -> dict[str, object]:
    """A load balancer as the classic JSON shows it."""
    return {
        "id": balancer.id,
        "href": href("load_balancers", balancer.id),
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


def membership_form(values: dict[str, str], balancer_id: str, action: str) -> Form:
    """The form to ``register`` an instance with a balancer or ``unregister`` it."""
    balancer = BALANCERS.found(balancer_id)
    registered = balancer.instance_ids
    if action == "register":
        options = [(i, text) for i, text in instance_options() if i not in registered]
    else:
        options = [(i, i) for i in registered]
    fields = [
        Field("instance_id", "Instance", "select", required=True, options=options)
    ]
    verb = action.capitalize()
    return member_form(
        "load_balancers",
        balancer.id,
        action,
        f"{verb} an instance",
        fields,
        verb,
        key=action,
    )


BALANCERS = Collection(
    "load_balancers",
    "load_balancer",
    "balancer_id",
    "Load balancer",
    to_json,
    capabilities={
        "can_destroy": "destroy_load_balancer",
        "can_register": "lb_register_instance",
        "can_unregister": "lb_unregister_instance",
    },
    helpers={"membership_form": membership_form},
    var="balancer",
    list_var="balancers",
)
FORMATS = BALANCERS.formats


def register(bp: Blueprint) -> None:
    """Add the load balancer routes."""
    BALANCERS.register(bp, create=create, destroy=destroy, form=form)
    BALANCERS.action(
        bp,
        "<any(register,unregister):action>",
        "membership",
        membership,
        membership_form,
    )


def form(values: dict[str, str]) -> Form:
    """The form to create a load balancer with one listener."""
    realms = [(r.id, r.name) for r in current_driver().realms({})]
    port = {"minimum": 1, "maximum": 65535, "whole": True}
    fields = [
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
    ]
    return new_form(
        "load_balancers", "Create new load balancer", fields, "Create load balancer"
    )


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
        LoadBalancerCreate(
            name=params["name"],
            realm_id=params["realm_id"],
            protocol=params["listener_protocol"],
            balancer_port=params["listener_balancer_port"],
            instance_port=params["listener_instance_port"],
        )
    )
    return BALANCERS.created(balancer)


def membership(balancer_id: str, action: str) -> BaseResponse:
    """Register or unregister ``instance_id``: 200 with the load balancer."""
    params = request_params()
    require(params, "instance_id")
    driver = current_driver()
    if action == "register":
        balancer = driver.lb_register_instance(balancer_id, params["instance_id"])
    else:
        balancer = driver.lb_unregister_instance(balancer_id, params["instance_id"])
    return BALANCERS.changed(balancer)


def destroy(balancer_id: str) -> BaseResponse:
    """Delete a load balancer (204)."""
    current_driver().destroy_load_balancer(balancer_id)
    return BALANCERS.gone(balancer_id)
