"""``/api/realms``."""

from __future__ import annotations

from flask import Blueprint
from flask import Response

from deltaflask.context import current_driver
from deltaflask.errors import ObjectNotFound
from deltaflask.models import Realm
from deltaflask.plugins.deltacloud.params import filters
from deltaflask.plugins.deltacloud.render import href
from deltaflask.plugins.deltacloud.render import respond


def register(bp: Blueprint) -> None:
    """Add the realms routes."""
    bp.add_url_rule("/realms", "realms_index", index, methods=["GET"])
    bp.add_url_rule("/realms/<realm_id>", "realms_show", show, methods=["GET"])


def to_json(realm: Realm) -> dict[str, object]:
    """A realm as the classic JSON shows it."""
    return {
        "id": realm.id,
        "href": href("realms", realm.id),
        "name": realm.name,
        "state": realm.state,
        "limit": realm.limit,
    }


def index() -> Response:
    """List realms."""
    realms = current_driver().realms(filters(("id",)))
    return respond(
        "realms/index", lambda: {"realms": [to_json(r) for r in realms]}, realms=realms
    )


def show(realm_id: str) -> Response:
    """One realm."""
    realm = current_driver().realm(realm_id)
    if realm is None:
        raise ObjectNotFound(f"Realm '{realm_id}' not found")
    return respond("realms/show", lambda: {"realm": to_json(realm)}, realm=realm)
