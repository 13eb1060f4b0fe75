"""Addresses (the driver's addresses) and AddressTemplates (stored by CIMI).

The driver allocates the address itself, so a template's ``ip`` and
``network`` are not used to place it; they are kept on the template.
"""

from __future__ import annotations

import ipaddress

from flask import Blueprint
from flask import Response

from deltaflask.context import current_driver
from deltaflask.drivers import BaseDriver
from deltaflask.models import Address
from deltaflask.plugins.cimi import parsing
from deltaflask.plugins.cimi.families import Data
from deltaflask.plugins.cimi.families import Family
from deltaflask.plugins.cimi.families import created
from deltaflask.plugins.cimi.families import described
from deltaflask.plugins.cimi.families import edit_ops
from deltaflask.plugins.cimi.links import last_segment
from deltaflask.plugins.cimi.render import compact
from deltaflask.plugins.cimi.render import ref
from deltaflask.plugins.cimi.render import url
from deltaflask.plugins.cimi.store import remember
from deltaflask.plugins.cimi.stored import StoredFamily
from deltaflask.plugins.cimi.stored import local_ref
from deltaflask.plugins.cimi.stored import resolve

TEMPLATE_FIELDS = (
    "ip",
    "hostname",
    "allocation",
    "defaultGateway",
    "dns",
    "macAddress",
    "protocol",
    "mask",
)


def address_data(driver: BaseDriver, address: Address) -> Data:
    """An address as a CIMI Address (``resource``: the machine it is bound to)."""
    own = url("addresses", address.id)
    return compact(
        {
            **described(
                "addresses", address.id, address.id, description=f"Address {address.id}"
            ),
            "ip": address.id,
            "allocation": "dynamic",
            "defaultGateway": "unknown",
            "dns": "unknown",
            "protocol": _protocol(address.id),
            "mask": "unknown",
            "resource": ref("machines", address.instance_id)
            if address.instance_id
            else None,
            "operations": edit_ops(own, driver.supports("destroy_address")),
        }
    )


def _protocol(ip: str) -> str:
    try:
        return f"ipv{ipaddress.ip_address(ip).version}"
    except ValueError:
        return "ipv4"


def _build_template(body: Data) -> Data:
    built: Data = {k: body[k] for k in TEMPLATE_FIELDS if body.get(k)}
    if body.get("network"):
        built["network"] = local_ref(
            "networks", last_segment(body["network"]["href"], "network")
        )
    return built


ADDRESSES = Family(
    "addresses",
    "Address",
    "addresses",
    "addresses",
    "address",
    address_data,
    creator="create_address",
    destroyer="destroy_address",
)
TEMPLATES = StoredFamily(
    "address_templates",
    "AddressTemplate",
    "addressTemplates",
    parsing.AddressTemplateCreate,
    _build_template,
)


def create_address() -> Response:
    """POST /addresses: an AddressTemplate by reference or by value."""
    driver = current_driver()
    body = parsing.load(parsing.AddressCreate)
    resolve("address_templates", body["addressTemplate"], "addressTemplate")
    address = driver.create_address()
    remember("addresses", address.id, body)
    return created("Address", address_data(driver, address))


def register(bp: Blueprint) -> None:
    """Add the routes of addresses and their templates."""
    ADDRESSES.register(bp, create_address)
    TEMPLATES.register(bp)


ENTRY_POINT = {
    "addresses": ADDRESSES.entry(),
    "addressTemplates": TEMPLATES.entry(lambda cls: cls.supports("addresses")),
}
