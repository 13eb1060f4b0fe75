"""Networks and subnets from OpenNebula virtual networks and address ranges.

A network's own block is its ``NETWORK_ADDRESS`` / ``NETWORK_MASK``; once it
has subnets, it shows theirs. New networks use the ``bridge`` driver
(``OPENNEBULA_VN_MAD`` chooses another) and new subnets lease the host
addresses of their block. Address ranges have no names, so a subnet is named
after its network.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Mapping
from typing import Any

from deltaflask.drivers import SubnetCreate
from deltaflask.drivers.base import filter_on
from deltaflask.errors import Conflict
from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ValidationFailure
from deltaflask.models import Network
from deltaflask.models import Subnet
from deltaflask.plugins.opennebula.addressing import ar_block
from deltaflask.plugins.opennebula.addressing import host_range
from deltaflask.plugins.opennebula.addressing import ipv4_block
from deltaflask.plugins.opennebula.addressing import network_block
from deltaflask.plugins.opennebula.addressing import parse_subnet_id
from deltaflask.plugins.opennebula.addressing import ranges
from deltaflask.plugins.opennebula.addressing import subnet_id
from deltaflask.plugins.opennebula.base import ALL_VISIBLE
from deltaflask.plugins.opennebula.base import OneBase
from deltaflask.plugins.opennebula.base import pool_items
from deltaflask.plugins.opennebula.base import template_text
from deltaflask.plugins.opennebula.base import wanted_ids

DEFAULT_VN_MAD = "bridge"
ANY_CLUSTER = -1


def to_subnets(vnet: Any) -> list[Subnet]:
    """The subnets of a ``VNET`` document, one per IPv4 address range."""
    return [
        Subnet(
            id=subnet_id(vnet.ID, ar.AR_ID),
            name=f"{vnet.NAME} AR {ar.AR_ID}",
            network_id=str(vnet.ID),
            address_block=str(ar_block(str(ar.IP), int(ar.SIZE))),
        )
        for ar in ranges(vnet)
        if ar.IP
    ]


def to_network(vnet: Any) -> Network:
    """A network from a ``VNET`` document."""
    subnets = to_subnets(vnet)
    own = network_block(vnet.TEMPLATE)
    return Network(
        id=str(vnet.ID),
        name=str(vnet.NAME),
        address_blocks=[s.address_block for s in subnets]
        or ([str(own)] if own else []),
        subnet_ids=[s.id for s in subnets],
    )


def vn_mad(settings: Mapping[str, Any]) -> str:
    """The network driver of new networks (``OPENNEBULA_VN_MAD``, else bridge)."""
    chosen = settings.get("OPENNEBULA_VN_MAD") or os.environ.get("OPENNEBULA_VN_MAD")
    return str(chosen or DEFAULT_VN_MAD)


class OneNetworks(OneBase):
    """Networks and subnets of the opennebula driver."""

    def _vnets(self, ids: list[str]) -> list[Any]:
        if ids:
            return [v for i in ids if (v := self.info("vn.info", i)) is not None]
        return pool_items(self.call("vnpool.info", ALL_VISIBLE, -1, -1), "VNET")

    def networks(self, filters: Mapping[str, Any]) -> list[Network]:
        """Virtual networks, filtered by ``id``."""
        return [to_network(v) for v in self._vnets(wanted_ids(filters))]

    def create_network(self, name: str | None, address_block: str | None) -> Network:
        """A virtual network (no address range yet) for ``address_block``."""
        template: dict[str, str] = {
            "NAME": template_text(name or f"network-{secrets.token_hex(4)}", "name"),
            "VN_MAD": vn_mad(self.settings),
        }
        if address_block:
            block = ipv4_block(address_block)
            template["NETWORK_ADDRESS"] = str(block.network_address)
            template["NETWORK_MASK"] = str(block.netmask)
        vnet_id = self.call("vn.allocate", {"TEMPLATE": template}, ANY_CLUSTER)
        return to_network(self.call("vn.info", vnet_id))

    def destroy_network(self, network_id: str) -> None:
        """Delete a virtual network none of whose leases is in use (else 409)."""
        if self.info("vn.info", network_id) is None:
            raise ObjectNotFound(f"Network '{network_id}' not found")
        self.call("vn.delete", int(network_id))

    def subnets(self, filters: Mapping[str, Any]) -> list[Subnet]:
        """Address ranges, filtered by ``id`` and ``network_id``."""
        networks = wanted_ids(filters, "network_id")
        for wanted in wanted_ids(filters):
            parsed = parse_subnet_id(wanted)
            if parsed is not None:
                networks.append(str(parsed[0]))
        if wanted_ids(filters) and not networks:
            return []
        found = [s for v in self._vnets(networks) for s in to_subnets(v)]
        return filter_on(found, filters, "id", "network_id")

    def create_subnet(self, request: SubnetCreate) -> Subnet:
        """A new address range leasing the host addresses of the block."""
        block = ipv4_block(request.address_block)
        vnet = self.info("vn.info", request.network_id)
        if vnet is None:
            raise ValidationFailure(f"Network '{request.network_id}' does not exist.")
        own = network_block(vnet.TEMPLATE)
        if own is not None and not block.subnet_of(own):
            raise ValidationFailure(
                f"Subnet {block} is outside network {vnet.ID}'s block {own}"
            )
        if request.realm_id is not None:
            clusters = {str(c) for c in (getattr(vnet.CLUSTERS, "ID", None) or [])}
            if request.realm_id not in clusters:
                raise ValidationFailure(
                    f"Realm '{request.realm_id}' does not reach network {vnet.ID}"
                )
        for ar in ranges(vnet):
            first = ipaddress.IPv4Address(str(ar.IP))
            if first <= block.broadcast_address and block.network_address < first + int(
                ar.SIZE
            ):
                raise Conflict(
                    f"Subnet {block} overlaps subnet {subnet_id(vnet.ID, ar.AR_ID)}"
                )
        first, size = host_range(block)
        ar = {"TYPE": "IP4", "IP": first, "SIZE": str(size)}
        self.call("vn.add_ar", int(vnet.ID), {"TEMPLATE": {"AR": ar}})
        made = to_subnets(self.call("vn.info", int(vnet.ID)))
        return next(s for s in reversed(made) if s.address_block == str(block))

    def destroy_subnet(self, subnet_id: str) -> None:
        """Remove an address range none of whose leases is in use (else 409)."""
        parsed = parse_subnet_id(subnet_id)
        vnet = self.info("vn.info", str(parsed[0])) if parsed else None
        if parsed is None or vnet is None:
            raise ObjectNotFound(f"Subnet '{subnet_id}' not found")
        if all(int(ar.AR_ID) != parsed[1] for ar in ranges(vnet)):
            raise ObjectNotFound(f"Subnet '{subnet_id}' not found")
        self.call("vn.rm_ar", parsed[0], parsed[1])
