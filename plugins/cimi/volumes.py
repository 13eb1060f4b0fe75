"""Volumes, VolumeConfigurations and VolumeTemplates (stored by CIMI) and
VolumeImages (snapshots). Capacities are KiB on the CIMI side, GB for drivers."""

from __future__ import annotations

import math
from typing import Any

from flask import Blueprint
from flask import Response

from deltaflask.context import current_driver
from deltaflask.drivers import BaseDriver
from deltaflask.drivers import VolumeCreate
from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ValidationFailure
from deltaflask.models import StorageSnapshot
from deltaflask.models import StorageVolume
from deltaflask.plugins.cimi import parsing
from deltaflask.plugins.cimi.families import Family
from deltaflask.plugins.cimi.families import created
from deltaflask.plugins.cimi.families import described
from deltaflask.plugins.cimi.families import edit_ops
from deltaflask.plugins.cimi.links import last_segment
from deltaflask.plugins.cimi.render import compact
from deltaflask.plugins.cimi.render import ref
from deltaflask.plugins.cimi.render import url
from deltaflask.plugins.cimi.store import cimi_store
from deltaflask.plugins.cimi.store import remember
from deltaflask.plugins.cimi.stored import StoredFamily
from deltaflask.plugins.cimi.stored import local_ref
from deltaflask.plugins.cimi.times import iso

KIB_PER_GB = 1024 * 1024


def register(bp: Blueprint) -> None:
    """Add the volume family's routes."""
    VOLUMES.register(bp, create_volume)
    IMAGES.register(bp, create_image)
    CONFIGURATIONS.register(bp)
    TEMPLATES.register(bp)


# -- Volume ----------------------------------------------------------------------------
def volume_data(driver: BaseDriver, volume: StorageVolume) -> dict[str, Any]:
    """A storage volume as a Volume (IN-USE is reported AVAILABLE)."""
    own = url("volumes", volume.id)
    state = (volume.state or "UNKNOWN").upper()
    return compact(
        {
            **described(
                "volumes",
                volume.id,
                volume.name or volume.id,
                description=volume.description,
                created=iso(volume.created),
            ),
            "state": "AVAILABLE" if state == "IN-USE" else state,
            "type": "http://schemas.dmtf.org/cimi/1/mapped",
            "capacity": _kib(volume.capacity),
            "bootable": "false",
            "operations": edit_ops(own, driver.supports("destroy_storage_volume")),
        }
    )


def _kib(gigabytes: Any) -> int | None:
    try:
        return int(float(gigabytes) * KIB_PER_GB)
    except (TypeError, ValueError):
        return None


def create_volume() -> Response:
    """POST /volumes: from a VolumeTemplate by reference or by value."""
    driver = current_driver()
    body = parsing.load(parsing.VolumeCreate)
    template = body["volumeTemplate"]
    if "href" in template:
        stored = cimi_store().load(
            "volume_templates", last_segment(template["href"], "volumeTemplate")
        )
        if stored is None:
            raise ObjectNotFound("VolumeTemplate not found")
        config_ref, image_ref = stored["volumeConfig"], stored.get("volumeImage")
    else:
        config_ref, image_ref = (
            template["value"]["volumeConfig"],
            template["value"].get("volumeImage"),
        )
    capacity = _config_capacity(config_ref)
    snapshot_id = _snapshot_id(driver, image_ref) if image_ref else None
    volume = driver.create_storage_volume(
        VolumeCreate(
            capacity=str(max(1, math.ceil(capacity / KIB_PER_GB))),
            snapshot_id=snapshot_id,
            name=body.get("name"),
            description=body.get("description"),
        )
    )
    remember("volumes", volume.id, body)
    return created("Volume", volume_data(driver, volume))


