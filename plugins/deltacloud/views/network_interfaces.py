"""``/api/network_interfaces``: network cards attaching instances to subnets."""

from __future__ import annotations

from flask import Blueprint
from werkzeug.wrappers import Response as BaseResponse

from deltaflask.context import current_driver
from deltaflask.models import NetworkInterface
from deltaflask.plugins.deltacloud.params import request_params
from deltaflask.plugins.deltacloud.params import require
from deltaflask.plugins.deltacloud.render import href
from deltaflask.plugins.deltacloud.views.collection import Collection
from deltaflask.plugins.deltacloud.views.forms import Field
from deltaflask.plugins.deltacloud.views.forms import Form
from deltaflask.plugins.deltacloud.views.forms import instance_options
from deltaflask.plugins.deltacloud.views.forms import new_form


def to_json(nic: NetworkInterface) -> dict[str, object]:
    """An interface as the classic JSON shows it, plus its subnet."""
    data: dict[str, object] = {
        "id": nic.id,
        "name": nic.name,
        "href": href("network_interfaces", nic.id),
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


INTERFACES = Collection(
    "network_interfaces",
    "network_interface",
    "interface_id",
    "Network interface",
    to_json,
    filters=("id", "instance_id"),
    capabilities={"can_destroy": "destroy_network_interface"},
    var="nic",
    list_var="nics",
)
FORMATS = INTERFACES.formats


def register(bp: Blueprint) -> None:
    """Add the network interface routes."""
    INTERFACES.register(bp, create=create, destroy=destroy, form=form)


def form(values: dict[str, str]) -> Form:
    """The form to attach an instance to a subnet (to a network, on a cloud
    without subnets)."""
    driver = current_driver()
    instances = instance_options()
    if driver.supports("subnets"):
        label = "Subnet"
        targets = [(s.id, f"{s.name} ({s.address_block})") for s in driver.subnets({})]
    else:
        label = "Network"
        targets = [(n.id, n.name) for n in driver.networks({})]
    fields = [
        Field("instance", "Instance", "select", required=True, options=instances),
        Field("network", label, "select", required=True, options=targets),
        Field("name", "Name"),
    ]
    return new_form(
        "network_interfaces",
        "Create new network interface",
        fields,
        "Create network interface",
    )


def create() -> BaseResponse:
    """Create an interface on ``instance`` in ``network`` (a subnet id, or a
    network id on a cloud without subnets) (200)."""
    params = request_params()
    require(params, "instance", "network")
    nic = current_driver().create_network_interface(
        params["instance"], params["network"], params.get("name") or None
    )
    return INTERFACES.created(nic, 200)


def destroy(interface_id: str) -> BaseResponse:
    """Delete an interface (204)."""
    current_driver().destroy_network_interface(interface_id)
    return INTERFACES.gone(interface_id)
