"""Compute models: realms, hardware profiles, images, instances, keys and friends."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import Literal

from deltaflask.models.states import InstanceState

PropertyKind = Literal["fixed", "range", "enum"]

UNITS = {"cpu": "count", "memory": "MB", "storage": "GB", "architecture": "label"}


@dataclass(slots=True)
class Realm:
    """A zone or region resources are placed in."""

    id: str
    name: str
    state: str = "AVAILABLE"
    limit: str = "unlimited"


@dataclass(slots=True)
class Property:
    """One hardware profile property: a fixed value, a range or an enum."""

    name: str
    kind: PropertyKind
    value: Any
    first: Any = None
    last: Any = None
    values: list[Any] = field(default_factory=list)

    @property
    def unit(self) -> str | None:
        """The unit the classic API shows (none for ``root_type``)."""
        return UNITS.get(self.name)

    def accepts(self, raw: str) -> bool:
        """Whether ``raw`` (a request value) lies within this property."""
        if self.kind == "fixed":
            return _same(raw, self.value)
        if self.kind == "enum":
            return any(_same(raw, choice) for choice in self.values)
        try:
            number = float(raw)
        except ValueError:
            return False
        return float(self.first) <= number <= float(self.last)

    def includes(self, raw: str) -> bool:
        """Whether a filter value matches (membership for ranges and enums)."""
        return self.accepts(raw)


def _same(raw: str, value: Any) -> bool:
    if isinstance(value, int | float):
        try:
            return float(raw) == float(value)
        except ValueError:
            return False
    return str(raw) == str(value)


@dataclass(slots=True)
class HardwareProfile:
    """A sizing template: cpu, memory, storage, architecture."""

    id: str
    name: str | None = None
    properties: list[Property] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.name is None:
            self.name = self.id

    def property(self, name: str) -> Property | None:
        """The property called ``name``, if the profile has it."""
        return next((prop for prop in self.properties if prop.name == name), None)


@dataclass(slots=True)
class Image:
    """A machine image instances are launched from."""

    id: str
    name: str
    owner_id: str | None = None
    description: str | None = None
    architecture: str | None = None
    state: str | None = None
    creation_time: str | None = None
    root_type: str = "transient"
    hardware_profile_ids: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class InstanceAddress:
    """A public or private address of an instance."""

    address: str
    type: str = "ipv4"
    port: str | None = None


@dataclass(slots=True)
class InstanceProfile:
    """The hardware profile an instance runs on, with overridden properties."""

    id: str
    overrides: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Instance:
    """A virtual machine."""

    id: str
    name: str | None
    state: InstanceState
    owner_id: str | None = None
    image_id: str | None = None
    realm_id: str | None = None
    profile: InstanceProfile | None = None
    launch_time: str | None = None
    public_addresses: list[InstanceAddress] = field(default_factory=list)
    private_addresses: list[InstanceAddress] = field(default_factory=list)
    keyname: str | None = None
    username: str | None = None
    password: str | None = None
    create_image: bool = False
    firewalls: list[str] = field(default_factory=list)
    storage_volumes: list[tuple[str, str | None]] = field(default_factory=list)
    network_interfaces: list[str] | None = None
    network_bindings: list[Any] = field(default_factory=list)
    user_data: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class RunResult:
    """The output of a command run on an instance."""

    instance_id: str
    command: str
    output: str
    public_address: str | None


@dataclass(slots=True)
class Key:
    """A credential: an SSH key pair or a username/password."""

    id: str
    name: str | None = None
    credential_type: Literal["key", "password"] = "key"
    fingerprint: str | None = None
    pem_rsa_key: str | None = None
    username: str | None = None
    password: str | None = None
    state: str | None = None


@dataclass(slots=True)
class Address:
    """An elastic (floating) address."""

    id: str
    instance_id: str | None = None

    @property
    def associated(self) -> bool:
        """Whether the address is bound to an instance."""
        return bool(self.instance_id)


@dataclass(slots=True)
class FirewallRule:
    """One ingress rule of a firewall."""

    id: str
    allow_protocol: str
    port_from: str
    port_to: str
    sources: list[dict[str, str]] = field(default_factory=list)
    direction: str = "ingress"
    rule_action: str | None = None
    log_rule: str | None = None


@dataclass(slots=True)
class Firewall:
    """A security group."""

    id: str
    name: str
    description: str | None = None
    owner_id: str | None = None
    rules: list[FirewallRule] = field(default_factory=list)


@dataclass(slots=True)
class Listener:
    """A load balancer listener."""

    protocol: str
    load_balancer_port: str
    instance_port: str
    id: str | None = None


@dataclass(slots=True)
class LoadBalancer:
    """A load balancer with its listeners and registered instances."""

    id: str
    realm_ids: list[str] = field(default_factory=list)
    listeners: list[Listener] = field(default_factory=list)
    instance_ids: list[str] = field(default_factory=list)
    public_addresses: list[str] = field(default_factory=list)
    created_at: str | None = None


@dataclass(slots=True)
class MetricSample:
    """One sample of a metric property."""

    minimum: float
    maximum: float
    average: float
    timestamp: int
    unit: str


@dataclass(slots=True)
class Metric:
    """Monitoring data of one entity, by property name."""

    id: str
    entity: str
    properties: dict[str, list[MetricSample] | None] = field(default_factory=dict)
