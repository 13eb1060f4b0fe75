"""Volumes: the engine's disks, attached to VMs through disk attachments.

A disk lives on a storage domain of a data center, not in a cluster: its realm
is the cluster of the VM it is attached to, else its data center's cluster when
that data center has just one. The engine picks the guest device; the device a
volume shows is the name the guest agent reports (none until it does), and a
requested device only chooses the bus: ``/dev/vdX`` virtio, ``/dev/sdX``
virtio-scsi (the default).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from deltaflask.drivers import VolumeCreate
from deltaflask.drivers.base import filter_on
from deltaflask.errors import Conflict
from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ValidationFailure
from deltaflask.models import StorageVolume
from deltaflask.plugins.rhevm.base import RhevmBase
from deltaflask.plugins.rhevm.calls import GIB
from deltaflask.plugins.rhevm.calls import ids_of
from deltaflask.plugins.rhevm.calls import listed
from deltaflask.plugins.rhevm.calls import value_of

MAX_CAPACITY_GB = 65536
#: disk status -> volume state (an attached disk is IN-USE)
VOLUME_STATES = {"ok": "AVAILABLE", "locked": "CREATING", "illegal": "ERROR"}
DEVICE_BUS = (("/dev/vd", "virtio"), ("/dev/sd", "virtio_scsi"))
DEVICE_NAME = re.compile(r"^/dev/[sv]d[a-z]{1,2}$")


class RhevmVolumes(RhevmBase):
    """Disk operations of the rhevm driver (mixed into ``RhevmDriver``)."""

    def storage_volumes(self, filters: Mapping[str, Any]) -> list[StorageVolume]:
        """Disks filtered by ``id`` and ``state``."""
        service = self.system.disks_service()
        wanted = ids_of(filters)
        if wanted:
            disks = [
                d
                for d in (self.fetched(service.disk_service(i).get) for i in wanted)
                if d is not None
            ]
        else:
            disks = listed(self, service)
        if not disks:
            return []
        placement = self._placement()
        found = [to_volume(disk, placement) for disk in disks]
        return filter_on(found, filters, "state")

    def _placement(self) -> Placement:
        """Where disks are: attachments by disk, and the realm of each domain."""
        system = self.system
        vms = listed(self, system.vms_service(), follow="disk_attachments")
        clusters = listed(self, system.clusters_service())
        domains = listed(self, system.storage_domains_service())
        by_center: dict[str, list[str]] = {}
        for cluster in clusters:
            if cluster.data_center is not None:
                by_center.setdefault(cluster.data_center.id, []).append(cluster.id)
        domain_realm = {}
        for domain in domains:
            centers = [dc.id for dc in domain.data_centers or []]
            realms = [c for dc in centers for c in by_center.get(dc, [])]
            domain_realm[domain.id] = realms[0] if len(realms) == 1 else None
        attached = {
            attachment.id: (vm.id, vm.cluster.id if vm.cluster else None, attachment)
            for vm in vms
            for attachment in vm.disk_attachments or []
        }
        return Placement(attached, domain_realm)

    def create_storage_volume(self, request: VolumeCreate) -> StorageVolume:
        """A new thin (cow) disk of ``capacity`` GB on a data domain of the
        realm's data center."""
        import ovirtsdk4.types as types

        if request.snapshot_id:
            raise ValidationFailure("rhevm has no snapshots")
        size = capacity(request.capacity or "1")
        domain = self._data_domain(request.realm_id)
        disk = types.Disk(
            name=request.name or "deltaflask-volume",
            description=request.description,
            format=types.DiskFormat.COW,
            provisioned_size=size * GIB,
            storage_domains=[types.StorageDomain(id=domain)],
        )
        with self.engine():
            created = self.system.disks_service().add(disk)
        return self._volume(created.id)

    def _data_domain(self, realm_id: str | None) -> str:
        """The first data storage domain of the realm's (or any) data center."""
        center = None
        if realm_id:
            realm = self.fetched(
                self.system.clusters_service().cluster_service(realm_id).get
            )
            if realm is None:
                raise ValidationFailure(f"Realm '{realm_id}' does not exist.")
            center = realm.data_center.id if realm.data_center else None
        for domain in listed(self, self.system.storage_domains_service()):
            centers = {dc.id for dc in domain.data_centers or []}
            if value_of(domain.type) == "data" and (
                center is None or center in centers
            ):
                return str(domain.id)
        raise ValidationFailure("No data storage domain can hold the volume")

    def destroy_storage_volume(self, volume_id: str) -> None:
        """Delete a disk that is not attached (409 while it is)."""
        volume = self._volume(volume_id)
        if volume.instance_id:
            raise Conflict(
                f"Volume '{volume_id}' is attached to '{volume.instance_id}'; "
                "detach it first"
            )
        with self.engine():
            self.system.disks_service().disk_service(volume_id).remove()

    def attach_storage_volume(
        self, volume_id: str, instance_id: str, device: str | None
    ) -> StorageVolume:
        """Attach a free disk to a VM, on the bus ``device`` names."""
        import ovirtsdk4.types as types

        bus = device_bus(device)
        volume = self._volume(volume_id)
        if volume.instance_id:
            raise Conflict(
                f"Volume '{volume_id}' is already attached to '{volume.instance_id}'"
            )
        if self.instance(instance_id) is None:
            raise ValidationFailure(f"Instance '{instance_id}' does not exist.")
        service = self.system.vms_service().vm_service(instance_id)
        with self.engine():
            service.disk_attachments_service().add(
                types.DiskAttachment(
                    disk=types.Disk(id=volume_id),
                    interface=types.DiskInterface(bus),
                    active=True,
                    bootable=False,
                )
            )
        return self._volume(volume_id)

    def detach_storage_volume(self, volume_id: str) -> StorageVolume:
        """Detach a disk from its VM, keeping the disk."""
        volume = self._volume(volume_id)
        if not volume.instance_id:
            raise Conflict(f"Volume '{volume_id}' is not attached")
        with self.engine():
            vm = self.system.vms_service().vm_service(volume.instance_id)
            attachment = vm.disk_attachments_service().attachment_service(volume_id)
            attachment.remove(detach_only=True)
        return self._volume(volume_id)

    def _volume(self, volume_id: str) -> StorageVolume:
        found = self.storage_volumes({"id": volume_id})
        if not found:
            raise ObjectNotFound(f"Storage volume '{volume_id}' not found")
        return found[0]


