"""EBS snapshots: list the account's own, create from a volume, destroy.

AWS snapshot states (``pending``, ``completed``, ``error``) are shown
upper-cased; the name lives in the ``Name`` tag and the description is the
snapshot's own description.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deltaflask.drivers.base import as_list
from deltaflask.errors import ProviderError
from deltaflask.models import StorageSnapshot
from deltaflask.plugins.ec2.base import Ec2Base
from deltaflask.plugins.ec2.calls import paged
from deltaflask.plugins.ec2.calls import tag
from deltaflask.plugins.ec2.calls import tagged
from deltaflask.plugins.ec2.calls import timestamp
from deltaflask.plugins.ec2.errors import aws_errors


class Ec2Snapshots(Ec2Base):
    """EBS snapshot operations of the ec2 driver (mixed into ``Ec2Driver``)."""

    def storage_snapshots(self, filters: Mapping[str, Any]) -> list[StorageSnapshot]:
        """The account's snapshots, filtered by id (unknown ids are absent).

        Besides ``OwnerIds=self``, an ``owner-id`` filter names the caller's
        account (from STS, where the cloud has it) for EC2 look-alikes, moto
        among them, that ignore ``OwnerIds`` and list every public snapshot.
        """
        query: dict[str, Any] = {"OwnerIds": ["self"], "Filters": []}
        account = self._account()
        if account:
            query["Filters"].append({"Name": "owner-id", "Values": [account]})
        if filters.get("id"):
            query["Filters"].append(
                {"Name": "snapshot-id", "Values": as_list(filters["id"])}
            )
        snapshots = paged(self.ec2, "describe_snapshots", "Snapshots", **query)
        return [_to_snapshot(item) for item in snapshots]

    def _account(self) -> str | None:
        """The caller's account id, or ``None`` where the cloud has no STS."""
        try:
            with aws_errors():
                return str(self.client("sts").get_caller_identity()["Account"])
        except ProviderError:
            return None

    def create_storage_snapshot(
        self, volume_id: str, name: str | None, description: str | None
    ) -> StorageSnapshot:
        """Snapshot an existing volume (AWS answers 404 for an unknown one)."""
        params: dict[str, Any] = {"VolumeId": volume_id}
        if description:
            params["Description"] = description
        params.update(tagged("snapshot", name))
        with aws_errors():
            created = self.ec2.create_snapshot(**params)
        return _to_snapshot(created)

    def destroy_storage_snapshot(self, snapshot_id: str) -> None:
        """Delete one of the account's snapshots."""
        with aws_errors():
            self.ec2.delete_snapshot(SnapshotId=snapshot_id)


def _to_snapshot(item: Mapping[str, Any]) -> StorageSnapshot:
    return StorageSnapshot(
        id=str(item["SnapshotId"]),
        storage_volume_id=item.get("VolumeId"),
        state=str(item.get("State") or "unknown").upper(),
        created=timestamp(item.get("StartTime")),
        name=tag(item),
        description=item.get("Description") or None,
    )
