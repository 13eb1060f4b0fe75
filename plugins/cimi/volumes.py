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
from deltaflask.plugins.cimi.links import last_segment
from deltaflask.plugins.cimi.query import apply
from deltaflask.plugins.cimi.render import ACTION_URI
from deltaflask.plugins.cimi.render import Collection
from deltaflask.plugins.cimi.render import Entity
from deltaflask.plugins.cimi.render import compact
from deltaflask.plugins.cimi.render import empty
from deltaflask.plugins.cimi.render import operation
from deltaflask.plugins.cimi.render import ref
from deltaflask.plugins.cimi.render import respond
from deltaflask.plugins.cimi.render import url
from deltaflask.plugins.cimi.store import cimi_store
from deltaflask.plugins.cimi.store import forget
from deltaflask.plugins.cimi.store import overrides
from deltaflask.plugins.cimi.store import remember
from deltaflask.plugins.cimi.times import iso

KIB_PER_GB = 1024 * 1024
STORED_FIELDS = ("name", "description", "properties")


def register(bp: Blueprint) -> None:
    """Add the volume family's routes."""
    bp.add_url_rule("/volumes", "volumes", lambda: respond(apply(volumes_collection())))
    bp.add_url_rule("/volumes", "create_volume", create_volume, methods=["POST"])
    bp.add_url_rule("/volumes/<volume_id>", "volume", show_volume)
    bp.add_url_rule(
        "/volumes/<volume_id>", "delete_volume", delete_volume, methods=["DELETE"]
    )
    bp.add_url_rule(
        "/volume_images", "volume_images", lambda: respond(apply(images_collection()))
    )
    bp.add_url_rule(
        "/volume_images", "create_volume_image", create_image, methods=["POST"]
    )
    bp.add_url_rule("/volume_images/<image_id>", "volume_image", show_image)
    bp.add_url_rule(
        "/volume_images/<image_id>",
        "delete_volume_image",
        delete_image,
        methods=["DELETE"],
    )
    for kind, schema in (
        ("volume_configurations", parsing.VolumeConfigurationCreate),
        ("volume_templates", parsing.VolumeTemplateCreate),
    ):
        _register_stored(bp, kind, schema)


# -- Volume ----------------------------------------------------------------------------
def volume_data(driver: BaseDriver, volume: StorageVolume) -> dict[str, Any]:
    """A storage volume as a Volume (IN-USE is reported AVAILABLE)."""
    own = url("volumes", volume.id)
    stored = overrides("volumes", volume.id)
    state = (volume.state or "UNKNOWN").upper()
    return compact(
        {
            "id": own,
            "name": stored.get("name") or volume.name or volume.id,
            "description": stored.get("description") or volume.description,
            "created": iso(volume.created),
            "properties": stored.get("properties"),
            "state": "AVAILABLE" if state == "IN-USE" else state,
            "type": "http://schemas.dmtf.org/cimi/1/mapped",
            "capacity": _kib(volume.capacity),
            "bootable": "false",
            "operations": [operation("delete", own)]
            if driver.supports("destroy_storage_volume")
            else [],
        }
    )


def _kib(gigabytes: Any) -> int | None:
    try:
        return int(float(gigabytes) * KIB_PER_GB)
    except (TypeError, ValueError):
        return None


def volumes_collection() -> Collection:
    """Every volume."""
    driver = current_driver()
    entries = [volume_data(driver, v) for v in driver.storage_volumes({})]
    ops = (
        [operation("add", url("volumes"))]
        if driver.supports("create_storage_volume")
        else []
    )
    return Collection("Volume", url("volumes"), "volumes", entries, ops)


def show_volume(volume_id: str) -> Response:
    """GET /volumes/<id>."""
    driver = current_driver()
    volume = driver.storage_volume(volume_id)
    if volume is None:
        raise ObjectNotFound("Not found")
    return respond(Entity("Volume", volume_data(driver, volume)))


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
    data = volume_data(driver, volume)
    return respond(Entity("Volume", data), 201, {"Location": data["id"]})


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


def delete_volume(volume_id: str) -> Response:
    """DELETE /volumes/<id>."""
    current_driver().destroy_storage_volume(volume_id)
    forget("volumes", volume_id)
    return empty(200)


# -- VolumeImage -----------------------------------------------------------------------
def image_data(driver: BaseDriver, snapshot: StorageSnapshot) -> dict[str, Any]:
    """A snapshot as a VolumeImage."""
    own = url("volume_images", snapshot.id)
    return compact(
        {
            "id": own,
            "name": snapshot.name or snapshot.id,
            "description": snapshot.description,
            "created": iso(snapshot.created),
            "state": snapshot.state,
            "imageLocation": ref("volumes", snapshot.storage_volume_id)
            if snapshot.storage_volume_id
            else None,
            "bootable": "false",
            "operations": [operation("delete", own)]
            if driver.supports("destroy_storage_snapshot")
            else [],
        }
    )


