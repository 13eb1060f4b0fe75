"""Storage volumes are Cinder volumes (named and described, made empty or
from a snapshot), attached and detached through Nova; snapshots are Cinder
snapshots. Creating, attaching, detaching and deleting wait until Cinder is
done, so the answer shows the volume's new state."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deltaflask.drivers import VolumeCreate
from deltaflask.errors import Conflict
from deltaflask.errors import ValidationFailure
from deltaflask.models import StorageSnapshot
from deltaflask.models import StorageVolume
from deltaflask.plugins.openstack.base import OpenStackBase
from deltaflask.plugins.openstack.calls import by_id
from deltaflask.plugins.openstack.calls import one
from deltaflask.plugins.openstack.errors import openstack_errors

#: Cinder snapshot status -> the classic API's snapshot state
SNAPSHOT_STATES = {"creating": "PENDING", "available": "COMPLETED"}


class OpenStackVolumes(OpenStackBase):
    """Volume and snapshot operations of the openstack driver."""

    def storage_volumes(self, filters: Mapping[str, Any]) -> list[StorageVolume]:
        """Volumes, filtered by ``id``."""
        cinder = self.connection().block_storage
        if filters.get("id"):
            return [to_volume(v) for v in by_id(cinder.get_volume, filters["id"])]
        with openstack_errors():
            return [to_volume(v) for v in cinder.volumes(details=True)]

    def create_storage_volume(self, request: VolumeCreate) -> StorageVolume:
        """Create a volume of ``capacity`` GB (or the snapshot's size)."""
        cinder = self.connection().block_storage
        arguments: dict[str, Any] = {}
        if request.capacity not in (None, ""):
            try:
                arguments["size"] = int(str(request.capacity))
            except ValueError:
                raise ValidationFailure("capacity must be a number of GB") from None
            if arguments["size"] < 1:
                raise ValidationFailure("capacity must be at least 1 GB")
        if request.snapshot_id:
            snapshot = by_id(cinder.get_snapshot, request.snapshot_id)
            if not snapshot:
                raise ValidationFailure(
                    f"Snapshot '{request.snapshot_id}' does not exist."
                )
            arguments["snapshot_id"] = request.snapshot_id
            arguments.setdefault("size", snapshot[0].size)
        arguments.setdefault("size", 1)
        if request.realm_id:
            if self.realm(request.realm_id) is None:
                raise ValidationFailure(f"Realm '{request.realm_id}' does not exist.")
            arguments["availability_zone"] = request.realm_id
        if request.name:
            arguments["name"] = request.name
        if request.description:
            arguments["description"] = request.description
        with openstack_errors():
            volume = cinder.create_volume(**arguments)
        return to_volume(self.wait_for(volume, "available", cinder))

    def destroy_storage_volume(self, volume_id: str) -> None:
        """Delete a volume (409 while it is attached)."""
        cinder = self.connection().block_storage
        volume = one(cinder.get_volume, volume_id, "Volume")
        if volume.attachments:
            raise Conflict(
                f"Volume '{volume_id}' is attached to an instance: detach it first"
            )
        with openstack_errors():
            cinder.delete_volume(volume)
        self.wait_gone(volume, cinder)

    def attach_storage_volume(
        self, volume_id: str, instance_id: str, device: str | None
    ) -> StorageVolume:
        """Attach a volume to a server at ``device`` (Nova picks one if none)."""
        conn = self.connection()
        volume = one(conn.block_storage.get_volume, volume_id, "Volume")
        servers = by_id(conn.compute.get_server, instance_id)
        if not servers:
            raise ValidationFailure(f"Instance '{instance_id}' does not exist.")
        if volume.attachments:
            raise Conflict(f"Volume '{volume_id}' is already attached")
        arguments = {"volume_id": volume.id}
        if device:
            arguments["device"] = device
        with openstack_errors():
            conn.compute.create_volume_attachment(servers[0], **arguments)
        return to_volume(self.wait_for(volume, "in-use", conn.block_storage))

    def detach_storage_volume(self, volume_id: str) -> StorageVolume:
        """Detach a volume from its server."""
        conn = self.connection()
        volume = one(conn.block_storage.get_volume, volume_id, "Volume")
        if not volume.attachments:
            raise Conflict(f"Volume '{volume_id}' is not attached")
        with openstack_errors():
            conn.compute.delete_volume_attachment(
                volume.attachments[0]["server_id"], volume.id
            )
        return to_volume(self.wait_for(volume, "available", conn.block_storage))

    def storage_snapshots(self, filters: Mapping[str, Any]) -> list[StorageSnapshot]:
        """Snapshots, filtered by ``id``."""
        cinder = self.connection().block_storage
        if filters.get("id"):
            found = by_id(cinder.get_snapshot, filters["id"])
        else:
            with openstack_errors():
                found = list(cinder.snapshots(details=True))
        return [to_snapshot(s) for s in found]

    def create_storage_snapshot(
        self, volume_id: str, name: str | None, description: str | None
    ) -> StorageSnapshot:
        """Snapshot a volume (``force`` lets an attached volume be snapshot)."""
        cinder = self.connection().block_storage
        if not by_id(cinder.get_volume, volume_id):
            raise ValidationFailure(f"Volume '{volume_id}' does not exist.")
        arguments = {"volume_id": volume_id, "is_forced": True}
        if name:
            arguments["name"] = name
        if description:
            arguments["description"] = description
        with openstack_errors():
            snapshot = cinder.create_snapshot(**arguments)
        return to_snapshot(snapshot)

    def destroy_storage_snapshot(self, snapshot_id: str) -> None:
        """Delete a snapshot."""
        cinder = self.connection().block_storage
        snapshot = one(cinder.get_snapshot, snapshot_id, "Snapshot")
        with openstack_errors():
            cinder.delete_snapshot(snapshot)
        self.wait_gone(snapshot, cinder)


def to_volume(volume: Any) -> StorageVolume:
    """A storage volume from a Cinder volume; its first attachment gives
    the instance and the device."""
    attachment = (volume.attachments or [{}])[0]
    return StorageVolume(
        id=volume.id,
        name=volume.name or None,
        description=volume.description or None,
        created=volume.created_at,
        state=(volume.status or "unknown").upper(),
        capacity=str(volume.size),
        realm_id=volume.availability_zone or None,
        instance_id=attachment.get("server_id"),
        device=attachment.get("device"),
        kind=volume.volume_type or None,
    )


def to_snapshot(snapshot: Any) -> StorageSnapshot:
    """A storage snapshot from a Cinder snapshot."""
    status = snapshot.status or "unknown"
    return StorageSnapshot(
        id=snapshot.id,
        storage_volume_id=snapshot.volume_id,
        state=SNAPSHOT_STATES.get(status, status.upper()),
        created=snapshot.created_at,
        name=snapshot.name or None,
        description=snapshot.description or None,
    )
