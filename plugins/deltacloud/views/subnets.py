"""``/api/subnets``: address blocks inside networks."""

from __future__ import annotations

from flask import Blueprint
from werkzeug.wrappers import Response as BaseResponse

from deltaflask.context import current_driver
from deltaflask.drivers import SubnetCreate
from deltaflask.models import Subnet
from deltaflask.plugins.deltacloud.params import request_params
from deltaflask.plugins.deltacloud.params import require
from deltaflask.plugins.deltacloud.render import href
from deltaflask.plugins.deltacloud.views.collection import Collection
from deltaflask.plugins.deltacloud.views.forms import Field
from deltaflask.plugins.deltacloud.views.forms import Form


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
        **(
            {"realm": {"id": subnet.realm_id, "href": href("realms", subnet.realm_id)}}
            if subnet.realm_id
            else {}
        ),
    }


SUBNETS = Collection(
    "subnets",
    "subnet",
    "subnet_id",
    "Subnet",
    to_json,
    filters=("id", "network_id"),
    capabilities={"can_destroy": "destroy_subnet"},
)
FORMATS = SUBNETS.formats


def register(bp: Blueprint) -> None:
    """Add the subnet routes."""
    SUBNETS.register(bp, create=create, destroy=destroy, form=form)


def form(values: dict[str, str]) -> Form:
    """The form to add a subnet to a network."""
    driver = current_driver()
    networks = [
        (n.id, f"{n.name} ({', '.join(n.address_blocks)})") for n in driver.networks({})
    ]
    realms = [(r.id, r.name or r.id) for r in driver.realms({})]
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
            Field("realm_id", "Realm", "select", options=realms, blank="(any)"),
        ],
        submit="Create subnet",
        crumbs=[("subnets", href("subnets")), ("new", None)],
    )


def create() -> BaseResponse:
    """Create a subnet from ``network_id``, ``address_block`` and an optional
    ``realm_id`` (200)."""
    params = request_params()
    require(params, "network_id", "address_block")
    subnet = current_driver().create_subnet(
        SubnetCreate(
            network_id=params["network_id"],
            address_block=params["address_block"],
            name=params.get("name") or None,
            realm_id=params.get("realm_id") or None,
        )
    )
    return SUBNETS.created(subnet, 200)


def destroy(subnet_id: str) -> BaseResponse:
    """Delete a subnet nothing is bound to (204)."""
    current_driver().destroy_subnet(subnet_id)
    return SUBNETS.gone(subnet_id)
