"""The client of deltaflask's classic API: ``Client(url, user, password)``."""

from __future__ import annotations

from functools import cached_property
from typing import Any
from typing import Generic
from typing import TypeVar
from typing import overload
from urllib.parse import quote

from deltaflask.client.buckets import Bucket
from deltaflask.client.compute import Driver
from deltaflask.client.compute import Drivers
from deltaflask.client.compute import HardwareProfile
from deltaflask.client.compute import Image
from deltaflask.client.compute import Instance
from deltaflask.client.compute import Instances
from deltaflask.client.compute import InstanceState
from deltaflask.client.compute import Key
from deltaflask.client.compute import Metric
from deltaflask.client.compute import Realm
from deltaflask.client.discovery import EntryPoint
from deltaflask.client.http import Session
from deltaflask.client.network import Address
from deltaflask.client.network import Firewall
from deltaflask.client.network import LoadBalancer
from deltaflask.client.network import Network
from deltaflask.client.network import NetworkInterface
from deltaflask.client.network import Subnet
from deltaflask.client.resource import Collection
from deltaflask.client.resource import Resource
from deltaflask.client.storage import StorageSnapshot
from deltaflask.client.storage import StorageVolume

R = TypeVar("R", bound=Resource)
C = TypeVar("C", bound=Collection[Any])

KINDS: dict[str, type[Resource]] = {
    kind.collection: kind
    for kind in (
        Instance,
        Image,
        Realm,
        HardwareProfile,
        Key,
        Metric,
        Driver,
        StorageVolume,
        StorageSnapshot,
        Bucket,
        Address,
        Firewall,
        LoadBalancer,
        Network,
        Subnet,
        NetworkInterface,
    )
}
ACCESSORS: dict[str, type[Collection[Any]]] = {
    "instances": Instances,
    "drivers": Drivers,
}


class CollectionOf(Generic[C]):
    """A client attribute giving the accessor of one collection."""

    def __init__(self, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, client: None, owner: type) -> CollectionOf[C]: ...
    @overload
    def __get__(self, client: Client, owner: type) -> C: ...
    def __get__(self, client: Client | None, owner: type) -> Any:
        if client is None:
            return self
        return client.collection(self.name)


class Client:
    """One user's view of a deltaflask server's classic API (``.../api``).

    ``driver`` and ``provider`` pick the cloud for every request (the server's
    defaults otherwise). Each collection is an attribute (``client.instances``)
    that the entry point must list: asking for one the driver lacks raises
    :class:`~deltaflask.client.errors.CapabilityMissing` before any request.
    """

    instances: CollectionOf[Instances] = CollectionOf("instances")
    images: CollectionOf[Collection[Image]] = CollectionOf("images")
    realms: CollectionOf[Collection[Realm]] = CollectionOf("realms")
    hardware_profiles: CollectionOf[Collection[HardwareProfile]] = CollectionOf(
        "hardware_profiles"
    )
    keys: CollectionOf[Collection[Key]] = CollectionOf("keys")
    metrics: CollectionOf[Collection[Metric]] = CollectionOf("metrics")
    drivers: CollectionOf[Drivers] = CollectionOf("drivers")
    storage_volumes: CollectionOf[Collection[StorageVolume]] = CollectionOf(
        "storage_volumes"
    )
    storage_snapshots: CollectionOf[Collection[StorageSnapshot]] = CollectionOf(
        "storage_snapshots"
    )
    buckets: CollectionOf[Collection[Bucket]] = CollectionOf("buckets")
    addresses: CollectionOf[Collection[Address]] = CollectionOf("addresses")
    firewalls: CollectionOf[Collection[Firewall]] = CollectionOf("firewalls")
    load_balancers: CollectionOf[Collection[LoadBalancer]] = CollectionOf(
        "load_balancers"
    )
    networks: CollectionOf[Collection[Network]] = CollectionOf("networks")
    subnets: CollectionOf[Collection[Subnet]] = CollectionOf("subnets")
    network_interfaces: CollectionOf[Collection[NetworkInterface]] = CollectionOf(
        "network_interfaces"
    )

    def __init__(
        self,
        url: str,
        user: str | None = None,
        password: str | None = None,
        driver: str | None = None,
        provider: str | None = None,
    ) -> None:
        self.session = Session(url, user, password, driver, provider)

    def __repr__(self) -> str:
        return f"<Client {self.session.url}>"

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections."""
        self.session.close()

    @cached_property
    def entry(self) -> EntryPoint:
        """What the driver offers, read once from the entry point."""
        return EntryPoint.from_json(self.session.json("GET", ""))

    def collection(self, name: str) -> Collection[Any]:
        """The accessor of collection ``name`` (``CapabilityMissing`` when
        the driver lacks it; ``KeyError`` for a name the API does not have)."""
        kind = KINDS[name]
        self.entry.href(name)
        return ACCESSORS.get(name, Collection)(self, kind)

    def href(self, collection: str, *ids: str) -> str:
        """The URL of a collection or of one of its members."""
        parts = [self.entry.href(collection), *(quote(i, safe="") for i in ids)]
        return "/".join(parts)

    def check_credentials(self) -> None:
        """Ask the server to check the credentials (``AuthenticationError``)."""
        self.session.request("GET", "", params={"force_auth": "1"})

    def instance_states(self) -> list[InstanceState]:
        """The driver's instance state machine."""
        document = self.session.json("GET", self.entry.href("instance_states"))
        states = document.get("states", []) if isinstance(document, dict) else document
        return [
            InstanceState(state["name"], tuple(state.get("transitions") or []))
            for state in states
        ]
