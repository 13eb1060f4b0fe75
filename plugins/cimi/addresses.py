"""Addresses (the driver's addresses) and AddressTemplates (stored by CIMI).

A template asking for a ``static`` address at a given ``ip`` gets exactly
that address from a driver that can choose addresses (the mock); a driver
that allocates addresses itself (ec2) refuses it with a 400 rather than
answering with another address. A dynamic template's ``ip`` and ``network``
are kept on the template but do not place the address. The ``Address``
ResourceMetadata says which (:func:`chosen_ip_capability`).
"""

from __future__ import annotations

import ipaddress

from flask import Blueprint
from flask import Response

from deltaflask.context import current_driver
from deltaflask.drivers import BaseDriver
from deltaflask.errors import ValidationFailure
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


def chosen_ip_capability(driver: BaseDriver) -> dict[str, str]:
    """The ResourceMetadata capability: can a static template's ip be honoured?"""
    return {
        "name": "ChosenIp",
        "uri": "http://deltacloud.org/cimi/capability/Address/ChosenIp",
        "description": "Whether a static AddressTemplate's ip places the new "
        "Address (true), or the driver allocates addresses itself and a static ip "
        "is refused (false)",
        "value": "true" if driver.chooses_addresses else "false",
    }


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
    template = resolve("address_templates", body["addressTemplate"], "addressTemplate")
    address = driver.create_address(static_ip(driver, template))
    remember("addresses", address.id, body)
    return created("Address", address_data(driver, address))


def static_ip(driver: BaseDriver, template: Data) -> str | None:
    """The ip a static template asks for (``None`` for any other template);
    400 when the driver allocates addresses itself and cannot honour it."""
    allocation = str(template.get("allocation") or "").strip().lower()
    ip = str(template.get("ip") or "").strip()
    if allocation != "static" or not ip:
        return None
    if not driver.chooses_addresses:
        raise ValidationFailure(
            "this driver allocates addresses itself; ip cannot be chosen "
            "(use a dynamic allocation or leave ip out)"
        )
    return ip


def register(bp: Blueprint) -> None:
    """Add the routes of addresses and their templates."""
    ADDRESSES.register(bp, create_address)
    TEMPLATES.register(bp)


ENTRY_POINT = {
    "addresses": ADDRESSES.entry(),
    "addressTemplates": TEMPLATES.entry("addresses"),
}
