"""Block storage: volumes (attach, detach, snapshot) and their snapshots."""

from __future__ import annotations

from typing import TYPE_CHECKING

from deltaflask.client.resource import Resource
from deltaflask.client.resource import link_id

if TYPE_CHECKING:
    from deltaflask.client.compute import Instance


def instance_id_of(instance: Instance | str) -> str:
    """An instance's id, given the instance or its id."""
    return instance if isinstance(instance, str) else instance.id


class StorageVolume(Resource):
    """A block device; ``attach``/``detach`` answer 202 with its new state."""

    collection = "storage_volumes"
    member = "storage_volume"
    columns = ("id", "name", "state", "capacity", "realm", "instance", "device")

    @property
    def instance_id(self) -> str | None:
        """The instance it is attached to."""
        return link_id(self.data.get("instance"))

    @property
    def realm_id(self) -> str | None:
        """The realm it lives in."""
        return link_id(self.data.get("realm"))

    def attach(
        self, instance: Instance | str, device: str | None = None
    ) -> StorageVolume:
        """Attach to ``instance`` at ``device`` (``/dev/sdc`` when not given)."""
        params = {
            "instance_id": instance_id_of(instance),
            "device": device or "/dev/sdc",
        }
        return self.post("attach", params)

    def detach(self) -> StorageVolume:
        """Detach from its instance."""
        return self.post("detach")

    def snapshot(self, name: str | None = None, **params: str) -> StorageSnapshot:
        """A new snapshot of this volume."""
        fields = {"volume_id": self.id, **params}
        if name:
            fields["name"] = name
        return self.client.storage_snapshots.create(**fields)


class StorageSnapshot(Resource):
    """A point-in-time copy of a volume."""

    collection = "storage_snapshots"
    member = "storage_snapshot"
    columns = ("id", "name", "state", "storage_volume", "created")

    @property
    def volume_id(self) -> str | None:
        """The volume it copies."""
        return link_id(self.data.get("storage_volume"))
