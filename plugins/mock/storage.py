"""Mock block storage: volumes (attach, detach) and snapshots."""

from __future__ import annotations

import secrets
import string
import time
from collections.abc import Mapping
from typing import Any

from deltaflask.drivers import VolumeCreate
from deltaflask.drivers.base import filter_on
from deltaflask.errors import Conflict
from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ValidationFailure
from deltaflask.models import StorageSnapshot
from deltaflask.models import StorageVolume
from deltaflask.plugins.mock.base import MockBase
from deltaflask.plugins.mock.blob_store import now
from deltaflask.plugins.mock.profiles import REALM_IDS
from deltaflask.plugins.mock.store import check_id

MAX_CAPACITY_GB = 16384
DEVICE_CHARS = frozenset(string.ascii_letters + string.digits + "/_-:.")


def _clock_id(prefix: str) -> str:
    """``<prefix><unix seconds>`` plus a suffix so ids never collide (spec 14.5 #33)."""
    return f"{prefix}{int(time.time())}-{secrets.token_hex(3)}"


class MockStorage(MockBase):
    """Volume and snapshot operations of the mock driver (mixed into ``MockDriver``)."""

    # volumes -------------------------------------------------------------------
    def storage_volumes(self, filters: Mapping[str, Any]) -> list[StorageVolume]:
        """Volumes filtered by id and state."""
        self.user()
        wanted = filters.get("id")
        found = [_to_volume(v) for v in self.store.listed("storage_volumes", wanted)]
        return filter_on(found, filters, "state")

    def create_storage_volume(self, request: VolumeCreate) -> StorageVolume:
        """A new AVAILABLE volume of ``capacity`` GB (default 1)."""
        self.user()
        capacity = (request.capacity or "1").strip()
        too_long = len(capacity) > len(str(MAX_CAPACITY_GB))
        if (
            too_long
            or not capacity.isdigit()
            or not 1 <= int(capacity) <= MAX_CAPACITY_GB
        ):
            raise ValidationFailure(
                f"capacity must be a whole number of GB between 1 and {MAX_CAPACITY_GB}"
            )
        if request.realm_id and request.realm_id not in REALM_IDS:
            raise ValidationFailure(f"Realm '{request.realm_id}' does not exist.")
        if (
            request.snapshot_id
            and self.store.load("storage_snapshots", request.snapshot_id) is None
        ):
            raise ValidationFailure(f"Snapshot '{request.snapshot_id}' does not exist.")
        with self.store.transaction():
            volume_id = _clock_id("volume_")
            entity = {
                "id": volume_id,
                "name": request.name or f"Volume{volume_id}",
                "description": request.description,
                "created": now(),
                "state": "AVAILABLE",
                "capacity": capacity,
                "realm_id": request.realm_id,
                "snapshot_id": request.snapshot_id,
                "instance_id": None,
                "device": None,
            }
            self.store.save("storage_volumes", entity)
        return _to_volume(entity)

    def destroy_storage_volume(self, volume_id: str) -> None:
        """Delete a volume that is not attached."""
        self.user()
        with self.store.transaction():
            volume = self._volume(volume_id)
            if volume.get("instance_id"):
                raise Conflict(f"Volume '{volume_id}' is attached; detach it first")
            self.store.delete("storage_volumes", volume_id)

    def attach_storage_volume(
        self, volume_id: str, instance_id: str, device: str | None
    ) -> StorageVolume:
        """Attach an AVAILABLE volume to one of the user's instances, at
        ``device`` or (``None``) the instance's next free ``/dev/sdX``."""
        user = self.user()
        if device is not None and (
            not device or len(device) > 64 or not set(device) <= DEVICE_CHARS
        ):
            raise ValidationFailure("device must be a device path such as /dev/sdc")
        with self.store.transaction():
            volume = self._volume(volume_id)
            instance = self.store.load("instances", instance_id)
            if instance is None or instance.get("owner_id") != user:
                raise ObjectNotFound(f"Instance '{instance_id}' not found")
            if volume.get("instance_id"):
                raise Conflict(
                    f"Volume '{volume_id}' is already attached to "
                    f"'{volume['instance_id']}'"
                )
            mappings = [
                m for m in instance.get("storage_volumes") or [] if volume_id not in m
            ]
            device = device or _free_device(mappings)
            volume.update(instance_id=instance_id, device=device, state="IN-USE")
            instance["storage_volumes"] = [*mappings, {volume_id: device}]
            self.store.save("instances", instance)
            self.store.save("storage_volumes", volume)
        return _to_volume(volume)

    def detach_storage_volume(self, volume_id: str) -> StorageVolume:
        """Detach a volume from its instance; it is AVAILABLE again."""
        self.user()
        with self.store.transaction():
            volume = self._volume(volume_id)
            instance_id = volume.get("instance_id")
            if not instance_id:
                raise Conflict(f"Volume '{volume_id}' is not attached")
            instance = self.store.load("instances", instance_id)
            if instance is not None:
                instance["storage_volumes"] = [
                    m
                    for m in instance.get("storage_volumes") or []
                    if volume_id not in m
                ]
                self.store.save("instances", instance)
            volume.update(instance_id=None, device=None, state="AVAILABLE")
            self.store.save("storage_volumes", volume)
        return _to_volume(volume)

    def _volume(self, volume_id: str) -> dict[str, Any]:
        check_id(volume_id, "volume id")
        return self.store.require("storage_volumes", volume_id, "Storage volume")

    # snapshots -----------------------------------------------------------------
    def storage_snapshots(self, filters: Mapping[str, Any]) -> list[StorageSnapshot]:
        """Snapshots filtered by id."""
        self.user()
        wanted = filters.get("id")
        return [_to_snapshot(s) for s in self.store.listed("storage_snapshots", wanted)]

    def create_storage_snapshot(
        self, volume_id: str, name: str | None, description: str | None
    ) -> StorageSnapshot:
        """A COMPLETED snapshot of an existing volume."""
        self.user()
        with self.store.transaction():
            self._volume(volume_id)
            entity = {
                "id": _clock_id("store_snapshot_"),
                "storage_volume_id": volume_id,
                "state": "COMPLETED",
                "created": now(),
                "name": name,
                "description": description,
            }
            self.store.save("storage_snapshots", entity)
        return _to_snapshot(entity)

    def destroy_storage_snapshot(self, snapshot_id: str) -> None:
        """Delete a snapshot."""
        self.user()
        check_id(snapshot_id, "snapshot id")
        if not self.store.delete("storage_snapshots", snapshot_id):
            raise ObjectNotFound(f"Storage snapshot '{snapshot_id}' not found")


def _free_device(mappings: list[dict[str, str]]) -> str:
    """The first of ``/dev/sdb`` ... ``/dev/sdz`` no mapping uses (409 if none)."""
    used = {device for mapping in mappings for device in mapping.values()}
    for letter in string.ascii_lowercase[1:]:
        if f"/dev/sd{letter}" not in used:
            return f"/dev/sd{letter}"
    raise Conflict("The instance has no free device left; name one")


def _to_volume(data: dict[str, Any]) -> StorageVolume:
    capacity = data.get("capacity")
    return StorageVolume(
        id=data["id"],
        name=data.get("name"),
        description=data.get("description"),
        created=data.get("created"),
        state=data.get("state"),
        capacity=None if capacity is None else str(capacity),
        realm_id=data.get("realm_id"),
        instance_id=data.get("instance_id"),
        device=data.get("device"),
        kind=data.get("kind"),
    )


def _to_snapshot(data: dict[str, Any]) -> StorageSnapshot:
    return StorageSnapshot(
        id=data["id"],
        storage_volume_id=data.get("storage_volume_id"),
        state=data.get("state"),
        created=data.get("created"),
        name=data.get("name"),
        description=data.get("description"),
    )
