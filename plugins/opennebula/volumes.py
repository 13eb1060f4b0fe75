"""Storage volumes from OpenNebula's persistent DATABLOCK images.

A volume is an empty persistent disk image in an image datastore; its realm
is the datastore's (first) cluster, so a volume made for a realm lands in an
image datastore of that cluster. Attaching hot-plugs the image into a VM as a
disk (``one.vm.attach``) with the device's name as its ``TARGET``; detaching
unplugs it. Other images (OS, CD-ROM, contextualization files) are what
templates boot from and are not listed. OpenNebula has no volume snapshots
apart from a disk's own, so there are no storage snapshots.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from typing import Any

from deltaflask.drivers import VolumeCreate
from deltaflask.drivers.base import filter_on
from deltaflask.errors import Conflict
from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ValidationFailure
from deltaflask.models import StorageVolume
from deltaflask.plugins.opennebula.base import ALL_VISIBLE
from deltaflask.plugins.opennebula.base import OneBase
from deltaflask.plugins.opennebula.base import one_id
from deltaflask.plugins.opennebula.base import pool_items
from deltaflask.plugins.opennebula.base import template_text
from deltaflask.plugins.opennebula.base import timestamp
from deltaflask.plugins.opennebula.base import vectors
from deltaflask.plugins.opennebula.base import wanted_ids

DATABLOCK = 2
IMAGE_DATASTORE = 0
MAX_CAPACITY_GB = 16384
#: IMAGE_STATES -> volume state
STATES = {
    0: "CREATING",  # INIT
    1: "AVAILABLE",  # READY
    2: "IN-USE",  # USED
    3: "UNAVAILABLE",  # DISABLED
    4: "CREATING",  # LOCKED
    5: "ERROR",  # ERROR
    6: "CREATING",  # CLONE
    7: "DELETING",  # DELETE
    8: "IN-USE",  # USED_PERS
    9: "IN-USE",  # LOCKED_USED
    10: "IN-USE",  # LOCKED_USED_PERS
}
_DEVICE = re.compile(r"^(?:/dev/)?([a-z]{2,3}[a-z])$")


def capacity_gb(value: str | None) -> int:
    """A capacity in whole GB (1 by default), or a 400."""
    text = (value or "1").strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_CAPACITY_GB:
        raise ValidationFailure(
            f"capacity must be a whole number of GB between 1 and {MAX_CAPACITY_GB}"
        )
    return int(text)


def target(device: str) -> str:
    """The disk ``TARGET`` of a device name (``/dev/sdf`` -> ``sdf``), or a 400."""
    found = _DEVICE.match(device.strip())
    if found is None:
        raise ValidationFailure(f"device '{device}' is no disk name such as /dev/sdf")
    return found.group(1)


class OneVolumes(OneBase):
    """Storage volumes of the opennebula driver."""

    def storage_volumes(self, filters: Mapping[str, Any]) -> list[StorageVolume]:
        """Persistent DATABLOCK images, filtered by ``id`` and ``state``."""
        ids = wanted_ids(filters)
        if ids:
            images = [i for w in ids if (i := self.info("image.info", w)) is not None]
        else:
            pool = self.call("imagepool.info", ALL_VISIBLE, -1, -1)
            images = pool_items(pool, "IMAGE")
        images = [i for i in images if int(i.TYPE) == DATABLOCK and int(i.PERSISTENT)]
        if not images:
            return []
        realms = self._datastore_realms()
        found = [self._to_volume(i, realms) for i in images]
        return filter_on(found, filters, "state")

    def _datastores(self) -> list[Any]:
        return pool_items(self.call("datastorepool.info"), "DATASTORE")

    def _datastore_realms(self) -> dict[int, str]:
        return {
            int(d.ID): str(clusters[0])
            for d in self._datastores()
            if (clusters := getattr(d.CLUSTERS, "ID", None) or [])
        }

    def _to_volume(self, image: Any, realms: dict[int, str]) -> StorageVolume:
        vm_ids = list(getattr(image.VMS, "ID", None) or []) if image.VMS else []
        instance_id = str(vm_ids[0]) if vm_ids else None
        device = self._device(vm_ids[0], int(image.ID)) if vm_ids else None
        template = image.TEMPLATE or {}
        return StorageVolume(
            id=str(image.ID),
            name=str(image.NAME),
            description=str(template["DESCRIPTION"])
            if "DESCRIPTION" in template
            else None,
            created=timestamp(image.REGTIME),
            state=STATES.get(int(image.STATE), "UNAVAILABLE"),
            capacity=str(max(1, int(image.SIZE) // 1024)),
            realm_id=realms.get(int(image.DATASTORE_ID)),
            instance_id=instance_id,
            device=device,
        )

    def _device(self, vm_id: Any, image_id: int) -> str | None:
        disk = self._disk(int(vm_id), image_id)
        return f"/dev/{disk['TARGET']}" if disk and disk.get("TARGET") else None

    def _disk(self, vm_id: int, image_id: int) -> Mapping[str, Any] | None:
        vm = self.info("vm.info", str(vm_id))
        disks = vectors(vm.TEMPLATE if vm is not None else None, "DISK")
        return next((d for d in disks if str(d.get("IMAGE_ID")) == str(image_id)), None)

    def create_storage_volume(self, request: VolumeCreate) -> StorageVolume:
        """An empty persistent DATABLOCK of ``capacity`` GB in the realm's
        image datastore (the first image datastore without a realm)."""
        if request.snapshot_id:
            raise ValidationFailure("opennebula has no volume snapshots to start from")
        size_mb = capacity_gb(request.capacity) * 1024
        datastore = self._image_datastore(request.realm_id)
        template = {
            "NAME": template_text(
                request.name or f"volume-{secrets.token_hex(4)}", "name"
            ),
            "TYPE": "DATABLOCK",
            "SIZE": str(size_mb),
            "PERSISTENT": "YES",
        }
        if request.description:
            template["DESCRIPTION"] = template_text(request.description, "description")
        image_id = self.call("image.allocate", {"TEMPLATE": template}, datastore)
        return self._volume(str(image_id))

    def _image_datastore(self, realm_id: str | None) -> int:
        stores = [d for d in self._datastores() if int(d.TYPE) == IMAGE_DATASTORE]
        if realm_id is not None:
            if self.info("cluster.info", realm_id) is None:
                raise ValidationFailure(f"Realm '{realm_id}' does not exist.")
            stores = [
                d
                for d in stores
                if int(realm_id)
                in {int(c) for c in (getattr(d.CLUSTERS, "ID", None) or [])}
            ]
        if not stores:
            raise ValidationFailure(
                f"Realm '{realm_id}' has no image datastore for volumes"
                if realm_id
                else "OpenNebula has no image datastore for volumes"
            )
        return int(stores[0].ID)

    def destroy_storage_volume(self, volume_id: str) -> None:
        """Delete a volume no instance uses (409: detach it first)."""
        volume = self._volume(volume_id)
        if volume.instance_id:
            raise Conflict(
                f"Volume '{volume_id}' is attached to instance "
                f"'{volume.instance_id}': detach it first"
            )
        self.call("image.delete", int(volume_id))

    def attach_storage_volume(
        self, volume_id: str, instance_id: str, device: str | None
    ) -> StorageVolume:
        """Hot-plug the volume into a running or powered-off VM."""
        volume = self._volume(volume_id)
        if volume.instance_id:
            raise Conflict(
                f"Volume '{volume_id}' is attached to instance '{volume.instance_id}'"
            )
        disk = {"IMAGE_ID": volume_id}
        if device:
            disk["TARGET"] = target(device)
        vm_id = one_id(instance_id)
        if vm_id is None or self.info("vm.info", instance_id) is None:
            raise ValidationFailure(f"Instance '{instance_id}' does not exist.")
        self.call("vm.attach", vm_id, {"TEMPLATE": {"DISK": disk}})
        return self._volume(volume_id)

    def detach_storage_volume(self, volume_id: str) -> StorageVolume:
        """Unplug the volume from its VM."""
        volume = self._volume(volume_id)
        if not volume.instance_id:
            raise Conflict(f"Volume '{volume_id}' is not attached")
        vm_id = int(volume.instance_id)
        disk = self._disk(vm_id, int(volume_id))
        if disk is None:
            raise Conflict(f"Volume '{volume_id}' is not attached")
        self.call("vm.detach", vm_id, int(disk["DISK_ID"]))
        return self._volume(volume_id)

    def _volume(self, volume_id: str) -> StorageVolume:
        found = self.storage_volumes({"id": volume_id})
        if not found:
            raise ObjectNotFound(f"Storage volume '{volume_id}' not found")
        return found[0]
