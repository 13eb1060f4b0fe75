"""Network models: networks, subnets, interfaces and instance bindings."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field


@dataclass(slots=True)
class Network:
    """An isolated network (a VPC)."""

    id: str
    name: str
    state: str = "UP"
    address_blocks: list[str] = field(default_factory=list)
    subnet_ids: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Subnet:
    """An address block inside a network."""

    id: str
    name: str
    network_id: str
    address_block: str
    state: str = "UP"
    type: str = "PRIVATE"
    realm_id: str | None = None


@dataclass(slots=True)
class NetworkInterface:
    """A network card attaching an instance to a network or subnet."""

    id: str
    name: str
    instance_id: str | None
    network_id: str | None
    subnet_id: str | None = None
    ip_address: str | None = None


@dataclass(slots=True)
class NetworkBinding:
    """Where an instance sits: network, subnet and the address it got."""

    network_id: str
    subnet_id: str | None
    ip_address: str | None
