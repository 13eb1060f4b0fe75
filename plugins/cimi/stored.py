"""Families kept in the CIMI store: templates, configurations and the other
entities clouds do not hold. List, show, create, delete and edit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from functools import partial
from typing import Any
from urllib.parse import quote

from flask import Blueprint
from flask import Response
from marshmallow import Schema

from deltaflask.errors import ObjectNotFound
from deltaflask.plugins.cimi import parsing
from deltaflask.plugins.cimi.families import Data
from deltaflask.plugins.cimi.families import created
from deltaflask.plugins.cimi.families import edit_ops
from deltaflask.plugins.cimi.families import referenced
from deltaflask.plugins.cimi.families import register_routes
from deltaflask.plugins.cimi.query import apply
from deltaflask.plugins.cimi.render import Collection
from deltaflask.plugins.cimi.render import Entity
from deltaflask.plugins.cimi.render import base_url
from deltaflask.plugins.cimi.render import compact
from deltaflask.plugins.cimi.render import empty
from deltaflask.plugins.cimi.render import operation
from deltaflask.plugins.cimi.render import respond
from deltaflask.plugins.cimi.render import url
from deltaflask.plugins.cimi.store import cimi_store
from deltaflask.plugins.cimi.times import iso

COMMON = ("name", "description", "created", "updated", "properties")
Builder = Callable[[Data], Data]
Operations = Callable[[Data, str], list[dict[str, str]]]


def local_ref(*parts: str) -> dict[str, str]:
    """A reference to an entity under ``/cimi``, as the store keeps it."""
    return {"href": "/".join(quote(str(part), safe="") for part in parts)}


def absolute(value: Any) -> Any:
    """``value`` with every relative ``href`` made absolute under ``/cimi``."""
    if isinstance(value, dict):
        return {
            key: f"{base_url()}/{item}"
            if key == "href" and isinstance(item, str) and "://" not in item
            else absolute(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [absolute(item) for item in value]
    return value


def lookup(kind: str, reference: dict[str, Any], what: str) -> Data:
    """The stored entity an ``{"href"}`` names; 404 naming ``what`` if missing."""
    store = cimi_store()
    return store.get(kind, referenced(reference, what, partial(store.load, kind)))


def resolve(kind: str, reference: dict[str, Any], what: str) -> Data:
    """A reference given by value (its value) or by href (the stored entity)."""
    if "value" in reference:
        return dict(reference["value"])
    return lookup(kind, reference, what)


def common(body: Data) -> Data:
    """The name, description and properties of a create request."""
    return {
        key: body[key]
        for key in ("name", "description", "properties")
        if body.get(key) not in (None, "", {})
    }


def _edit_and_delete(stored: Data, own: str) -> list[dict[str, str]]:
    return edit_ops(own)


@dataclass(frozen=True)
class StoredFamily:
    """A CIMI collection at ``/<kind>`` whose entities live in the CIMI store.

    ``build`` turns a validated create body into the stored type-specific
    attributes (checking the references it names); ``operations`` gives an
    entity's operations.
    """

    kind: str
    type_name: str
    key: str
    schema: type[Schema] | None = None
    build: Builder | None = None
    operations: Operations = field(default=_edit_and_delete)

    def data(self, stored: Data) -> Data:
        """A stored entity in CIMI form: common attributes first."""
        own = url(self.kind, stored["id"])
        rest = {k: v for k, v in stored.items() if k not in (*COMMON, "id")}
        return compact(
            {
                "id": own,
                "name": stored.get("name"),
                "description": stored.get("description"),
                "created": iso(stored.get("created")),
                "updated": iso(stored["updated"]) if stored.get("updated") else None,
                "properties": stored.get("properties"),
                **absolute(rest),
                "operations": self.operations(stored, own),
            }
        )

    def collection(self) -> Collection:
        """Every stored entity."""
        entries = [self.data(s) for s in cimi_store().all(self.kind)]
        ops = [operation("add", url(self.kind))] if self.build else []
        return Collection(self.type_name, url(self.kind), self.key, entries, ops)

    def get(self, entity_id: str) -> Data:
        """One stored entity; 404 when missing."""
        return cimi_store().get(self.kind, entity_id)

    def listing(self) -> Response:
        """GET /<kind>."""
        return respond(apply(self.collection()))

    def show(self, entity_id: str) -> Response:
        """GET /<kind>/<id>."""
        return respond(Entity(self.type_name, self.data(self.get(entity_id))))

    def create(self) -> Response:
        """POST /<kind>: validate, build (nothing is stored on error), store."""
        assert self.build is not None
        assert self.schema is not None
        cimi_store()  # the credentials are checked before the body
        body = parsing.load(self.schema)
        stored = {**common(body), "created": iso(), **self.build(body)}
        return created(self.type_name, self.data(self.save_new(stored)))

    def save_new(self, stored: Data) -> Data:
        """Store a new entity under the next id."""
        return cimi_store().create(self.kind, stored)

    def delete(self, entity_id: str) -> Response:
        """DELETE /<kind>/<id>."""
        if not cimi_store().delete(self.kind, entity_id):
            raise ObjectNotFound("Not found")
        return empty(200)

    def edit(self, entity_id: str) -> Response:
        """PUT /<kind>/<id>: change the name, description or properties, in
        one transaction: an entity deleted meanwhile stays deleted (404)."""
        self.get(entity_id)
        body = parsing.load_edit(self.type_name)

        def change(stored: Data) -> Data:
            stored.update(common(body), updated=iso())
            return stored

        stored = cimi_store().update(self.kind, entity_id, change)
        return respond(Entity(self.type_name, self.data(stored)))

    def register(self, bp: Blueprint) -> None:
        """Add the routes (create only with a builder)."""
        register_routes(
            bp,
            self.kind,
            listing=self.listing,
            show=self.show,
            create=self.create if self.build else None,
            delete=self.delete,
            edit=self.edit,
        )

    def entry(self, needs: str) -> tuple[str, Callable[[type], bool], Any]:
        """The CloudEntryPoint entry: (path, availability, collection); the
        family is available to drivers with the operation ``needs``."""
        return (self.kind, lambda cls: cls.supports(needs), self.collection)
