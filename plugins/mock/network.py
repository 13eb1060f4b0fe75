"""Mock networks, subnets, network interfaces and instance network bindings.

A network keeps its own CIDR block (optional); subnets must lie inside it and
must not overlap a sibling. Addresses for bindings and interfaces come from
the subnet's block, lowest free host first (the first host is the gateway),
and are never handed out twice: every binding and interface in the store is
consulted under the store's lock.
"""

from __future__ import annotations

import ipaddress
import secrets
import time
from collections.abc import Mapping
from typing import Any

from deltaflask.drivers import InstanceCreate
from deltaflask.drivers import SubnetCreate
from deltaflask.drivers.base import filter_on
from deltaflask.errors import Conflict
from deltaflask.errors import ValidationFailure
from deltaflask.models import Network
from deltaflask.models import NetworkBinding
from deltaflask.models import NetworkInterface
from deltaflask.models import Subnet
from deltaflask.plugins.mock.base import MockBase
from deltaflask.plugins.mock.profiles import REALM_IDS
from deltaflask.plugins.mock.store import MockScope
from deltaflask.plugins.mock.store import check_id

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_block(value: str | None, what: str = "address_block") -> IPNetwork:
    """A CIDR block, or a 400 naming what is wrong with it."""
    try:
        return ipaddress.ip_network((value or "").strip(), strict=True)
    except ValueError as exc:
        raise ValidationFailure(f"Invalid {what} '{value}': {exc}") from exc


def to_bindings(data: Mapping[str, Any]) -> list[NetworkBinding]:
    """The network bindings stored in an instance's JSON."""
    return [
        NetworkBinding(b["network_id"], b.get("subnet_id"), b.get("ip_address"))
        for b in data.get("network_bindings") or []
    ]


def _new_id(prefix: str, name: str | None, what: str) -> str:
    if name:
        return check_id(name, what)
    return f"{prefix}_{int(time.time())}_{secrets.token_hex(3)}"


