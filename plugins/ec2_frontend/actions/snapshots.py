"""Snapshots: Describe, Create and DeleteSnapshot."""

from __future__ import annotations

from deltaflask.drivers import BaseDriver
from deltaflask.models import StorageSnapshot
from deltaflask.plugins.ec2_frontend.actions.common import Item
from deltaflask.plugins.ec2_frontend.actions.common import apply_filters
from deltaflask.plugins.ec2_frontend.actions.common import check_found
from deltaflask.plugins.ec2_frontend.actions.common import existing
from deltaflask.plugins.ec2_frontend.actions.common import max_results
from deltaflask.plugins.ec2_frontend.actions.common import paginate
from deltaflask.plugins.ec2_frontend.actions.common import path
from deltaflask.plugins.ec2_frontend.actions.common import state_name
from deltaflask.plugins.ec2_frontend.dispatch import action
from deltaflask.plugins.ec2_frontend.params import Params
from deltaflask.plugins.ec2_frontend.params import check_ids
from deltaflask.plugins.ec2_frontend.params import get_list
from deltaflask.plugins.ec2_frontend.params import get_str
from deltaflask.plugins.ec2_frontend.params import require_id
from deltaflask.plugins.ec2_frontend.render import iso_time

NOT_FOUND = "InvalidSnapshot.NotFound"
MALFORMED = "InvalidSnapshotID.Malformed"
STATES = {"PENDING": "pending", "COMPLETED": "completed", "ERROR": "error"}
FILTERS = {
    "snapshot-id": path("snapshotId"),
    "volume-id": path("volumeId"),
    "status": path("status"),
    "description": path("description"),
}


def _item(snapshot: StorageSnapshot, owner: str) -> Item:
    return {
        "snapshotId": snapshot.id,
        "volumeId": snapshot.storage_volume_id,
        "status": state_name(snapshot.state, STATES, "completed"),
        "startTime": iso_time(snapshot.created),
        "progress": "100%",
        "ownerId": owner,
        "description": snapshot.description or "",
        "encrypted": False,
    }


@action("DescribeSnapshots", not_found=NOT_FOUND)
def describe_snapshots(driver: BaseDriver, params: Params) -> Item:
    """Snapshots by ``SnapshotId.N`` and filters, paginated."""
    ids = check_ids(get_list(params, "SnapshotId"), MALFORMED, "snapshot")
    snapshots = driver.storage_snapshots({"id": ids} if ids else {})
    check_found(ids, [snapshot.id for snapshot in snapshots], NOT_FOUND, "snapshot")
    owner = driver.credentials.user
    items = apply_filters([_item(s, owner) for s in snapshots], params, FILTERS)
    page, token = paginate(items, "snapshotId", params, max_results(params, 5, 1000))
    return {"snapshotSet": page, "nextToken": token}


@action("CreateSnapshot", not_found="InvalidVolume.NotFound")
def create_snapshot(driver: BaseDriver, params: Params) -> Item:
    """Snapshot a volume."""
    volume_id = require_id(params, "VolumeId", "InvalidVolumeID.Malformed", "volume")
    existing(
        driver.storage_volume(volume_id), "InvalidVolume.NotFound", "volume", volume_id
    )
    description = get_str(params, "Description")
    snapshot = driver.create_storage_snapshot(volume_id, None, description)
    return _item(snapshot, driver.credentials.user)


@action("DeleteSnapshot", not_found=NOT_FOUND)
def delete_snapshot(driver: BaseDriver, params: Params) -> Item:
    """Delete a snapshot."""
    snapshot_id = require_id(params, "SnapshotId", MALFORMED, "snapshot")
    existing(driver.storage_snapshot(snapshot_id), NOT_FOUND, "snapshot", snapshot_id)
    driver.destroy_storage_snapshot(snapshot_id)
    return {"return": True}