@dataclass(frozen=True, slots=True)
class Placement:
    """Where disks are: the (VM, its cluster, the attachment) each attached
    disk belongs to, and the realm of each storage domain (if unambiguous)."""

    attached: dict[str, tuple[str, str | None, Any]]
    domain_realm: dict[str, str | None]


def capacity(value: str) -> int:
    """A capacity in whole GB, or a 400."""
    text = value.strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_CAPACITY_GB:
        raise ValidationFailure(
            f"capacity must be a whole number of GB between 1 and {MAX_CAPACITY_GB}"
        )
    return int(text)


def device_bus(device: str | None) -> str:
    """The disk interface a requested device name asks for."""
    if not device:
        return "virtio_scsi"
    if DEVICE_NAME.match(device):
        return next(bus for prefix, bus in DEVICE_BUS if device.startswith(prefix))
    raise ValidationFailure(
        f"device '{device}': the engine names devices itself; give /dev/sdX "
        "(virtio-scsi) or /dev/vdX (virtio), or none"
    )


def to_volume(disk: Any, placement: Placement) -> StorageVolume:
    """A volume from an engine disk."""
    vm_id, cluster_id, attachment = placement.attached.get(disk.id, (None, None, None))
    domains = [d.id for d in disk.storage_domains or []]
    realm = cluster_id or next(
        (
            placement.domain_realm.get(d)
            for d in domains
            if placement.domain_realm.get(d)
        ),
        None,
    )
    state = VOLUME_STATES.get(value_of(disk.status) or "", "ERROR")
    return StorageVolume(
        id=str(disk.id),
        name=disk.name or disk.alias,
        description=disk.description or None,
        state="IN-USE" if vm_id and state == "AVAILABLE" else state,
        capacity=str(int(disk.provisioned_size or 0) // GIB),
        realm_id=realm,
        instance_id=vm_id,
        device=attachment.logical_name if attachment is not None else None,
        kind=value_of(disk.format),
    )
