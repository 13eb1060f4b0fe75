"""The base class every driver extends, and what it derives from a subclass.

A driver implements the operations its cloud offers by overriding the methods
of :class:`ComputeOperations`, :class:`StorageOperations` and
:class:`NetworkOperations`; any method left alone raises
:class:`~deltaflask.errors.CapabilityMissing` (412). Capabilities, and so the
collections a frontend advertises, are found by inspecting which methods a
subclass overrides.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from typing import ClassVar
from typing import TypeVar

from deltaflask import settings as server_settings
from deltaflask.drivers import features as feature_catalogue
from deltaflask.drivers.compute_ops import ComputeOperations
from deltaflask.drivers.compute_ops import InstanceCreate as InstanceCreate
from deltaflask.drivers.contract import first
from deltaflask.drivers.network_ops import NetworkOperations
from deltaflask.drivers.states import StateMachine
from deltaflask.drivers.storage_ops import StorageOperations
from deltaflask.drivers.storage_ops import VolumeCreate as VolumeCreate
from deltaflask.errors import AuthenticationRequired
from deltaflask.models import HardwareProfile
from deltaflask.models import Image
from deltaflask.models import Instance
from deltaflask.models import InstanceState

T = TypeVar("T")

#: collection name -> the operation whose presence makes it available
COLLECTION_INDEX: dict[str, str] = {
    "realms": "realms",
    "hardware_profiles": "hardware_profiles",
    "images": "images",
    "instances": "instances",
    "instance_states": "instances",
    "keys": "keys",
    "storage_volumes": "storage_volumes",
    "storage_snapshots": "storage_snapshots",
    "buckets": "buckets",
    "addresses": "addresses",
    "firewalls": "firewalls",
    "load_balancers": "load_balancers",
    "metrics": "metrics",
    "networks": "networks",
    "subnets": "subnets",
    "network_interfaces": "network_interfaces",
}


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a client presented: user name (or access key) and password (secret)."""

    user: str
    password: str

    def __repr__(self) -> str:  # never leak the secret into logs or tracebacks
        return f"Credentials(user={self.user!r}, password=<hidden>)"


