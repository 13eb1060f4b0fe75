"""``/api/storage_snapshots``: list, show, create from a volume, destroy."""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask import g
from flask import redirect
from werkzeug.wrappers import Response as BaseResponse

from deltaflask.context import current_driver
from deltaflask.errors import ObjectNotFound
from deltaflask.models import StorageSnapshot
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

FORMATS = {"api.storage_snapshots_new": ("html",)}


def register(bp: Blueprint) -> None:
    """Add the storage snapshot routes."""
    bp.add_url_rule(
        "/storage_snapshots", "storage_snapshots_index", index, methods=["GET"]
    )
    bp.add_url_rule(
        "/storage_snapshots/new", "storage_snapshots_new", new, methods=["GET"]
    )
    bp.add_url_rule(
        "/storage_snapshots/<snapshot_id>",
        "storage_snapshots_show",
        show,
        methods=["GET"],
    )
    bp.add_url_rule(
        "/storage_snapshots", "storage_snapshots_create", create, methods=["POST"]
    )
    bp.add_url_rule(
        "/storage_snapshots/<snapshot_id>",
        "storage_snapshots_destroy",
        destroy,
        methods=["DELETE"],
    )
    register_form("storage_snapshots_create", form)


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


def _answer(snapshot: StorageSnapshot, status: int = 200, **headers: str) -> Response:
    return respond(
        "storage_snapshots/show",
        lambda: {"storage_snapshot": to_json(snapshot)},
        status=status,
        headers=headers or None,
        snapshot=snapshot,
    )


def index() -> Response:
    """List snapshots, filtered by id."""
    snapshots = current_driver().storage_snapshots(filters(("id",)))
    return respond(
        "storage_snapshots/index",
        lambda: {"storage_snapshots": [to_json(s) for s in snapshots]},
        snapshots=snapshots,
    )


def show(snapshot_id: str) -> Response:
    """One snapshot."""
    snapshot = current_driver().storage_snapshot(snapshot_id)
    if snapshot is None:
        raise ObjectNotFound(f"Storage snapshot '{snapshot_id}' not found")
    return _answer(snapshot)


def form(values: dict[str, str]) -> Form:
    """The form to snapshot a volume."""
    volumes = [
        (v.id, f"{v.name or v.id} ({v.capacity} GB)")
        for v in current_driver().storage_volumes({})
    ]
    return Form(
        title="Create new storage snapshot",
        action=href("storage_snapshots"),
        fields=[
            Field("volume_id", "Volume", "select", required=True, options=volumes),
            Field("name", "Name"),
            Field("description", "Description"),
        ],
        submit="Create snapshot",
        crumbs=[("storage snapshots", href("storage_snapshots")), ("new", None)],
    )


def new() -> Response:
    """The HTML form to snapshot a volume."""
    return page(form)


def create() -> BaseResponse:
    """Snapshot ``volume_id``: 201 with ``Location``."""
    params = request_params()
    require(params, "volume_id")
    snapshot = current_driver().create_storage_snapshot(
        params["volume_id"],
        params.get("name") or None,
        params.get("description") or None,
    )
    location = href("storage_snapshots", snapshot.id)
    if g.format == "html":
        return redirect(location, 303)
    return _answer(snapshot, 201, Location=location)


def destroy(snapshot_id: str) -> BaseResponse:
    """Delete a snapshot: 204."""
    current_driver().destroy_storage_snapshot(snapshot_id)
    if g.format == "html":
        return redirect(href("storage_snapshots"), 303)
    return empty()
