"""``/api/storage_snapshots``: list, show, create from a volume, destroy."""

from __future__ import annotations

from flask import Blueprint
from werkzeug.wrappers import Response as BaseResponse

from deltaflask.context import current_driver
from deltaflask.models import StorageSnapshot
from deltaflask.plugins.deltacloud.params import request_params
from deltaflask.plugins.deltacloud.params import require
from deltaflask.plugins.deltacloud.render import href
from deltaflask.plugins.deltacloud.views.collection import Collection
from deltaflask.plugins.deltacloud.views.forms import Field
from deltaflask.plugins.deltacloud.views.forms import Form
from deltaflask.plugins.deltacloud.views.forms import new_form


def to_json(snapshot: StorageSnapshot) -> dict[str, object]:
    """A snapshot as the classic JSON shows it (with ``state``, unlike the XML)."""
    volume_id = snapshot.storage_volume_id or ""
    return {
        "id": snapshot.id,
        "href": href("storage_snapshots", snapshot.id),
        "state": snapshot.state,
        "storage_volume": {
            "id": snapshot.storage_volume_id,
            "href": href("storage_volumes", volume_id),
            "rel": "storage_volume",
        },
        "created": snapshot.created,
    }


SNAPSHOTS = Collection(
    "storage_snapshots",
    "storage_snapshot",
    "snapshot_id",
    "Storage snapshot",
    to_json,
    var="snapshot",
    list_var="snapshots",
)
FORMATS = SNAPSHOTS.formats


def register(bp: Blueprint) -> None:
    """Add the storage snapshot routes."""
    SNAPSHOTS.register(bp, create=create, destroy=destroy, form=form)


def form(values: dict[str, str]) -> Form:
    """The form to snapshot a volume."""
    volumes = [
        (v.id, f"{v.name or v.id} ({v.capacity} GB)")
        for v in current_driver().storage_volumes({})
    ]
    fields = [
        Field("volume_id", "Volume", "select", required=True, options=volumes),
        Field("name", "Name"),
        Field("description", "Description"),
    ]
    return new_form(
        "storage_snapshots", "Create new storage snapshot", fields, "Create snapshot"
    )


def create() -> BaseResponse:
    """Snapshot ``volume_id``: 201 with ``Location``."""
    params = request_params()
    require(params, "volume_id")
    snapshot = current_driver().create_storage_snapshot(
        params["volume_id"],
        params.get("name") or None,
        params.get("description") or None,
    )
    return SNAPSHOTS.created(snapshot)


def destroy(snapshot_id: str) -> BaseResponse:
    """Delete a snapshot: 204."""
    current_driver().destroy_storage_snapshot(snapshot_id)
    return SNAPSHOTS.gone(snapshot_id)