class BaseDriver(ComputeOperations, StorageOperations, NetworkOperations):
    """Base of every driver. One instance serves one request.

    Class attributes a driver sets:

    * ``name`` / ``display_name``: the driver id and its human name;
    * ``features``: collection -> feature names from the catalogue (checked
      when the class is defined: a name the catalogue lacks is a TypeError);
    * ``state_machine``: the instance life cycle, or ``None``;
    * ``static_hardware_profiles``: profiles known without asking the cloud;
    * ``providers``: provider id -> {service kind: endpoint}, listed by
      ``/api/drivers/<name>``;
    * ``chooses_addresses``: whether ``create_address(ip)`` can allocate a
      given IP (otherwise the driver picks the address itself).
    """

    name: ClassVar[str] = ""
    display_name: ClassVar[str] = ""
    features: ClassVar[Mapping[str, tuple[str, ...]]] = {}
    state_machine: ClassVar[StateMachine | None] = None
    static_hardware_profiles: ClassVar[tuple[HardwareProfile, ...]] = ()
    providers: ClassVar[Mapping[str, Mapping[str, str]]] = {}
    chooses_addresses: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for collection, names in cls.features.items():
            for name in names:
                if feature_catalogue.lookup(collection, name) is None:
                    known = feature_catalogue.names(collection) or ["none"]
                    raise TypeError(
                        f"{cls.__qualname__}.features: {name!r} is no feature of "
                        f"{collection!r} (the catalogue has: {', '.join(known)})"
                    )

    def __init__(
        self,
        credentials: Credentials | None,
        provider: str | None = None,
        settings: Mapping[str, Any] | None = None,
    ) -> None:
        self._credentials = credentials
        self.provider = provider
        self.settings: Mapping[str, Any] = settings or {}

    # -- credentials -----------------------------------------------------------
    @property
    def credentials(self) -> Credentials:
        """The request's credentials; asking for them when absent is a 401."""
        if self._credentials is None:
            raise AuthenticationRequired()
        return self._credentials

    def valid_credentials(self) -> bool:
        """Whether the provider accepts the credentials (override to check)."""
        return self._credentials is not None

    # -- settings ----------------------------------------------------------------
    def setting(self, name: str, default: Any = None) -> Any:
        """The server's setting ``name``, else the environment variable of that
        name, else ``default``."""
        return server_settings.setting(self.settings, name, default)

    def seconds(self, name: str, default: float | None = None) -> float:
        """A time-out setting in seconds; unset, ``default`` or else the
        server's ``DELTAFLASK_PROVIDER_TIMEOUT`` (see ``settings.seconds``)."""
        return server_settings.seconds(self.settings, name, default)

    # -- capabilities ------------------------------------------------------------
    @classmethod
    def supports(cls, operation: str) -> bool:
        """Whether this driver implements ``operation`` (a method name)."""
        mine = getattr(cls, operation, None)
        base = getattr(BaseDriver, operation, None)
        return mine is not None and mine is not base

    @classmethod
    def capabilities(cls) -> set[str]:
        """Every contract operation this driver implements."""
        return {
            name
            for name in dir(BaseDriver)
            if not name.startswith("_")
            and callable(getattr(BaseDriver, name))
            and getattr(getattr(BaseDriver, name), "__contract__", False)
            and cls.supports(name)
        }

    @classmethod
    def collections(cls) -> list[str]:
        """The classic collections this driver makes available, sorted."""
        available = []
        for collection, operation in COLLECTION_INDEX.items():
            if collection == "hardware_profiles":
                ok = bool(cls.static_hardware_profiles) or cls.supports(operation)
            elif collection == "instance_states":
                ok = cls.state_machine is not None and cls.supports("instances")
            else:
                ok = cls.supports(operation)
            if ok:
                available.append(collection)
        return sorted(available)

    @classmethod
    def has_feature(cls, collection: str, feature: str) -> bool:
        """Whether the driver declares ``feature`` on ``collection``."""
        return feature in cls.features.get(collection, ())

    @classmethod
    def declared_features(cls, collection: str) -> list[feature_catalogue.Feature]:
        """The catalogue features the driver declares on ``collection``."""
        found = []
        for name in cls.features.get(collection, ()):
            feature = feature_catalogue.lookup(collection, name)
            if feature is not None and feature.operation is not None:
                found.append(feature)
        return found

    # -- defaults built on the contract -----------------------------------------
    def hardware_profiles(
        self, filters: Mapping[str, Any] | None = None
    ) -> list[HardwareProfile]:
        """Hardware profiles, filtered by ``id`` and ``architecture``."""
        filters = filters or {}
        found = list(self.static_hardware_profiles)
        if filters.get("id"):
            found = [p for p in found if p.id in as_list(filters["id"])]
        if filters.get("architecture"):
            wanted = as_list(filters["architecture"])
            found = [
                p
                for p in found
                if (prop := p.property("architecture")) is not None
                and any(prop.includes(value) for value in wanted)
            ]
        return found

    def hardware_profile(self, profile_id: str) -> HardwareProfile | None:
        """One hardware profile by id."""
        return first(self.hardware_profiles({"id": profile_id}))

    def may_destroy_image(self, image: Image) -> bool:
        """Whether the user may delete ``image`` (override to check ownership)."""
        return self.supports("destroy_image")

    def instance_actions(self, instance: Instance) -> list[str]:
        """The actions allowed on ``instance`` now, from the state machine."""
        return list(_state_actions(type(self), instance.state))


@lru_cache(maxsize=256)
def _state_actions(
    driver_class: type[BaseDriver], state: InstanceState | None
) -> tuple[str, ...]:
    """The actions of ``state`` the driver class implements (class data,
    looked up once per class and state)."""
    machine = driver_class.state_machine
    if machine is None:
        return ()
    return tuple(
        action
        for action in machine.actions_for(state)
        if driver_class.supports(f"{action}_instance")
    )


def as_list(value: Any) -> list[str]:
    """A filter value as a list of strings ("any of")."""
    if isinstance(value, list | tuple | set):
        return [str(item) for item in value]
    return [str(value)]


def filter_on(items: Iterable[T], filters: Mapping[str, Any], *attrs: str) -> list[T]:
    """Keep items whose ``attrs`` equal the filter values (lists mean "any of")."""
    kept = list(items)
    for attr in attrs:
        value = filters.get(attr)
        if value is None or value == "":
            continue
        wanted = as_list(value)
        kept = [item for item in kept if str(getattr(item, attr, None)) in wanted]
    return kept
