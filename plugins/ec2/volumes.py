"""EBS volumes: list, create (size, zone, snapshot, name), attach, detach, destroy.

AWS volume states (``creating``, ``available``, ``in-use`` ...) are shown
upper-cased as the classic API's states (``CREATING``, ``AVAILABLE``,
``IN-USE`` ...). The name and description live in the ``Name`` and
``Description`` tags.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deltaflask.drivers import VolumeCreate
from deltaflask.drivers.base import filter_on
from deltaflask.errors import Conflict
from deltaflask.errors import ValidationFailure
from deltaflask.models import StorageVolume
from deltaflask.plugins.ec2.base import Ec2Base
from deltaflask.plugins.ec2.calls import DESCRIPTION_TAG
from deltaflask.plugins.ec2.calls import ids_of
from deltaflask.plugins.ec2.calls import only
from deltaflask.plugins.ec2.calls import paged
from deltaflask.plugins.ec2.calls import tag
from deltaflask.plugins.ec2.calls import tagged
from deltaflask.plugins.ec2.calls import timestamp
from deltaflask.plugins.ec2.calls import where
from deltaflask.plugins.ec2.errors import aws_errors

MAX_CAPACITY_GB = 16384


class Ec2Volumes(Ec2Base):
    """EBS volume operations of the ec2 driver (mixed into ``Ec2Driver``)."""

    def storage_volumes(self, filters: Mapping[str, Any]) -> list[StorageVolume]:
        """Volumes filtered by id and state (unknown ids are simply absent)."""
        query = where("volume-id", ids_of(filters))
        volumes = paged(self.ec2, "describe_volumes", "Volumes", **query)
        return filter_on([_to_volume(item) for item in volumes], filters, "state")

    def create_storage_volume(self, request: VolumeCreate) -> StorageVolume:
        """A new volume of ``capacity`` GB (default 1, or the snapshot's size)."""
        params: dict[str, Any] = {"AvailabilityZone": self._zone(request.realm_id)}
        if request.capacity or not request.snapshot_id:
            params["Size"] = _capacity(request.capacity or "1")
        if request.snapshot_id:
            self._require_snapshot(request.snapshot_id)
            params["SnapshotId"] = request.snapshot_id
        params.update(tagged("volume", request.name, request.description))
        with aws_errors():
            created = self.ec2.create_volume(**params)
        return _to_volume(created)

    def destroy_storage_volume(self, volume_id: str) -> None:
        """Delete a volume that is not attached (409 while it is)."""
        volume = self._volume(volume_id)
        if volume.instance_id:
            raise Conflict(
                f"Volume '{volume_id}' is attached to '{volume.instance_id}'; "
                "detach it first"
            )
        with aws_errors():
            self.ec2.delete_volume(VolumeId=volume_id)

    def attach_storage_volume(
        self, volume_id: str, instance_id: str, device: str | None
    ) -> StorageVolume:
        """Attach an available volume to ``instance_id`` at ``device`` (EC2
        needs one: ``None`` picks the first free of ``/dev/sdf`` ... ``sdp``)."""
        volume = self._volume(volume_id)
        if volume.instance_id:
            raise Conflict(
                f"Volume '{volume_id}' is already attached to '{volume.instance_id}'"
            )
        device = device or self._free_device(instance_id)
        with aws_errors():
            self.ec2.attach_volume(
                VolumeId=volume_id, InstanceId=instance_id, Device=device
            )
        return self._volume(volume_id)

    def detach_storage_volume(self, volume_id: str) -> StorageVolume:
        """Detach a volume from the instance it is attached to."""
        volume = self._volume(volume_id)
        if not volume.instance_id or not volume.device:
            raise Conflict(f"Volume '{volume_id}' is not attached")
        with aws_errors():
            self.ec2.detach_volume(
                VolumeId=volume_id, InstanceId=volume.instance_id, Device=volume.device
            )
        return self._volume(volume_id)

    def _free_device(self, instance_id: str) -> str:
        """The first of ``/dev/sdf`` ... ``/dev/sdp`` the instance does not use
        (as ``sdX`` or ``xvdX``); 409 when all are taken."""
        found = self.instances({"id": instance_id})
        instance = only(found, f"Instance '{instance_id}'")
        names = [
            (device or "").rsplit("/", 1)[-1] for _, device in instance.storage_volumes
        ]
        used = {name.removeprefix("xv").removeprefix("s") for name in names}
        for letter in "fghijklmnop":
            if f"d{letter}" not in used:
                return f"/dev/sd{letter}"
        raise Conflict(f"Instance '{instance_id}' has no free device; name one")

    def _volume(self, volume_id: str) -> StorageVolume:
        return only(
            self.storage_volumes({"id": volume_id}), f"Storage volume '{volume_id}'"
        )

    def _zone(self, realm_id: str | None) -> str:
        """``realm_id`` if it is an available zone, else the region's first one."""
        with aws_errors():
            zones = (
                self.ec2.describe_availability_zones(
                    Filters=[{"Name": "state", "Values": ["available"]}]
                ).get("AvailabilityZones")
                or []
            )
        names = [str(zone["ZoneName"]) for zone in zones]
        if realm_id:
            if realm_id not in names:
                raise ValidationFailure(f"Realm '{realm_id}' does not exist.")
            return realm_id
        if not names:
            raise ValidationFailure(
                f"Region '{self.provider}' has no available zone; give a realm_id"
            )
        return names[0]

    def _require_snapshot(self, snapshot_id: str) -> None:
        with aws_errors():
            found = self.ec2.describe_snapshots(
                Filters=[{"Name": "snapshot-id", "Values": [snapshot_id]}]
            ).get("Snapshots")
        if not found:
            raise ValidationFailure(f"Snapshot '{snapshot_id}' does not exist.")


def _capacity(value: str) -> int:
    capacity = value.strip()
    if not capacity.isdigit() or not 1 <= int(capacity) <= MAX_CAPACITY_GB:
        raise ValidationFailure(
            f"capacity must be a whole number of GB between 1 and {MAX_CAPACITY_GB}"
        )
    return int(capacity)


def _to_volume(item: Mapping[str, Any]) -> StorageVolume:
    attachment = next(
        (
            a
            for a in item.get("Attachments") or []
            if a.get("State") in ("attaching", "attached", "busy")
        ),
        None,
    )
    size = item.get("Size")
    return StorageVolume(
        id=str(item["VolumeId"]),
        name=tag(item),
        description=tag(item, DESCRIPTION_TAG),
        created=timestamp(item.get("CreateTime")),
        state=str(item.get("State") or "unknown").upper(),
        capacity=None if size is None else str(size),
        realm_id=item.get("AvailabilityZone"),
        instance_id=attachment.get("InstanceId") if attachment else None,
        device=attachment.get("Device") if attachment else None,
        kind=item.get("VolumeType"),
        extra={"snapshot_id": item["SnapshotId"]} if item.get("SnapshotId") else {},
    )
