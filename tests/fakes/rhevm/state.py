"""What the fake engine knows: one data center, its cluster and storage, the
templates, instance types, logical networks, and the VMs and disks users make.

Every resource is a plain dict keyed the way the engine's XML names its
elements, so :mod:`tests.fakes.rhevm.render` can write it out as it is.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from typing import Any

GIB = 1024**3
BLANK_TEMPLATE = "00000000-0000-0000-0000-000000000000"
USER = "admin@internal"
PASSWORD = "secret"

Resource = dict[str, Any]


def new_id() -> str:
    """An engine-style id (a UUID)."""
    return str(uuid.uuid4())


def now() -> str:
    """The engine's xs:dateTime form of the current time."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+00:00")


@dataclass
class Fault:
    """A one-shot failure: the next request matching ``method`` and a path
    ending in ``suffix`` gets ``status`` with an engine fault document, or,
    with ``delay``, is carried out and answered ``delay`` seconds late."""

    method: str
    suffix: str
    status: int = 500
    delay: float = 0.0
    reason: str = "Operation Failed"
    detail: str = "[Internal Engine Error]"


@dataclass
class EngineState:
    """The fake engine's inventory and the faults still to play."""

    lock: threading.RLock = field(default_factory=threading.RLock)
    tokens: set[str] = field(default_factory=set)
    faults: list[Fault] = field(default_factory=list)
    datacenters: dict[str, Resource] = field(default_factory=dict)
    clusters: dict[str, Resource] = field(default_factory=dict)
    storagedomains: dict[str, Resource] = field(default_factory=dict)
    templates: dict[str, Resource] = field(default_factory=dict)
    instancetypes: dict[str, Resource] = field(default_factory=dict)
    networks: dict[str, Resource] = field(default_factory=dict)
    vnicprofiles: dict[str, Resource] = field(default_factory=dict)
    vms: dict[str, Resource] = field(default_factory=dict)
    disks: dict[str, Resource] = field(default_factory=dict)
    #: VM ids whose guest ignores ACPI: a shutdown leaves them powering_down
    stubborn: set[str] = field(default_factory=set)

    def reset(self) -> None:
        """Back to the seed inventory, with no tokens, faults or user resources."""
        with self.lock:
            fresh = seeded()
            for name in self.__dataclass_fields__:
                if name != "lock":
                    setattr(self, name, getattr(fresh, name))

    def take_fault(self, method: str, path: str) -> Fault | None:
        """The first pending fault matching this request, removed from the list."""
        with self.lock:
            for fault in self.faults:
                if fault.method == method and path.endswith(fault.suffix):
                    self.faults.remove(fault)
                    return fault
        return None


def seeded() -> EngineState:
    """The inventory of a fresh engine: the Default data center and cluster."""
    state = EngineState()
    dc = {"id": new_id(), "name": "Default", "status": "up", "local": "false"}
    state.datacenters[dc["id"]] = dc
    cluster = {
        "id": new_id(),
        "name": "Default",
        "data_center": dc["id"],
        "architecture": "x86_64",
    }
    state.clusters[cluster["id"]] = cluster
    domain = {
        "id": new_id(),
        "name": "data1",
        "type": "data",
        "data_center": dc["id"],
        "available": 500 * GIB,
        "used": 20 * GIB,
    }
    state.storagedomains[domain["id"]] = domain
    for template in (
        _template(BLANK_TEMPLATE, "Blank", "Blank template", 1, 1024, None),
        _template(new_id(), "rhel9", "RHEL 9 server", 2, 4096, cluster["id"]),
        _template(new_id(), "fedora", "Fedora cloud", 1, 2048, cluster["id"]),
    ):
        state.templates[template["id"]] = template
    for name, cores, memory in (("Small", 1, 2048), ("Medium", 2, 4096)):
        kind = {
            "id": new_id(),
            "name": name,
            "cores": cores,
            "memory": memory * 1024**2,
        }
        state.instancetypes[kind["id"]] = kind
    for name in ("ovirtmgmt", "backend"):
        network = {"id": new_id(), "name": name, "data_center": dc["id"]}
        state.networks[network["id"]] = network
        profile = {"id": new_id(), "name": name, "network": network["id"]}
        state.vnicprofiles[profile["id"]] = profile
    return state


def _template(
    template_id: str,
    name: str,
    description: str,
    cores: int,
    memory_mb: int,
    cluster: str | None,
) -> Resource:
    return {
        "id": template_id,
        "name": name,
        "description": description,
        "status": "ok",
        "cores": cores,
        "memory": memory_mb * 1024**2,
        "architecture": "x86_64",
        "cluster": cluster,
        "creation_time": now(),
    }
