"""What every object of the classic API shares: attributes read from its JSON
document, its action links as calls, refreshing, waiting for a state, and the
collection accessor that lists, shows and creates them."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING
from typing import Any
from typing import ClassVar
from typing import Generic
from typing import TypeVar
from urllib.parse import quote

from deltaflask.client.errors import CapabilityMissing
from deltaflask.client.errors import ServerError
from deltaflask.client.errors import TransferError
from deltaflask.client.errors import WaitTimeout
from deltaflask.client.http import Params

if TYPE_CHECKING:
    from deltaflask.client.client import Client

R = TypeVar("R", bound="Resource")
POLL_INTERVAL = 2.0


def member_of(document: Any, member: str) -> dict[str, Any] | None:
    """The object of an answer: ``{"instance": {...}}`` or a bare ``{...}``."""
    if isinstance(document, dict):
        if isinstance(document.get(member), dict):
            return document[member]
        if "id" in document:
            return document
    return None


def link_id(value: Any) -> str | None:
    """The ``id`` of a link ``{"id", "href", "rel"}`` (``None`` when empty)."""
    return value.get("id") if isinstance(value, dict) else None


class Resource:
    """One object of a collection, backed by its JSON document ``data``."""

    collection: ClassVar[str] = ""
    member: ClassVar[str] = ""
    #: the fields a table shows, in order
    columns: ClassVar[tuple[str, ...]] = ("id", "name")
    #: the action link that deletes (``None``: DELETE whatever the links say)
    destroy_rel: ClassVar[str | None] = None

    def __init__(self, client: Client, data: dict[str, Any]) -> None:
        self.client = client
        self.data = data

    def __getattr__(self, name: str) -> Any:
        data = self.__dict__.get("data", {})
        if name in data:
            return data[name]
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id}>"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Resource)
            and other.collection == self.collection
            and other.id == self.id
        )

    def __hash__(self) -> int:
        return hash((self.collection, self.id))

    @property
    def id(self) -> str:
        """The object's id."""
        return str(self.data["id"])

    @property
    def href(self) -> str:
        """The object's URL."""
        return str(self.data.get("href") or self.client.href(self.collection, self.id))

    @property
    def name(self) -> str | None:
        """The object's name, where it has one."""
        return self.data.get("name")

    @property
    def state(self) -> str | None:
        """The object's state, where it has one."""
        return self.data.get("state")

    @property
    def actions(self) -> dict[str, tuple[str, str]]:
        """Action name -> (URL, HTTP method), as the server links them now."""
        return {
            link["rel"]: (link["href"], link.get("method", "post").upper())
            for link in self.data.get("actions") or []
        }

    def can(self, action: str) -> bool:
        """Whether the object links ``action`` in its current state."""
        return action in self.actions

    def refresh(self: R) -> R:
        """Read the object again; returns itself."""
        document = self.client.session.json("GET", self.href)
        self.data = member_of(document, self.member) or self.data
        return self

    def xml(self) -> str:
        """The object's XML document, as the server sends it."""
        return self.client.session.text(self.href, "xml")

    def link(self, action: str) -> tuple[str, str]:
        """The (URL, method) of the action link ``action``; :class:`CapabilityMissing`
        when the object does not link it in its current state."""
        if action not in self.actions:
            offered = ", ".join(self.actions) or "none"
            raise CapabilityMissing(
                f"{type(self).__name__} {self.id} offers no '{action}' "
                f"in state {self.state} (offered: {offered})"
            )
        return self.actions[action]

    def perform(self: R, action: str, params: Params | None = None) -> R:
        """Follow the action link ``action`` (refused before any request when
        the object does not link it), then take the state it answers with."""
        url, method = self.link(action)
        return self._update(self.client.session.json(method, url, data=params))

    def post(self: R, step: str, params: Params | None = None) -> R:
        """``POST <href>/<step>`` (an action the server does not link)."""
        return self._update(
            self.client.session.json("POST", f"{self.href}/{step}", data=params)
        )

    def _update(self: R, document: Any) -> R:
        found = member_of(document, self.member)
        if found is None:
            return self.refresh()
        self.data = found
        return self

    def destroy(self) -> None:
        """Delete the object (refused first when its links say it cannot be)."""
        if self.destroy_rel is not None and "actions" in self.data:
            if self.destroy_rel not in self.actions:
                raise CapabilityMissing(
                    f"{type(self).__name__} {self.id} cannot be destroyed "
                    f"in state {self.state}"
                )
            url, method = self.actions[self.destroy_rel]
            self.client.session.request(method, url)
            return
        self.client.session.request("DELETE", self.href)

    def wait_for(
        self: R, state: str, timeout: float = 300.0, interval: float = POLL_INTERVAL
    ) -> R:
        """Refresh until the state is ``state`` (any case); :class:`WaitTimeout`
        after ``timeout`` seconds."""
        wanted = state.upper()
        deadline = time.monotonic() + timeout
        while (self.state or "").upper() != wanted:
            if time.monotonic() >= deadline:
                raise WaitTimeout(repr(self), wanted, self.state, timeout)
            time.sleep(min(interval, max(0.0, deadline - time.monotonic())))
            self.refresh()
        return self

    def wait_until_gone(
        self, timeout: float = 300.0, interval: float = POLL_INTERVAL
    ) -> None:
        """Poll until the object is no longer found (or its state is one of
        the end states ``FINISH``, ``DELETED``, ``TERMINATED``)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.refresh()
            except ServerError as exc:
                if exc.status == 404:
                    return
                raise
            if (self.state or "").upper() in ("FINISH", "DELETED", "TERMINATED"):
                return
            if time.monotonic() >= deadline:
                raise WaitTimeout(repr(self), "gone", self.state, timeout)
            time.sleep(interval)


class Collection(Generic[R]):
    """The objects of one collection: list, get, create, as the driver allows."""

    def __init__(self, client: Client, kind: type[R]) -> None:
        self.client = client
        self.kind = kind

    @property
    def name(self) -> str:
        """The collection's name in the API (``storage_volumes``)."""
        return self.kind.collection

    @property
    def href(self) -> str:
        """Its URL; :class:`CapabilityMissing` when the driver lacks it."""
        return self.client.entry.href(self.name)

    def wrap(self, data: dict[str, Any]) -> R:
        """An object of this collection around its JSON document."""
        return self.kind(self.client, data)

    def list(self, **filters: str) -> list[R]:
        """Every object, filtered by the server (``state="RUNNING"``)."""
        document = self.client.session.json("GET", self.href, params=filters)
        return [self.wrap(item) for item in self.items_of(document)]

    def items_of(self, document: Any) -> list[dict[str, Any]]:
        """The objects of a list answer ``{"<collection>": [...]}``."""
        if not isinstance(document, dict) or not isinstance(
            document.get(self.name), list
        ):
            raise TransferError(f"unexpected answer listing {self.name}")
        return document[self.name]

    def get(self, item_id: str) -> R:
        """One object by id (:class:`NotFound` when there is none)."""
        document = self.client.session.json(
            "GET", f"{self.href}/{quote(item_id, safe='')}"
        )
        found = member_of(document, self.kind.member)
        if found is None:
            raise TransferError(f"unexpected answer showing {self.name} {item_id}")
        return self.wrap(found)

    def create(self, **params: str) -> R:
        """Create an object from form parameters; returns it as created."""
        document = self.client.session.json("POST", self.href, data=params)
        found = member_of(document, self.kind.member)
        if found is None:
            raise TransferError(f"unexpected answer creating in {self.name}")
        return self.wrap(found)
