"""``/api/storage_volumes``: list, show, create, attach, detach, destroy."""

from __future__ import annotations

from flask import Blueprint
from werkzeug.wrappers import Response as BaseResponse

from deltaflask.context import current_driver
from deltaflask.drivers import VolumeCreate
from deltaflask.models import StorageVolume
from deltaflask.plugins.deltacloud.params import request_params
from deltaflask.plugins.deltacloud.params import require
from deltaflask.plugins.deltacloud.params import whole_number
from deltaflask.plugins.deltacloud.render import href
from deltaflask.plugins.deltacloud.views.collection import Collection
from deltaflask.plugins.deltacloud.views.forms import Field
from deltaflask.plugins.deltacloud.views.forms import Form
from deltaflask.plugins.deltacloud.views.forms import member_form
from deltaflask.plugins.deltacloud.views.forms import new_form


def capacity_value(volume: StorageVolume) -> int | str | None:
    """The capacity in GB, as a JSON number when it is one."""
    capacity = volume.capacity
    return int(capacity) if capacity and capacity.isdigit() else capacity


def to_json(volume: StorageVolume) -> dict[str, object]:
    """A volume as the classic JSON shows it."""
    instance: dict[str, str] = {}
    if volume.instance_id:
        instance = {
            "id": volume.instance_id,
            "href": href("instances", volume.instance_id),
            "rel": "instance",
        }
    realm_href = href("realms", volume.realm_id) if volume.realm_id else href("realms")
    return {
        "id": volume.id,
        "href": href("storage_volumes", volume.id),
        "name": volume.name,
        "description": volume.description,
        "state": volume.state,
        "created": volume.created,
        "realm": {"id": volume.realm_id, "href": realm_href, "rel": "realm"},
        "device": volume.device,
        "kind": volume.kind,
        "capacity": capacity_value(volume),
        "actions": [],
        "instance": instance,
    }


VOLUMES = Collection(
    "storage_volumes",
    "storage_volume",
    "volume_id",
    "Storage volume",
    to_json,
    filters=("id", "state"),
    var="volume",
    list_var="volumes",
)
FORMATS = VOLUMES.html_only("attach_form")


def register(bp: Blueprint) -> None:
    """Add the storage volume routes."""
    VOLUMES.register(bp, create=create, destroy=destroy, form=form)
    VOLUMES.form_page(bp, "attach_instance", "attach_form", attach_fields)
    VOLUMES.action(bp, "attach", "attach", attach, attach_fields)
    VOLUMES.action(bp, "detach", "detach", detach)


def form(values: dict[str, str]) -> Form:
    """The form to create a volume (name and description where declared)."""
    driver = current_driver()
    fields = []
    if driver.has_feature("storage_volumes", "volume_name"):
        fields.append(Field("name", "Name"))
    if driver.has_feature("storage_volumes", "volume_description"):
        fields.append(Field("description", "Description"))
    realms = [(r.id, r.name) for r in driver.realms({})]
    fields += [
        Field("capacity", "Capacity (GB)", "number", minimum=1, value="1", whole=True),
        Field("realm_id", "Realm", "select", options=realms, blank="(any)"),
    ]
    if driver.supports("storage_snapshots"):
        snapshots = [(s.id, s.name or s.id) for s in driver.storage_snapshots({})]
        fields.append(
            Field("snapshot_id", "From snapshot", "select", options=snapshots)
        )
    return new_form(
        "storage_volumes", "Create new storage volume", fields, "Create volume"
    )


def create() -> BaseResponse:
    """Create a volume: 201 with ``Location``."""
    params = request_params()
    if params.get("capacity"):
        whole_number(params["capacity"], "capacity")
    volume = current_driver().create_storage_volume(
        VolumeCreate(
            capacity=params.get("capacity") or None,
            realm_id=params.get("realm_id") or None,
            snapshot_id=params.get("snapshot_id") or None,
            name=params.get("name") or None,
            description=params.get("description") or None,
        )
    )
    return VOLUMES.created(volume)


def attach_fields(values: dict[str, str], volume_id: str) -> Form:
    """The form to attach a volume to an instance at a device."""
    volume = VOLUMES.found(volume_id)
    instances = [
        (i.id, f"{i.name or i.id} ({i.id}, {i.state})")
        for i in current_driver().instances({})
    ]
    fields = [
        Field("instance_id", "Instance", "select", required=True, options=instances),
        Field(
            "device",
            "Device",
            placeholder="/dev/sdc",
            hint="Leave empty to let the driver choose a free device.",
        ),
    ]
    title = f"Attach {volume.name or volume.id}"
    return member_form("storage_volumes", volume.id, "attach", title, fields, "Attach")


def attach(volume_id: str) -> BaseResponse:
    """Attach to ``instance_id`` at ``device``: 202 with the volume.

    An empty ``device`` (the Ruby client's default) lets the driver choose
    one; the answer shows it. A missing one is a 400, as in the original.
    """
    params = request_params()
    require(params, "instance_id", "device")
    volume = current_driver().attach_storage_volume(
        volume_id, params["instance_id"], params["device"].strip() or None
    )
    return VOLUMES.changed(volume, 202)


def detach(volume_id: str) -> BaseResponse:
    """Detach from its instance: 202 with the volume."""
    return VOLUMES.changed(current_driver().detach_storage_volume(volume_id), 202)


def destroy(volume_id: str) -> BaseResponse:
    """Delete a volume: 204."""
    current_driver().destroy_storage_volume(volume_id)
    return VOLUMES.gone(volume_id)