def _config_capacity(reference: dict[str, Any]) -> int:
    if "value" in reference:
        return int(reference["value"]["capacity"])
    config_id = last_segment(reference["href"], "volumeConfig")
    stored = cimi_store().load("volume_configurations", config_id)
    if stored is None:
        raise ValidationFailure(f"VolumeConfiguration '{config_id}' does not exist")
    return int(stored["capacity"])


def _snapshot_id(driver: BaseDriver, reference: dict[str, Any]) -> str:
    href = (
        reference["value"]["imageLocation"]["href"]
        if "value" in reference
        else reference["href"]
    )
    snapshot_id = last_segment(href, "volumeImage")
    if driver.storage_snapshot(snapshot_id) is None:
        raise ValidationFailure(f"VolumeImage '{snapshot_id}' does not exist")
    return snapshot_id


# -- VolumeImage -----------------------------------------------------------------------
def image_data(driver: BaseDriver, snapshot: StorageSnapshot) -> dict[str, Any]:
    """A snapshot as a VolumeImage."""
    own = url("volume_images", snapshot.id)
    return compact(
        {
            **described(
                "volume_images",
                snapshot.id,
                snapshot.name or snapshot.id,
                description=snapshot.description,
                created=iso(snapshot.created),
            ),
            "state": snapshot.state,
            "imageLocation": ref("volumes", snapshot.storage_volume_id)
            if snapshot.storage_volume_id
            else None,
            "bootable": "false",
            "operations": edit_ops(own, driver.supports("destroy_storage_snapshot")),
        }
    )


def create_image() -> Response:
    """POST /volume_images: snapshot the volume named by ``imageLocation``."""
    driver = current_driver()
    body = parsing.load(parsing.VolumeImageCreate)
    volume_id = last_segment(body["imageLocation"]["href"], "imageLocation")
    snapshot = driver.create_storage_snapshot(
        volume_id, body.get("name"), body.get("description")
    )
    remember("volume_images", snapshot.id, body)
    return created("VolumeImage", image_data(driver, snapshot))


# -- VolumeConfiguration and VolumeTemplate (stored) -----------------------------------
def _build_configuration(body: dict[str, Any]) -> dict[str, Any]:
    if body["capacity"] <= 0:
        raise ValidationFailure("capacity must be positive (KiB)")
    built = {k: body[k] for k in ("format", "type") if body.get(k)}
    return {**built, "capacity": body["capacity"]}


def _build_template(body: dict[str, Any]) -> dict[str, Any]:
    _config_capacity(body["volumeConfig"])
    built = {
        "volumeConfig": local_ref(
            "volume_configurations",
            last_segment(body["volumeConfig"]["href"], "volumeConfig"),
        )
    }
    if body.get("volumeImage"):
        built["volumeImage"] = local_ref(
            "volume_images", _snapshot_id(current_driver(), body["volumeImage"])
        )
    return built


VOLUMES = Family(
    "volumes",
    "Volume",
    "volumes",
    "storage_volumes",
    "storage_volume",
    volume_data,
    creator="create_storage_volume",
    destroyer="destroy_storage_volume",
)
IMAGES = Family(
    "volume_images",
    "VolumeImage",
    "volumeImages",
    "storage_snapshots",
    "storage_snapshot",
    image_data,
    creator="create_storage_snapshot",
    destroyer="destroy_storage_snapshot",
)
CONFIGURATIONS = StoredFamily(
    "volume_configurations",
    "VolumeConfiguration",
    "volumeConfigurations",
    parsing.VolumeConfigurationCreate,
    _build_configuration,
)
TEMPLATES = StoredFamily(
    "volume_templates",
    "VolumeTemplate",
    "volumeTemplates",
    parsing.VolumeTemplateCreate,
    _build_template,
)


ENTRY_POINT = {
    "volumes": VOLUMES.entry(),
    "volumeTemplates": TEMPLATES.entry("storage_volumes"),
    "volumeConfigs": CONFIGURATIONS.entry("storage_volumes"),
    "volumeImages": IMAGES.entry(),
}
