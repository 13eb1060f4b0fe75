"""Shared plumbing of the resource families: a collection backed by one kind of
driver object (list, show, delete, edit) and the answers every family gives."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint
from flask import Response

from deltaflask.context import current_driver
from deltaflask.drivers import BaseDriver
from deltaflask.errors import ObjectNotFound
from deltaflask.plugins.cimi import parsing
from deltaflask.plugins.cimi.links import last_segment
from deltaflask.plugins.cimi.query import apply
from deltaflask.plugins.cimi.render import Collection
from deltaflask.plugins.cimi.render import Entity
from deltaflask.plugins.cimi.render import empty
from deltaflask.plugins.cimi.render import operation
from deltaflask.plugins.cimi.render import respond
from deltaflask.plugins.cimi.render import url
from deltaflask.plugins.cimi.store import cimi_store
from deltaflask.plugins.cimi.store import forget
from deltaflask.plugins.cimi.store import overrides
from deltaflask.plugins.cimi.store import remember

Data = dict[str, Any]
Renderer = Callable[[BaseDriver, Any], Data]


def created(type_name: str, data: Data) -> Response:
    """201 with ``Location`` and the new entity."""
    return respond(Entity(type_name, data), 201, {"Location": data["id"]})


def found(value: Any) -> Any:
    """``value``, or a 404 when it is ``None``."""
    if value is None:
        raise ObjectNotFound("Not found")
    return value


def referenced(
    reference: dict[str, Any], what: str, exists: Callable[[str], Any]
) -> str:
    """The id an ``{"href"}`` names, when ``exists(id)`` finds it; else 404."""
    entity_id = last_segment(reference["href"], what)
    if exists(entity_id) is None:
        raise ObjectNotFound(f"{what} '{entity_id[:80]}' not found")
    return entity_id


def described(
    kind: str,
    entity_id: str,
    name: str | None,
    *,
    description: str | None = None,
    what: str | None = None,
    created: str | None = None,
) -> Data:
    """The common attributes of a cloud entity at ``/<kind>/<id>``, with the
    name, description and properties CIMI keeps for it. Without a description,
    ``what`` gives ``No description set for <what> <name>``."""
    stored = overrides(kind, entity_id)
    name = stored.get("name") or name
    if description is None and what is not None:
        description = f"No description set for {what} {name}"
    return {
        "id": url(kind, entity_id),
        "name": name,
        "description": stored.get("description") or description,
        "created": created,
        "properties": stored.get("properties"),
    }


def edit_ops(own: str, deletable: bool = True) -> list[dict[str, str]]:
    """``edit`` (always: names are kept by CIMI) and ``delete`` when allowed."""
    ops = [operation("edit", own)]
    if deletable:
        ops.append(operation("delete", own))
    return ops


@dataclass(frozen=True)
class Family:
    """A CIMI collection at ``/<path>`` backed by the driver's ``lister``/``getter``.

    ``render`` turns a driver object into CIMI attributes; ``creator`` and
    ``destroyer`` name the driver operations behind ``add`` and ``delete``.
    Names, descriptions and properties given on create or edit are kept in the
    CIMI store under ``path``.
    """

    path: str
    type_name: str
    key: str
    lister: str
    getter: str
    render: Renderer
    creator: str | None = None
    destroyer: str | None = None

    def available(self, cls: type[BaseDriver]) -> bool:
        """Whether a driver class can list this collection."""
        return cls.supports(self.lister)

    def can(self, driver: BaseDriver | type[BaseDriver], what: str | None) -> bool:
        """Whether ``driver`` offers the operation named by ``what``."""
        return what is not None and driver.supports(what)

    def collection(self) -> Collection:
        """Every object of the current driver."""
        driver = current_driver()
        entries = [self.render(driver, obj) for obj in getattr(driver, self.lister)({})]
        ops = (
            [operation("add", url(self.path))] if self.can(driver, self.creator) else []
        )
        return Collection(self.type_name, url(self.path), self.key, entries, ops)

    def get(self, driver: BaseDriver, entity_id: str) -> Any:
        """One driver object; 404 when missing."""
        return found(getattr(driver, self.getter)(entity_id))

    def data(self, entity_id: str) -> Data:
        """The CIMI attributes of one object."""
        driver = current_driver()
        return self.render(driver, self.get(driver, entity_id))

    def listing(self) -> Response:
        """GET /<path>."""
        return respond(apply(self.collection()))

    def show(self, entity_id: str) -> Response:
        """GET /<path>/<id>."""
        return respond(Entity(self.type_name, self.data(entity_id)))

    def delete(self, entity_id: str) -> Response:
        """DELETE /<path>/<id>."""
        getattr(current_driver(), self.destroyer or "")(entity_id)
        forget(self.path, entity_id)
        return empty(200)

    def edit(self, entity_id: str) -> Response:
        """PUT /<path>/<id>: change the name, description or properties (kept
        only if the object still exists once the CIMI store is locked: a
        delete's ``forget`` waits for that lock, so it removes them again)."""
        driver = current_driver()
        self.get(driver, entity_id)
        body = parsing.load_edit(self.type_name)
        with cimi_store().transaction():
            self.get(driver, entity_id)
            remember(self.path, entity_id, body)
        return respond(Entity(self.type_name, self.data(entity_id)))

    def register(
        self, bp: Blueprint, create: Callable[[], Response] | None = None
    ) -> None:
        """Add list, show, edit and (when given or possible) create and delete."""
        register_routes(
            bp,
            self.path,
            listing=self.listing,
            show=self.show,
            create=create,
            delete=self.delete if self.destroyer else None,
            edit=self.edit,
        )

    def entry(self) -> tuple[str, Callable[[type[BaseDriver]], bool], Any]:
        """The CloudEntryPoint entry: (path, availability, collection)."""
        return (self.path, self.available, self.collection)


def register_routes(
    bp: Blueprint,
    path: str,
    *,
    listing: Callable[[], Response],
    show: Callable[[str], Response],
    create: Callable[[], Response] | None = None,
    delete: Callable[[str], Response] | None = None,
    edit: Callable[[str], Response] | None = None,
) -> None:
    """The routes of a collection at ``/<path>`` (member id: ``entity_id``)."""
    member = f"/{path}/<entity_id>"
    bp.add_url_rule(f"/{path}", path, listing)
    bp.add_url_rule(member, f"{path}_member", show)
    if create is not None:
        bp.add_url_rule(f"/{path}", f"create_{path}", create, methods=["POST"])
    if delete is not None:
        bp.add_url_rule(member, f"delete_{path}", delete, methods=["DELETE"])
    if edit is not None:
        bp.add_url_rule(member, f"edit_{path}", edit, methods=["PUT"])
