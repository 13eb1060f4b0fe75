"""``/api/instances``: list, show, create, actions, run, destroy."""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask import g
from flask import redirect
from werkzeug.wrappers import Response as BaseResponse

from deltaflask.context import current_driver
from deltaflask.drivers import InstanceCreate
from deltaflask.errors import CapabilityMissing
from deltaflask.instance_actions import perform_instance_action
from deltaflask.plugins.deltacloud.params import positive_number
from deltaflask.plugins.deltacloud.params import request_params
from deltaflask.plugins.deltacloud.params import require
from deltaflask.plugins.deltacloud.params import whole_number
from deltaflask.plugins.deltacloud.render import href
from deltaflask.plugins.deltacloud.render import respond
from deltaflask.plugins.deltacloud.views import instance_form
from deltaflask.plugins.deltacloud.views.collection import Collection
from deltaflask.plugins.deltacloud.views.collection import notify
from deltaflask.plugins.deltacloud.views.forms import Field
from deltaflask.plugins.deltacloud.views.forms import Form
from deltaflask.plugins.deltacloud.views.forms import browser_form_post
from deltaflask.plugins.deltacloud.views.forms import member_form
from deltaflask.plugins.deltacloud.views.instance_form import HWP_PROPERTIES
from deltaflask.plugins.deltacloud.views.instance_form import NUMERIC_PROPERTIES
from deltaflask.plugins.deltacloud.views.instance_json import template_context
from deltaflask.plugins.deltacloud.views.instance_json import to_json

INSTANCES = Collection(
    "instances",
    "instance",
    "instance_id",
    "Instance",
    to_json,
    filters=("id", "state", "realm_id"),
    extra=template_context,
    confirm_destroy="Destroy instance",
)
FORMATS = INSTANCES.html_only("run_form")


def register(bp: Blueprint) -> None:
    """Add the instance routes."""
    INSTANCES.register(bp, create=create, destroy=destroy, form=instance_form.build)
    INSTANCES.action(bp, "<any(start,stop,reboot):action>", "action", action)
    INSTANCES.form_page(bp, "run", "run_form", run_form_fields)
    INSTANCES.action(bp, "run", "run", run, run_form_fields)


def parse_create(params: dict[str, str]) -> InstanceCreate:
    """Turn form parameters into an :class:`InstanceCreate` (400 on bad values)."""
    require(params, "image_id")
    count = whole_number(params.get("instance_count") or "1", "instance_count")
    for prop in NUMERIC_PROPERTIES:
        if params.get(f"hwp_{prop}"):
            positive_number(params[f"hwp_{prop}"], f"hwp_{prop}")
    firewalls = [
        value
        for key, value in sorted(params.items())
        if key.startswith("firewalls") and value
    ]
    return InstanceCreate(
        image_id=params["image_id"],
        realm_id=params.get("realm_id") or None,
        hwp_id=params.get("hwp_id") or None,
        hwp_overrides={
            prop: params[f"hwp_{prop}"]
            for prop in HWP_PROPERTIES
            if params.get(f"hwp_{prop}")
        },
        name=params.get("name") or None,
        keyname=params.get("keyname") or None,
        password=params.get("password") or None,
        user_data=params.get("user_data") or None,
        firewalls=firewalls,
        instance_count=count,
        metrics=params.get("metrics") in ("true", "on", "1"),
        load_balancer_id=params.get("load_balancer_id") or None,
        snapshot_id=params.get("snapshot_id") or None,
        device_name=params.get("device_name") or None,
        network_id=params.get("network_id") or None,
        subnet_id=params.get("subnet_id") or None,
    )


def create() -> BaseResponse:
    """Launch instances: 201 with ``Location`` (a list when several)."""
    params = request_params()
    if browser_form_post():
        params = instance_form.picked_profile_values(params)
    created = current_driver().create_instance(parse_create(params))
    if len(created) == 1:
        launched = created[0]
        done = f"Instance {launched.name or launched.id} launched ({launched.state})."
        return INSTANCES.created(launched, done=done)
    if g.format == "html":
        notify(f"{len(created)} instances launched.")
        return redirect(href("instances"), 303)
    return respond(
        "instances/index",
        lambda: {"instances": [to_json(i) for i in created]},
        status=201,
        instances=created,
        **template_context(),
    )


def action(instance_id: str, action: str) -> BaseResponse:
    """Start, stop or reboot: 202 with the instance (bare JSON, as the original)."""
    instance = perform_instance_action(current_driver(), instance_id, action)
    if g.format == "html":
        state = f"; it is now {instance.state}" if instance is not None else ""
        notify(f"Instance {instance_id}: {action} requested{state}.")
    if instance is None or g.format == "html":
        return redirect(href("instances", instance_id), 303)
    return respond(
        "instances/show",
        lambda: to_json(instance),
        status=202,
        instance=instance,
        **template_context(),
    )


def destroy(instance_id: str) -> BaseResponse:
    """Terminate (only where the state allows): 204."""
    perform_instance_action(current_driver(), instance_id, "destroy")
    return INSTANCES.gone(instance_id)


def run_form_fields(values: dict[str, str], instance_id: str) -> Form:
    """The form to run a command on an instance over SSH (412 if the driver can't)."""
    driver = current_driver()
    if not driver.supports("run_on_instance"):
        raise CapabilityMissing("run_on_instance")
    instance = INSTANCES.found(instance_id)
    addresses = [(a.address, a.address) for a in instance.public_addresses]
    fields = [
        Field("cmd", "Command", required=True, placeholder="uptime"),
        Field("ip", "Address", "select", options=addresses, blank="(first)"),
        Field(
            "port", "Port", "number", minimum=1, maximum=65535, value="22", whole=True
        ),
        Field("private_key", "Private key", "textarea"),
    ]
    if driver.has_feature("instances", "authentication_password"):
        fields.append(Field("password", "Password", "password"))
    title = f"Run a command on {instance.name or instance.id}"
    return member_form("instances", instance.id, "run", title, fields, "Run")


def run(instance_id: str) -> Response:
    """Run ``cmd`` on the instance and show its output."""
    params = request_params()
    require(params, "cmd")
    port = whole_number(params.get("port") or "22", "port", 1, 65535)
    result = current_driver().run_on_instance(
        instance_id,
        params["cmd"],
        private_key=params.get("private_key") or None,
        password=params.get("password") or None,
        ip=params.get("ip") or None,
        port=port,
    )
    return respond(
        "instances/run_result",
        lambda: {
            "instance": {
                "id": result.instance_id,
                "href": href("instances", result.instance_id),
                "public_address": result.public_address,
                "command": result.command,
                "output": result.output,
            }
        },
        result=result,
    )
