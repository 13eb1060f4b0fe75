"""Compute operations of the driver contract: realms, images, instances, keys,
addresses, firewalls, load balancers and metrics."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from deltaflask.drivers.contract import first
from deltaflask.drivers.contract import missing
from deltaflask.drivers.contract import operation
from deltaflask.models import Address
from deltaflask.models import Firewall
from deltaflask.models import Image
from deltaflask.models import Instance
from deltaflask.models import InstanceState
from deltaflask.models import Key
from deltaflask.models import LoadBalancer
from deltaflask.models import Metric
from deltaflask.models import Realm
from deltaflask.models import RunResult

Filters = Mapping[str, Any]


@dataclass(slots=True)
class InstanceCreate:
    """Everything a client may ask for when launching instances.

    ``hwp_overrides`` maps a profile property (cpu, memory, ...) to the value
    asked with ``hwp_<property>``; ``initial_state`` is ``RUNNING`` or
    ``STOPPED`` (CIMI's initialState); the rest mirror the classic API's
    feature parameters.
    """

    image_id: str
    realm_id: str | None = None
    hwp_id: str | None = None
    hwp_overrides: dict[str, str] = field(default_factory=dict)
    name: str | None = None
    keyname: str | None = None
    password: str | None = None
    user_data: str | None = None
    firewalls: list[str] = field(default_factory=list)
    instance_count: int = 1
    metrics: bool = False
    load_balancer_id: str | None = None
    snapshot_id: str | None = None
    device_name: str | None = None
    network_id: str | None = None
    subnet_id: str | None = None
    initial_state: InstanceState | None = None


@dataclass(slots=True)
class FirewallRuleCreate:
    """An ingress rule for firewall ``firewall_id``: a protocol and port range
    open to CIDR ``addresses`` and source ``groups`` (name or id -> owner)."""

    firewall_id: str
    protocol: str
    port_from: str
    port_to: str
    addresses: list[str] = field(default_factory=list)
    groups: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class LoadBalancerCreate:
    """A load balancer in realm ``realm_id`` with one listener forwarding
    ``balancer_port`` to ``instance_port``."""

    name: str
    realm_id: str
    protocol: str
    balancer_port: str
    instance_port: str


class ComputeOperations:
    """Operations on compute resources. Override the ones the cloud offers."""

    # realms --------------------------------------------------------------------
    @operation
    def realms(self, filters: Filters) -> list[Realm]:
        """List realms (availability zones), filtered by ``id``."""
        raise missing("realms")

    def realm(self, realm_id: str) -> Realm | None:
        """One realm by id, or ``None``."""
        return first(self.realms({"id": realm_id}))

    # images --------------------------------------------------------------------
    @operation
    def images(self, filters: Filters) -> list[Image]:
        """List images, filtered by ``id``, ``architecture`` and ``owner_id``."""
        raise missing("images")

    def image(self, image_id: str) -> Image | None:
        """One image by id, or ``None``."""
        return first(self.images({"id": image_id}))

    @operation
    def create_image(
        self, instance_id: str, name: str | None, description: str | None
    ) -> Image:
        """Create an image from an instance."""
        raise missing("create_image")

    @operation
    def destroy_image(self, image_id: str) -> None:
        """Delete an image."""
        raise missing("destroy_image")

    # instances -----------------------------------------------------------------
    @operation
    def instances(self, filters: Filters) -> list[Instance]:
        """List instances, filtered by ``id``, ``state`` and ``realm_id``."""
        raise missing("instances")

    def instance(self, instance_id: str) -> Instance | None:
        """One instance by id, or ``None``."""
        return first(self.instances({"id": instance_id}))

    @operation
    def create_instance(self, request: InstanceCreate) -> list[Instance]:
        """Launch ``request.instance_count`` instances; return them."""
        raise missing("create_instance")

    @operation
    def start_instance(self, instance_id: str) -> Instance:
        """Start a stopped instance."""
        raise missing("start_instance")

    @operation
    def stop_instance(self, instance_id: str) -> Instance:
        """Stop a running instance."""
        raise missing("stop_instance")

    @operation
    def reboot_instance(self, instance_id: str) -> Instance:
        """Reboot a running instance."""
        raise missing("reboot_instance")

    @operation
    def destroy_instance(self, instance_id: str) -> None:
        """Terminate an instance."""
        raise missing("destroy_instance")

    @operation
    def run_on_instance(
        self,
        instance_id: str,
        command: str,
        *,
        private_key: str | None = None,
        password: str | None = None,
        ip: str | None = None,
        port: int = 22,
    ) -> RunResult:
        """Run a shell command on an instance over SSH."""
        raise missing("run_on_instance")

    # keys ----------------------------------------------------------------------
    @operation
    def keys(self, filters: Filters) -> list[Key]:
        """List keys (credentials), filtered by ``id``."""
        raise missing("keys")

    def key(self, key_id: str) -> Key | None:
        """One key by id, or ``None``."""
        return first(self.keys({"id": key_id}))

    @operation
    def create_key(self, name: str, public_key: str | None = None) -> Key:
        """Create a key pair, or import ``public_key`` (feature ``import_key``)."""
        raise missing("create_key")

    @operation
    def destroy_key(self, key_id: str) -> None:
        """Delete a key."""
        raise missing("destroy_key")

    # addresses -----------------------------------------------------------------
    @operation
    def addresses(self, filters: Filters) -> list[Address]:
        """List elastic addresses, filtered by ``id``."""
        raise missing("addresses")

    def address(self, address_id: str) -> Address | None:
        """One address by id, or ``None``."""
        return first(self.addresses({"id": address_id}))

    @operation
    def create_address(self, ip: str | None = None) -> Address:
        """Allocate a new address; ``ip`` asks for that one (drivers whose
        ``chooses_addresses`` is false refuse it with a 400)."""
        raise missing("create_address")

    @operation
    def destroy_address(self, address_id: str) -> None:
        """Release an address (refused while associated)."""
        raise missing("destroy_address")

    @operation
    def associate_address(self, address_id: str, instance_id: str) -> None:
        """Bind an address to an instance."""
        raise missing("associate_address")

    @operation
    def disassociate_address(self, address_id: str) -> None:
        """Unbind an address from its instance."""
        raise missing("disassociate_address")

    # firewalls -----------------------------------------------------------------
    @operation
    def firewalls(self, filters: Filters) -> list[Firewall]:
        """List firewalls (security groups), filtered by ``id``."""
        raise missing("firewalls")

    def firewall(self, firewall_id: str) -> Firewall | None:
        """One firewall by id, or ``None``."""
        return first(self.firewalls({"id": firewall_id}))

    @operation
    def create_firewall(self, name: str, description: str) -> Firewall:
        """Create a firewall."""
        raise missing("create_firewall")

    @operation
    def delete_firewall(self, firewall_id: str) -> None:
        """Delete a firewall."""
        raise missing("delete_firewall")

    @operation
    def create_firewall_rule(self, request: FirewallRuleCreate) -> Firewall:
        """Add an ingress rule to ``request.firewall_id``; return the firewall."""
        raise missing("create_firewall_rule")

    @operation
    def delete_firewall_rule(self, firewall_id: str, rule_id: str) -> None:
        """Remove a rule from a firewall."""
        raise missing("delete_firewall_rule")

    # load balancers --------------------------------------------------------------
    @operation
    def load_balancers(self, filters: Filters) -> list[LoadBalancer]:
        """List load balancers, filtered by ``id``."""
        raise missing("load_balancers")

    def load_balancer(self, balancer_id: str) -> LoadBalancer | None:
        """One load balancer by id, or ``None``."""
        return first(self.load_balancers({"id": balancer_id}))

    @operation
    def create_load_balancer(self, request: LoadBalancerCreate) -> LoadBalancer:
        """Create a load balancer with one listener."""
        raise missing("create_load_balancer")

    @operation
    def destroy_load_balancer(self, balancer_id: str) -> None:
        """Delete a load balancer."""
        raise missing("destroy_load_balancer")

    @operation
    def lb_register_instance(self, balancer_id: str, instance_id: str) -> LoadBalancer:
        """Register an instance with a load balancer."""
        raise missing("lb_register_instance")

    @operation
    def lb_unregister_instance(
        self, balancer_id: str, instance_id: str
    ) -> LoadBalancer:
        """Unregister an instance from a load balancer."""
        raise missing("lb_unregister_instance")

    # metrics ---------------------------------------------------------------------
    @operation
    def metrics(self, filters: Filters) -> list[Metric]:
        """List metrics (one per monitored entity), without samples."""
        raise missing("metrics")

    @operation
    def metric(self, metric_id: str) -> Metric | None:
        """One metric with its samples, or ``None``."""
        raise missing("metric")
