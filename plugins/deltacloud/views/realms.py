"""``/api/realms``."""

from __future__ import annotations

from flask import Blueprint

from deltaflask.models import Realm
from deltaflask.plugins.deltacloud.render import href
from deltaflask.plugins.deltacloud.views.collection import Collection


def to_json(realm: Realm) -> dict[str, object]:
    """A realm as the classic JSON shows it."""
    return {
        "id": realm.id,
        "href": href("realms", realm.id),
        "name": realm.name,
        "state": realm.state,
        "limit": realm.limit,
    }


REALMS = Collection("realms", "realm", "realm_id", "Realm", to_json)


def register(bp: Blueprint) -> None:
    """Add the realms routes."""
    REALMS.register(bp)