class MockNetwork(MockBase):
    """Network operations of the mock driver (mixed into ``MockDriver``)."""

    # networks ------------------------------------------------------------------
    def networks(self, filters: Mapping[str, Any]) -> list[Network]:
        """Networks, filtered by id."""
        self.user()
        subnets = self.store.all("subnets")
        found = [self._to_network(data, subnets) for data in self.store.all("networks")]
        return filter_on(found, filters, "id")

    def create_network(self, name: str | None, address_block: str | None) -> Network:
        """Create a network; its block is optional on the mock."""
        self.user()
        blocks = [str(parse_block(address_block))] if address_block else []
        network_id = _new_id("net", name, "network name")
        with self.store.transaction():
            if self.store.exists("networks", network_id):
                raise Conflict(f"Network '{network_id}' already exists")
            entity = {
                "id": network_id,
                "name": name or network_id,
                "state": "UP",
                "address_blocks": blocks,
                "subnets": [],
            }
            self.store.save("networks", entity)
        return self._to_network(entity, [])

    def destroy_network(self, network_id: str) -> None:
        """Delete a network; refused while it has subnets."""
        self.user()
        with self.store.transaction():
            self.store.require("networks", network_id, "Network")
            children = self._subnets_of(network_id)
            if children:
                raise Conflict(
                    f"Network '{network_id}' still has subnets: "
                    + ", ".join(s["id"] for s in children)
                )
            self.store.delete("networks", network_id)

    def _subnets_of(self, network_id: str) -> list[dict[str, Any]]:
        return [s for s in self.store.all("subnets") if s.get("network") == network_id]

    def _to_network(
        self, data: dict[str, Any], subnets: list[dict[str, Any]]
    ) -> Network:
        mine = [s for s in subnets if s.get("network") == data["id"]]
        own = list(data.get("address_blocks") or [])
        return Network(
            id=data["id"],
            name=data.get("name") or data["id"],
            state=data.get("state") or "UP",
            address_blocks=[s["address_block"] for s in mine] or own,
            subnet_ids=[s["id"] for s in mine],
        )

    # subnets -------------------------------------------------------------------
    def subnets(self, filters: Mapping[str, Any]) -> list[Subnet]:
        """Subnets, filtered by id and network."""
        self.user()
        found = [_to_subnet(data) for data in self.store.all("subnets")]
        return filter_on(found, filters, "id", "network_id")

    def create_subnet(self, request: SubnetCreate) -> Subnet:
        """Create a subnet inside its network's block, overlapping no sibling,
        in one of the mock's realms (none when not asked for)."""
        network_id, address_block = request.network_id, request.address_block
        name, realm_id = request.name, request.realm_id
        self.user()
        block = parse_block(address_block)
        if realm_id and realm_id not in REALM_IDS:
            raise ValidationFailure(f"Realm '{realm_id}' does not exist")
        subnet_id = _new_id("subnet", name, "subnet name")
        with self.store.transaction():
            network = self.store.load("networks", network_id)
            if network is None:
                raise ValidationFailure(f"Network '{network_id}' does not exist")
            for own in network.get("address_blocks") or []:
                outer = parse_block(own, "network block")
                if block.version != outer.version or not block.subnet_of(outer):  # type: ignore[arg-type]
                    raise ValidationFailure(
                        f"Subnet block {block} lies outside network "
                        f"'{network_id}' ({outer})"
                    )
            for sibling in self._subnets_of(network_id):
                other = parse_block(sibling["address_block"])
                if other.version == block.version and other.overlaps(block):  # type: ignore[arg-type]
                    raise Conflict(
                        f"Subnet block {block} overlaps subnet "
                        f"'{sibling['id']}' ({other})"
                    )
            if self.store.exists("subnets", subnet_id):
                raise Conflict(f"Subnet '{subnet_id}' already exists")
            entity = {
                "id": subnet_id,
                "name": name or subnet_id,
                "network": network_id,
                "address_block": str(block),
                "state": "UP",
                "type": "PRIVATE",
                "realm_id": realm_id or None,
            }
            self.store.save("subnets", entity)
            network["subnets"] = [*network.get("subnets", []), subnet_id]
            self.store.save("networks", network)
        return _to_subnet(entity)

    def destroy_subnet(self, subnet_id: str) -> None:
        """Delete a subnet; refused while instances or interfaces use it."""
        self.user()
        with self.store.transaction():
            subnet = self.store.require("subnets", subnet_id, "Subnet")
            users = sorted(self._bound_to(subnet_id))
            if users:
                raise Conflict(
                    f"Subnet '{subnet_id}' is in use by: " + ", ".join(users)
                )
            self.store.delete("subnets", subnet_id)
            network = self.store.load("networks", subnet.get("network") or "")
            if network is not None:
                network["subnets"] = [
                    s for s in network.get("subnets", []) if s != subnet_id
                ]
                self.store.save("networks", network)

    def _bound_to(self, subnet_id: str) -> set[str]:
        """Ids of instances (and their interfaces) attached to a subnet."""
        users = {
            data["id"]
            for data in self.store.all("instances")
            if any(b.subnet_id == subnet_id for b in to_bindings(data))
        }
        users.update(
            nic["id"]
            for nic in self.store.all("network_interfaces")
            if _nic_subnet(nic) == subnet_id
        )
        return users

    # network interfaces ----------------------------------------------------------
    def network_interfaces(self, filters: Mapping[str, Any]) -> list[NetworkInterface]:
        """Network interfaces, filtered by id and instance."""
        self.user()
        subnets = {s["id"]: s for s in self.store.all("subnets")}
        found = [
            _to_nic(data, subnets) for data in self.store.all("network_interfaces")
        ]
        return filter_on(found, filters, "id", "instance_id")

    def create_network_interface(
        self, instance_id: str, network_id: str, name: str | None
    ) -> NetworkInterface:
        """Attach an instance to a subnet (``network_id`` names the subnet, or a
        network with exactly one subnet) with a new interface."""
        user = self.user()
        nic_id = _new_id("nic", name, "network interface name")
        with self.store.transaction():
            instance = self.store.load("instances", instance_id)
            if instance is None or instance.get("owner_id") != user:
                raise ValidationFailure(f"Instance '{instance_id}' does not exist")
            subnet = self._interface_subnet(network_id)
            if self.store.exists("network_interfaces", nic_id):
                raise Conflict(f"Network interface '{nic_id}' already exists")
            entity = {
                "id": nic_id,
                "name": name or nic_id,
                "instance": instance_id,
                "network": subnet["network"],
                "subnet": subnet["id"],
                "ip_address": allocate(self.store, subnet, 1)[0],
            }
            self.store.save("network_interfaces", entity)
            instance["network_interfaces"] = [
                *(instance.get("network_interfaces") or []),
                nic_id,
            ]
            self.store.save("instances", instance)
        return _to_nic(entity, {subnet["id"]: subnet})

    def _interface_subnet(self, network_id: str) -> dict[str, Any]:
        subnet = self.store.load("subnets", network_id)
        if subnet is not None:
            return subnet
        if self.store.load("networks", network_id) is None:
            raise ValidationFailure(f"Network or subnet '{network_id}' does not exist")
        children = self._subnets_of(network_id)
        if len(children) != 1:
            raise ValidationFailure(
                f"Network '{network_id}' has {len(children)} subnets: name one "
                "of them as the network of the interface"
            )
        return children[0]

    def destroy_network_interface(self, interface_id: str) -> None:
        """Delete an interface and drop it from its instance."""
        self.user()
        with self.store.transaction():
            nic = self.store.require(
                "network_interfaces", interface_id, "Network interface"
            )
            self.store.delete("network_interfaces", interface_id)
            instance = self.store.load("instances", nic.get("instance") or "")
            if instance is not None:
                instance["network_interfaces"] = [
                    n
                    for n in instance.get("network_interfaces") or []
                    if n != interface_id
                ]
                self.store.save("instances", instance)


