"""Volumes: Describe, Create, Attach, Detach and DeleteVolume."""

from __future__ import annotations

from deltaflask.drivers import BaseDriver
from deltaflask.drivers import VolumeCreate
from deltaflask.models import StorageVolume
from deltaflask.plugins.ec2_frontend.actions.common import Item
from deltaflask.plugins.ec2_frontend.actions.common import apply_filters
from deltaflask.plugins.ec2_frontend.actions.common import check_found
from deltaflask.plugins.ec2_frontend.actions.common import existing
from deltaflask.plugins.ec2_frontend.actions.common import max_results
from deltaflask.plugins.ec2_frontend.actions.common import paginate
from deltaflask.plugins.ec2_frontend.actions.common import path
from deltaflask.plugins.ec2_frontend.actions.common import state_name
from deltaflask.plugins.ec2_frontend.actions.instance_items import find_instances
from deltaflask.plugins.ec2_frontend.dispatch import action
from deltaflask.plugins.ec2_frontend.errors import missing_parameter
from deltaflask.plugins.ec2_frontend.params import Params
from deltaflask.plugins.ec2_frontend.params import check_ids
from deltaflask.plugins.ec2_frontend.params import get_int
from deltaflask.plugins.ec2_frontend.params import get_list
from deltaflask.plugins.ec2_frontend.params import get_str
from deltaflask.plugins.ec2_frontend.params import require
from deltaflask.plugins.ec2_frontend.params import require_id
from deltaflask.plugins.ec2_frontend.render import iso_time

NOT_FOUND = "InvalidVolume.NotFound"
MALFORMED = "InvalidVolumeID.Malformed"
STATES = {
    "CREATING": "creating",
    "AVAILABLE": "available",
    "IN-USE": "in-use",
    "IN_USE": "in-use",
    "DELETING": "deleting",
    "ERROR": "error",
}
FILTERS = {
    "volume-id": path("volumeId"),
    "status": path("status"),
    "availability-zone": path("availabilityZone"),
    "size": path("size"),
    "attachment.instance-id": lambda item: [
        a["instanceId"] for a in item["attachmentSet"]
    ],
}


def _size(volume: StorageVolume) -> int | None:
    try:
        return int(float(volume.capacity)) if volume.capacity else None
    except ValueError:
        return None


def _attachment(volume: StorageVolume, status: str) -> Item:
    return {
        "volumeId": volume.id,
        "instanceId": volume.instance_id,
        "device": volume.device,
        "status": status,
        "deleteOnTermination": False,
    }


def volume_item(volume: StorageVolume) -> Item:
    """A volume as a ``volumeSet`` item (also the CreateVolume answer)."""
    status = (
        "in-use"
        if volume.instance_id
        else state_name(volume.state, STATES, "available")
    )
    attached = [_attachment(volume, "attached")] if volume.instance_id else []
    return {
        "volumeId": volume.id,
        "size": _size(volume),
        "snapshotId": volume.extra.get("snapshot_id", ""),
        "availabilityZone": volume.realm_id,
        "status": status,
        "createTime": iso_time(volume.created),
        "attachmentSet": attached,
        "volumeType": "standard",
        "encrypted": False,
        "multiAttachEnabled": False,
    }


def _volume_id(params: Params) -> str:
    return require_id(params, "VolumeId", MALFORMED, "volume")


def _existing(driver: BaseDriver, volume_id: str) -> StorageVolume:
    return existing(driver.storage_volume(volume_id), NOT_FOUND, "volume", volume_id)


@action("DescribeVolumes", not_found=NOT_FOUND)
def describe_volumes(driver: BaseDriver, params: Params) -> Item:
    """Volumes by ``VolumeId.N`` and filters, paginated."""
    ids = check_ids(get_list(params, "VolumeId"), MALFORMED, "volume")
    volumes = driver.storage_volumes({"id": ids} if ids else {})
    check_found(ids, [volume.id for volume in volumes], NOT_FOUND, "volume")
    items = apply_filters([volume_item(v) for v in volumes], params, FILTERS)
    page, token = paginate(items, "volumeId", params, max_results(params, 5, 500))
    return {"volumeSet": page, "nextToken": token}


@action("CreateVolume", not_found="InvalidSnapshot.NotFound")
def create_volume(driver: BaseDriver, params: Params) -> Item:
    """Create a volume of ``Size`` GB (or from ``SnapshotId``) in a zone."""
    zone = require(params, "AvailabilityZone")
    size = get_int(params, "Size", 1, 16384)
    snapshot = get_str(params, "SnapshotId")
    if size is None and snapshot is None:
        raise missing_parameter("Size")
    volume = driver.create_storage_volume(
        VolumeCreate(
            capacity=str(size) if size is not None else None,
            realm_id=zone,
            snapshot_id=snapshot,
        )
    )
    return volume_item(volume)


@action("AttachVolume", not_found=NOT_FOUND, incorrect_state="IncorrectState")
def attach_volume(driver: BaseDriver, params: Params) -> Item:
    """Attach a volume to an instance at ``Device``."""
    volume_id = _volume_id(params)
    instance_id = require(params, "InstanceId")
    device = require(params, "Device")
    _existing(driver, volume_id)
    find_instances(driver, [instance_id])
    volume = driver.attach_storage_volume(volume_id, instance_id, device)
    return _attachment(volume, "attached")


@action("DetachVolume", not_found=NOT_FOUND, incorrect_state="IncorrectState")
def detach_volume(driver: BaseDriver, params: Params) -> Item:
    """Detach a volume from its instance."""
    volume = _existing(driver, _volume_id(params))
    answer = _attachment(volume, "detached")
    driver.detach_storage_volume(volume.id)
    return answer


@action("DeleteVolume", not_found=NOT_FOUND, incorrect_state="VolumeInUse")
def delete_volume(driver: BaseDriver, params: Params) -> Item:
    """Delete a volume that is not attached."""
    volume = _existing(driver, _volume_id(params))
    driver.destroy_storage_volume(volume.id)
    return {"return": True}