def images_collection() -> Collection:
    """Every snapshot."""
    driver = current_driver()
    entries = [image_data(driver, s) for s in driver.storage_snapshots({})]
    ops = (
        [operation("add", url("volume_images"))]
        if driver.supports("create_storage_snapshot")
        else []
    )
    return Collection("VolumeImage", url("volume_images"), "volumeImages", entries, ops)


def show_image(image_id: str) -> Response:
    """GET /volume_images/<id>."""
    driver = current_driver()
    snapshot = driver.storage_snapshot(image_id)
    if snapshot is None:
        raise ObjectNotFound("Not found")
    return respond(Entity("VolumeImage", image_data(driver, snapshot)))


def create_image() -> Response:
    """POST /volume_images: snapshot the volume named by ``imageLocation``."""
    driver = current_driver()
    body = parsing.load(parsing.VolumeImageCreate)
    volume_id = last_segment(body["imageLocation"]["href"], "imageLocation")
    snapshot = driver.create_storage_snapshot(
        volume_id, body.get("name"), body.get("description")
    )
    data = image_data(driver, snapshot)
    return respond(Entity("VolumeImage", data), 201, {"Location": data["id"]})


def delete_image(image_id: str) -> Response:
    """DELETE /volume_images/<id>."""
    current_driver().destroy_storage_snapshot(image_id)
    return empty(200)


# -- VolumeConfiguration and VolumeTemplate (stored) -----------------------------------
TYPES = {
    "volume_configurations": ("VolumeConfiguration", "volumeConfigurations"),
    "volume_templates": ("VolumeTemplate", "volumeTemplates"),
}


def stored_data(kind: str, stored: dict[str, Any]) -> dict[str, Any]:
    """A stored configuration or template."""
    own = url(kind, stored["id"])
    data = {key: value for key, value in stored.items() if key != "id"}
    return compact(
        {"id": own, **data, "operations": [operation(ACTION_URI + "delete", own)]}
    )


def stored_collection(kind: str) -> Collection:
    """Every stored entity of ``kind``."""
    type_name, key = TYPES[kind]
    entries = [stored_data(kind, s) for s in cimi_store().all(kind)]
    return Collection(type_name, url(kind), key, entries, [operation("add", url(kind))])


def _register_stored(bp: Blueprint, kind: str, schema: type) -> None:
    type_name, _ = TYPES[kind]

    def listing() -> Response:
        return respond(apply(stored_collection(kind)))

    def show(entity_id: str) -> Response:
        return respond(
            Entity(type_name, stored_data(kind, cimi_store().get(kind, entity_id)))
        )

    def create() -> Response:
        body = parsing.load(schema)
        stored = {key: body[key] for key in STORED_FIELDS if body.get(key)}
        stored["created"] = iso()
        if kind == "volume_configurations":
            stored.update({k: body[k] for k in ("format", "type") if body.get(k)})
            if body["capacity"] <= 0:
                raise ValidationFailure("capacity must be positive (KiB)")
            stored["capacity"] = body["capacity"]
        else:
            _config_capacity(body["volumeConfig"])
            stored["volumeConfig"] = ref(
                "volume_configurations",
                last_segment(body["volumeConfig"]["href"], "volumeConfig"),
            )
            if body.get("volumeImage"):
                stored["volumeImage"] = ref(
                    "volume_images", _snapshot_id(current_driver(), body["volumeImage"])
                )
        data = stored_data(kind, cimi_store().create(kind, stored))
        return respond(Entity(type_name, data), 201, {"Location": data["id"]})

    def delete(entity_id: str) -> Response:
        if not cimi_store().delete(kind, entity_id):
            raise ObjectNotFound("Not found")
        return empty(200)

    bp.add_url_rule(f"/{kind}", kind, listing)
    bp.add_url_rule(f"/{kind}", f"create_{kind}", create, methods=["POST"])
    bp.add_url_rule(f"/{kind}/<entity_id>", f"show_{kind}", show)
    bp.add_url_rule(
        f"/{kind}/<entity_id>", f"delete_{kind}", delete, methods=["DELETE"]
    )


def _volumes_ok(cls: type[BaseDriver]) -> bool:
    return cls.supports("storage_volumes")


ENTRY_POINT = {
    "volumes": ("volumes", _volumes_ok, volumes_collection),
    "volumeTemplates": (
        "volume_templates",
        _volumes_ok,
        lambda: stored_collection("volume_templates"),
    ),
    "volumeConfigs": (
        "volume_configurations",
        _volumes_ok,
        lambda: stored_collection("volume_configurations"),
    ),
    "volumeImages": (
        "volume_images",
        lambda cls: cls.supports("storage_snapshots"),
        images_collection,
    ),
}
