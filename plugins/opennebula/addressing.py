"""Address ranges as subnets: their ids and address blocks.

A subnet is one address range (AR) of a virtual network, with the id
``<network id>-ar<AR id>``. An AR is a run of leases (first IP and size), not
a block, so a subnet made here leases a block's host addresses (all but its
network and broadcast addresses); an AR of that shape shows as the block,
any other as the smallest block that covers it.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from deltaflask.errors import ValidationFailure
from deltaflask.plugins.opennebula.base import one_id

SEPARATOR = "-ar"


def subnet_id(network_id: Any, ar_id: Any) -> str:
    """The subnet id of AR ``ar_id`` of network ``network_id``."""
    return f"{network_id}{SEPARATOR}{ar_id}"


def parse_subnet_id(value: str) -> tuple[int, int] | None:
    """(network id, AR id) of a subnet id, or ``None`` if it is none."""
    network, found, ar = str(value).partition(SEPARATOR)
    network_id, ar_id = one_id(network), one_id(ar)
    if not found or network_id is None or ar_id is None:
        return None
    return network_id, ar_id


def ipv4_block(value: str | None, what: str = "address_block") -> ipaddress.IPv4Network:
    """An IPv4 CIDR block (host bits clear), or a 400 saying what is wrong."""
    try:
        block = ipaddress.ip_network((value or "").strip(), strict=True)
    except ValueError as exc:
        raise ValidationFailure(f"Invalid {what} '{value}': {exc}") from None
    if not isinstance(block, ipaddress.IPv4Network):
        raise ValidationFailure(
            f"{what} '{value}': OpenNebula address ranges here are IPv4"
        )
    return block


def host_range(block: ipaddress.IPv4Network) -> tuple[str, int]:
    """The first host address of ``block`` and how many there are."""
    if block.num_addresses <= 2:
        return str(block.network_address), block.num_addresses
    return str(block.network_address + 1), block.num_addresses - 2


def ar_block(first_ip: str, size: int) -> ipaddress.IPv4Network:
    """The block an AR of ``size`` leases from ``first_ip`` stands for."""
    first = int(ipaddress.IPv4Address(first_ip))
    exact = _exact(first - 1, size + 2) or _exact(first, size)
    if exact is not None:
        return exact
    last = ipaddress.IPv4Address(first + max(size, 1) - 1)
    prefix = 32
    while last not in ipaddress.IPv4Network((first, prefix), strict=False):
        prefix -= 1
    return ipaddress.IPv4Network((first, prefix), strict=False)


def _exact(start: int, count: int) -> ipaddress.IPv4Network | None:
    if count <= 0 or count & (count - 1) or start < 0 or start % count:
        return None
    prefix = 32 - (count.bit_length() - 1)
    return ipaddress.IPv4Network((start, prefix))


def network_block(template: Any) -> ipaddress.IPv4Network | None:
    """The block a network's ``NETWORK_ADDRESS`` / ``NETWORK_MASK`` name."""
    address = str((template or {}).get("NETWORK_ADDRESS", "")).strip()
    mask = str((template or {}).get("NETWORK_MASK", "")).strip()
    if not address:
        return None
    try:
        return ipaddress.IPv4Network(f"{address}/{mask or 32}", strict=False)
    except ValueError:
        return None


def ranges(vnet: Any) -> list[Any]:
    """The address ranges (``AR``) of a ``VNET`` document."""
    return list(getattr(vnet.AR_POOL, "AR", None) or []) if vnet.AR_POOL else []