def _taken(store: MockScope, subnet_id: str) -> set[str]:
    """Addresses of a subnet held by instance bindings or interfaces."""
    taken = {
        b.ip_address or ""
        for data in store.all("instances")
        for b in to_bindings(data)
        if b.subnet_id == subnet_id
    }
    taken.update(
        nic.get("ip_address") or ""
        for nic in store.all("network_interfaces")
        if _nic_subnet(nic) == subnet_id
    )
    return taken


def allocate(store: MockScope, subnet: Mapping[str, Any], count: int) -> list[str]:
    """``count`` free addresses of a subnet (call under the store lock)."""
    taken = _taken(store, subnet["id"])
    hosts = parse_block(subnet["address_block"]).hosts()
    next(hosts, None)  # the gateway
    free: list[str] = []
    for host in hosts:
        if str(host) not in taken:
            free.append(str(host))
            if len(free) == count:
                return free
    raise Conflict(f"Subnet '{subnet['id']}' has no free address left")


def _placement(
    store: MockScope, network_id: str | None, subnet_id: str | None
) -> dict[str, Any]:
    """The subnet an instance is asked to be placed in (400 if it can't be)."""
    if not subnet_id:
        if store.load("networks", network_id or "") is None:
            raise ValidationFailure(f"Network '{network_id}' does not exist")
        raise ValidationFailure(
            f"subnet_id is required to place an instance in network '{network_id}'"
        )
    subnet = store.load("subnets", subnet_id)
    if subnet is None:
        raise ValidationFailure(f"Subnet '{subnet_id}' does not exist")
    if network_id and subnet.get("network") != network_id:
        raise ValidationFailure(
            f"Subnet '{subnet_id}' does not belong to network '{network_id}'"
        )
    return subnet


def place_instances(
    store: MockScope, request: InstanceCreate, count: int
) -> list[list[dict[str, Any]]]:
    """The network bindings of ``count`` new instances (call under the lock).

    Empty bindings when no network was asked for; otherwise one binding per
    instance, each with its own address. Raises before anything is stored.
    """
    if not (request.network_id or request.subnet_id):
        return [[] for _ in range(count)]
    subnet = _placement(store, request.network_id, request.subnet_id)
    return [
        [{"network_id": subnet["network"], "subnet_id": subnet["id"], "ip_address": ip}]
        for ip in allocate(store, subnet, count)
    ]


def _nic_subnet(nic: Mapping[str, Any]) -> str | None:
    """The subnet of an interface (the original's seed puts it in ``network``)."""
    return nic.get("subnet") or nic.get("network")


def _to_subnet(data: Mapping[str, Any]) -> Subnet:
    return Subnet(
        id=data["id"],
        name=data.get("name") or data["id"],
        network_id=data.get("network") or "",
        address_block=data.get("address_block") or "",
        state=data.get("state") or "UP",
        type=data.get("type") or "PRIVATE",
        realm_id=data.get("realm_id"),
    )


def _to_nic(
    data: Mapping[str, Any], subnets: Mapping[str, Mapping[str, Any]]
) -> NetworkInterface:
    subnet_id = data.get("subnet")
    network_id = data.get("network")
    if not subnet_id and network_id in subnets:
        subnet_id = network_id
        network_id = subnets[network_id].get("network")
    return NetworkInterface(
        id=data["id"],
        name=data.get("name") or data["id"],
        instance_id=data.get("instance"),
        network_id=network_id,
        subnet_id=subnet_id,
        ip_address=data.get("ip_address"),
    )
