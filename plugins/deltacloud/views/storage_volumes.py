"""``/api/storage_volumes``: list, show, create, attach, detach, destroy."""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask import g
from flask import redirect
from werkzeug.wrappers import Response as BaseResponse

from deltaflask.context import current_driver
from deltaflask.drivers import VolumeCreate
from deltaflask.errors import ObjectNotFound
from deltaflask.models import StorageVolume
from deltaflask.plugins.deltacloud.params import filters
from deltaflask.plugins.deltacloud.params import request_params
from deltaflask.plugins.deltacloud.params import require
from deltaflask.plugins.deltacloud.render import empty
from deltaflask.plugins.deltacloud.render import href
from deltaflask.plugins.deltacloud.render import respond
from deltaflask.plugins.deltacloud.views.forms import Field
from deltaflask.plugins.deltacloud.views.forms import Form
from deltaflask.plugins.deltacloud.views.forms import page
from deltaflask.plugins.deltacloud.views.forms import register_form

FORMATS = {
    "api.storage_volumes_new": ("html",),
    "api.storage_volumes_attach_form": ("html",),
}


def register(bp: Blueprint) -> None:
    """Add the storage volume routes."""
    bp.add_url_rule("/storage_volumes", "storage_volumes_index", index, methods=["GET"])
    bp.add_url_rule("/storage_volumes/new", "storage_volumes_new", new, methods=["GET"])
    bp.add_url_rule(
        "/storage_volumes/<volume_id>", "storage_volumes_show", show, methods=["GET"]
    )
    bp.add_url_rule(
        "/storage_volumes", "storage_volumes_create", create, methods=["POST"]
    )
    bp.add_url_rule(
        "/storage_volumes/<volume_id>/attach_instance",
        "storage_volumes_attach_form",
        attach_form,
        methods=["GET"],
    )
    bp.add_url_rule(
        "/storage_volumes/<volume_id>/attach",
        "storage_volumes_attach",
        attach,
        methods=["POST"],
    )
    bp.add_url_rule(
        "/storage_volumes/<volume_id>/detach",
        "storage_volumes_detach",
        detach,
        methods=["POST"],
    )
    bp.add_url_rule(
        "/storage_volumes/<volume_id>",
        "storage_volumes_destroy",
        destroy,
        methods=["DELETE"],
    )
    register_form("storage_volumes_create", form)
    register_form("storage_volumes_attach", attach_fields)


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


def _found(volume_id: str) -> StorageVolume:
    volume = current_driver().storage_volume(volume_id)
    if volume is None:
        raise ObjectNotFound(f"Storage volume '{volume_id}' not found")
    return volume


def _answer(volume: StorageVolume, status: int = 200, **headers: str) -> Response:
    return respond(
        "storage_volumes/show",
        lambda: {"storage_volume": to_json(volume)},
        status=status,
        headers=headers or None,
        volume=volume,
    )


def index() -> Response:
    """List volumes, filtered by id and state."""
    volumes = current_driver().storage_volumes(filters(("id", "state")))
    return respond(
        "storage_volumes/index",
        lambda: {"storage_volumes": [to_json(v) for v in volumes]},
        volumes=volumes,
    )


def show(volume_id: str) -> Response:
    """One volume."""
    return _answer(_found(volume_id))


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
    return Form(
        title="Create new storage volume",
        action=href("storage_volumes"),
        fields=fields,
        submit="Create volume",
        crumbs=[("storage volumes", href("storage_volumes")), ("new", None)],
    )


def new() -> Response:
    """The HTML form to create a volume."""
    return page(form)


def create() -> BaseResponse:
    """Create a volume: 201 with ``Location``."""
    params = request_params()
    volume = current_driver().create_storage_volume(
        VolumeCreate(
            capacity=params.get("capacity") or None,
            realm_id=params.get("realm_id") or None,
            snapshot_id=params.get("snapshot_id") or None,
            name=params.get("name") or None,
            description=params.get("description") or None,
        )
    )
    location = href("storage_volumes", volume.id)
    if g.format == "html":
        return redirect(location, 303)
    return _answer(volume, 201, Location=location)


def attach_fields(values: dict[str, str], volume_id: str) -> Form:
    """The form to attach a volume to an instance at a device."""
    volume = _found(volume_id)
    instances = [
        (i.id, f"{i.name or i.id} ({i.id}, {i.state})")
        for i in current_driver().instances({})
    ]
    return Form(
        title=f"Attach {volume.name or volume.id}",
        action=href("storage_volumes", volume.id, "attach"),
        fields=[
            Field(
                "instance_id", "Instance", "select", required=True, options=instances
            ),
            Field("device", "Device", required=True, value="/dev/sdc"),
        ],
        submit="Attach",
        crumbs=[
            ("storage volumes", href("storage_volumes")),
            (volume.id, href("storage_volumes", volume.id)),
            ("attach", None),
        ],
    )


def attach_form(volume_id: str) -> Response:
    """The HTML form to attach a volume to an instance."""
    return page(attach_fields, volume_id=volume_id)


def attach(volume_id: str) -> BaseResponse:
    """Attach to ``instance_id`` at ``device``: 202 with the volume."""
    params = request_params()
    require(params, "instance_id", "device")
    volume = current_driver().attach_storage_volume(
        volume_id, params["instance_id"], params["device"]
    )
    if g.format == "html":
        return redirect(href("storage_volumes", volume.id), 303)
    return _answer(volume, 202)


def detach(volume_id: str) -> BaseResponse:
    """Detach from its instance: 202 with the volume."""
    volume = current_driver().detach_storage_volume(volume_id)
    if g.format == "html":
        return redirect(href("storage_volumes", volume.id), 303)
    return _answer(volume, 202)


def destroy(volume_id: str) -> BaseResponse:
    """Delete a volume: 204."""
    current_driver().destroy_storage_volume(volume_id)
    if g.format == "html":
        return redirect(href("storage_volumes"), 303)
    return empty()
