"""``/api/addresses``: elastic (floating) addresses."""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask import g
from flask import redirect
from werkzeug.wrappers import Response as BaseResponse

from deltaflask.context import current_driver
from deltaflask.context import current_driver_class
from deltaflask.models import Address
from deltaflask.negotiation import CONTENT_TYPES
from deltaflask.plugins.deltacloud.params import request_params
from deltaflask.plugins.deltacloud.params import require
from deltaflask.plugins.deltacloud.render import href
from deltaflask.plugins.deltacloud.render import link
from deltaflask.plugins.deltacloud.views.collection import Collection
from deltaflask.plugins.deltacloud.views.forms import Field
from deltaflask.plugins.deltacloud.views.forms import Form
from deltaflask.plugins.deltacloud.views.forms import instance_options
from deltaflask.plugins.deltacloud.views.forms import member_form


def actions(address: Address) -> list[dict[str, str]]:
    """Destroy, then associate or disassociate, as the driver allows."""
    driver = current_driver_class()
    found = []
    if driver.supports("destroy_address"):
        found.append(link("destroy", href("addresses", address.id), "delete"))
    if address.associated and driver.supports("disassociate_address"):
        found.append(
            link("disassociate", href("addresses", address.id, "disassociate"))
        )
    elif not address.associated and driver.supports("associate_address"):
        found.append(link("associate", href("addresses", address.id, "associate")))
    return found


def to_json(address: Address) -> dict[str, object]:
    """An address as the classic JSON shows it."""
    data: dict[str, object] = {
        "id": address.id,
        "href": href("addresses", address.id),
        "associated": address.associated,
    }
    if address.instance_id:
        data["instance_id"] = address.instance_id
    return data


ADDRESSES = Collection(
    "addresses",
    "address",
    "address_id",
    "Address",
    to_json,
    helpers={"actions": actions},
)
FORMATS = {"api.addresses_associate_form": ("html",)}


def register(bp: Blueprint) -> None:
    """Add the address routes."""
    ADDRESSES.register(bp, create=create, destroy=destroy)
    ADDRESSES.form_page(bp, "associate", "associate_form", associate_fields)
    ADDRESSES.action(bp, "associate", "associate", associate, associate_fields)
    ADDRESSES.action(bp, "disassociate", "disassociate", disassociate)


def _accepted_or_back(address_id: str) -> BaseResponse:
    """A browser goes back to the address; clients get 202 with an empty body
    in the negotiated media type, as the original."""
    if g.format == "html":
        return redirect(href("addresses", address_id), 303)
    return Response(b"", status=202, content_type=CONTENT_TYPES[g.format])


def create() -> BaseResponse:
    """Allocate an address: 201 with ``Location``."""
    return ADDRESSES.created(current_driver().create_address())


def destroy(address_id: str) -> BaseResponse:
    """Release an address (204)."""
    current_driver().destroy_address(address_id)
    return ADDRESSES.gone(address_id)


def associate_fields(values: dict[str, str], address_id: str) -> Form:
    """The form to pick the instance an address goes to."""
    address = ADDRESSES.found(address_id)
    instances = instance_options()
    fields = [
        Field("instance_id", "Instance", "select", required=True, options=instances)
    ]
    return member_form(
        "addresses",
        address.id,
        "associate",
        f"Associate {address.id}",
        fields,
        "Associate",
    )


def associate(address_id: str) -> BaseResponse:
    """Bind the address to ``instance_id``: 202 with an empty body."""
    params = request_params()
    require(params, "instance_id")
    current_driver().associate_address(address_id, params["instance_id"])
    return _accepted_or_back(address_id)


def disassociate(address_id: str) -> BaseResponse:
    """Unbind the address: 202 with an empty body."""
    current_driver().disassociate_address(address_id)
    return _accepted_or_back(address_id)
