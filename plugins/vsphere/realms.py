"""Realms: the clusters and standalone hosts (compute resources) of every
datacenter, named ``datacenter/cluster``; instances are placed in their root
resource pool, on a connected host of theirs outside maintenance mode, in
their datacenter's VM folder."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from deltaflask.drivers.base import filter_on
from deltaflask.errors import Conflict
from deltaflask.errors import ValidationFailure
from deltaflask.models import Realm
from deltaflask.plugins.vsphere.base import VsphereBase
from deltaflask.plugins.vsphere.inventory import Found

#: the overall status vCenter gives a compute resource none can run on
DOWN_STATUS = "red"


@dataclass(slots=True)
class Placement:
    """Where a clone goes: a resource pool, a host and a VM folder, in realm
    ``realm_id``."""

    realm_id: str
    pool: Any
    host: Any
    folder: Any


class VsphereRealms(VsphereBase):
    """Realms of the vsphere driver (mixed into ``VsphereDriver``)."""

    def realms(self, filters: Mapping[str, Any]) -> list[Realm]:
        """Clusters and standalone hosts, filtered by ``id``."""
        found = [
            Realm(
                resource.id,
                f"{datacenter.get('name')}/{resource.get('name')}",
                "UNAVAILABLE"
                if resource.get("overallStatus") == DOWN_STATUS
                else "AVAILABLE",
            )
            for datacenter, resource in self._compute_resources()
        ]
        return filter_on(found, filters, "id")

    def placement(self, realm_id: str) -> Placement:
        """Where clones in realm ``realm_id`` go (400 if the realm is unknown,
        409 when none of its hosts can take a VM now)."""
        for datacenter, resource in self._compute_resources():
            if resource.id != realm_id:
                continue
            host = next(
                (
                    host.obj
                    for host in self._hosts()
                    if _realm(host) == realm_id and _usable(host)
                ),
                None,
            )
            if host is None:
                raise Conflict(f"Realm '{realm_id}' has no host that can run VMs now")
            pool = resource.get("resourcePool")
            return Placement(realm_id, pool, host, datacenter.get("vmFolder"))
        raise ValidationFailure(f"Realm '{realm_id}' does not exist.")

    def realm_of_hosts(self) -> dict[str, str]:
        """Host id -> the id of its realm (the compute resource it belongs to)."""
        return {host.id: realm for host in self._hosts() if (realm := _realm(host))}

    def _hosts(self) -> list[Found]:
        from pyVmomi import vim

        return self.fetch(
            vim.HostSystem,
            ("parent", "runtime.connectionState", "runtime.inMaintenanceMode"),
        )

    def _compute_resources(self) -> list[tuple[Found, Found]]:
        from pyVmomi import vim

        pairs = []
        for datacenter in self.fetch(
            vim.Datacenter, ("name", "hostFolder", "vmFolder")
        ):
            resources = self.fetch(
                vim.ComputeResource,
                ("name", "overallStatus", "resourcePool"),
                datacenter.get("hostFolder"),
            )
            pairs += [(datacenter, resource) for resource in resources]
        return pairs


def _realm(host: Found) -> str | None:
    parent = host.get("parent")
    return str(parent._moId) if parent is not None else None


def _usable(host: Found) -> bool:
    return host.get("runtime.connectionState") == "connected" and not host.get(
        "runtime.inMaintenanceMode"
    )
