"""What CIMI knows but clouds do not store: templates, configurations, and the
names, descriptions and properties given to created resources.

The core entity store, scoped by driver, provider and user (a digest of the
user name: tenants of one cloud never see each other's templates): JSON files
(:class:`deltaflask.store.JsonFileStore`) under ``CIMI_STORAGE`` (default: see
:func:`storage_root`), owner-only (folders 0700, files 0600); or, when
``DATABASE_URL`` is set, the PostgreSQL database every node shares
(:class:`deltaflask.store.postgres.PostgresStore`). Every read-modify-write
(create, edit, member add/remove, delete) is one transaction under the scope's
lock, so parallel requests of any worker process or node neither lose writes
nor bring a deleted entity back. Only a request whose credentials the driver
accepts reaches the store. Ids of created entities are sequential integers.
The mock driver's scope is seeded on first use with the original mock's CIMI
entities (network and address templates, configurations, network ports,
systems and their members); their hrefs are kept relative to ``/cimi`` (see
:func:`relative_href`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from contextlib import AbstractContextManager
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from typing import TypeVar

from flask import Flask
from flask import current_app
from flask import g

from deltaflask.context import current_credentials
from deltaflask.context import current_driver
from deltaflask.context import current_driver_name
from deltaflask.context import current_provider
from deltaflask.errors import AuthenticationFailure
from deltaflask.errors import AuthenticationRequired
from deltaflask.errors import ObjectNotFound
from deltaflask.files import sweep
from deltaflask.state import state
from deltaflask.store.base import EntityStore
from deltaflask.store.base import is_safe_id
from deltaflask.store.json_files import JsonFileStore
from deltaflask.store.postgres import PostgresStore

KINDS = (
    "machine_templates",
    "volume_configurations",
    "volume_templates",
    "metadata",
    "network_configurations",
    "network_templates",
    "network_ports",
    "network_port_configurations",
    "network_port_templates",
    "address_templates",
    "forwarding_group_templates",
    "systems",
    "system_templates",
)
#: the sequence every kept entity takes its number from
Result = TypeVar("Result")
SEQUENCE = "entities"
#: the host the seed files use for URLs under ``/cimi``
SEED_BASE = "http://cimi.example.org/"
#: references of the seed that point at nothing (the original mock's Networks
#: became its subnets and ForwardingGroups its networks), pointed at the
#: entities of the mock they stood for
SEED_FIXES = {
    "forwarding_groups/group1": "forwarding_groups/net1",
    "networks/network1": "networks/subnet1",
    "networks/network2": "networks/subnet3",
}
#: seed folder -> kind (the ``system_*`` folders hold members of systems)
SEED_KINDS = {
    "address_template": "address_templates",
    "forwarding_group_template": "forwarding_group_templates",
    "network_configuration": "network_configurations",
    "network_port": "network_ports",
    "network_port_configuration": "network_port_configurations",
    "network_port_template": "network_port_templates",
    "network_template": "network_templates",
    "system": "systems",
    "system_template": "system_templates",
}


class CimiScope(EntityStore):
    """The entities of one (driver, provider, user) scope, in the order their
    attributes were given, on either backend (see :class:`CimiStore` and
    :class:`CimiDatabaseStore`).

    A scope of a seeded driver reads ``pristine`` (one seeded copy shared by
    every scope) until its first write copies that in, so reads and refused
    requests write nothing, whatever provider they name.
    """

    _pristine: EntityStore | None = None

    def _source(self) -> EntityStore:
        """Where reads go: the pristine seed until this scope is written."""
        if self._pristine is not None and not self.seeded():
            return self._pristine
        return self

    def load(self, kind: str, entity_id: str) -> dict[str, Any] | None:
        """One entity, or ``None``."""
        source = self._source()
        if source is not self:
            return source.load(kind, entity_id)
        return super().load(kind, entity_id)

    def ids(self, kind: str) -> list[str]:
        """Ids of a kind, in natural order."""
        source = self._source()
        if source is not self:
            return source.ids(kind)
        return super().ids(kind)

    def all(self, kind: str) -> list[dict[str, Any]]:
        """Every entity of a kind, in natural id order."""
        source = self._source()
        if source is not self:
            return source.all(kind)
        return super().all(kind)

    def exists(self, kind: str, entity_id: str) -> bool:
        """Whether an entity exists."""
        return self.load(kind, entity_id) is not None

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """The scope's transaction, held by every write: the first one copies
        the pristine seed in."""
        with super().transaction():
            if self._pristine is not None and not self.seeded():
                for kind in KINDS:
                    for entity_id in self._pristine.ids(kind):
                        self.save(kind, self._pristine.require(kind, entity_id))
                self.mark_seeded()
            yield

    def update(
        self, kind: str, entity_id: str, change: Callable[[dict[str, Any]], Result]
    ) -> Result:
        """As :meth:`EntityStore.update`; a missing entity is a 404 before
        anything is written."""
        self.require(kind, entity_id)
        return super().update(kind, entity_id, change)

    def delete(self, kind: str, entity_id: str) -> bool:
        """Remove an entity; return whether it existed. Whether it exists is
        asked under the scope's lock (a write in progress may be creating it)
        but before the seed is copied in: a scope with no such entity writes
        nothing."""
        if not self._opened() and not self.exists(kind, entity_id):
            return False  # no write has begun: nothing to wait for
        with self._lock():
            if not self.exists(kind, entity_id):
                return False
            return super().delete(kind, entity_id)

    def _lock(self) -> AbstractContextManager[None]:
        """The backend's transaction alone (the seed is not copied in)."""
        return super().transaction()

    def _opened(self) -> bool:
        """Whether a write of this scope may have begun."""
        return True

    def get(self, kind: str, entity_id: str) -> dict[str, Any]:
        """One entity; 404 when missing."""
        return self.require(kind, entity_id)

    def create(self, kind: str, data: dict[str, Any]) -> dict[str, Any]:
        """Store ``data`` under the next number; return it with its id."""
        with self.transaction():
            entity = {**data, "id": str(self._next_number())}
            self.save(kind, entity)
        return entity

    def keep(self, key: str, kept: dict[str, Any]) -> None:
        """Merge ``kept`` into the metadata record ``key``; a new record takes a
        number, so ids come from one sequence for everything CIMI keeps (as
        the original's single table gave them)."""
        with self.transaction():
            record = self.load("metadata", key)
            if record is None:
                record = {"number": self._next_number()}
            self.save("metadata", {**record, **kept, "id": key})

    def _next_number(self) -> int:
        """The scope's next number (from :meth:`_first_number`)."""
        return self.next_number(SEQUENCE, self._first_number())

    def _first_number(self) -> int:
        """The least number the scope hands out."""
        return 1

    def seed(self, folder: Path) -> None:
        """Copy the seed entities under ``folder`` in (once). The members of a
        system's sub-collections go into its ``members``."""
        self.seed_once(lambda: self._copy_seed(folder))

    def _copy_seed(self, folder: Path) -> None:
        members = []
        for source in sorted(folder.glob("*/*.json")):
            data = relative_hrefs(json.loads(source.read_text(encoding="utf-8")))
            data.pop("operations", None)
            kind = SEED_KINDS.get(source.parent.name)
            if kind is None:  # a member: systems/<system>/<sub>/<id>
                members.append(data)
                continue
            data["id"] = data["id"].rsplit("/", 1)[-1]
            self.save(kind, data)
        for member in members:
            path = relative_href(member["id"])
            _, system_id, sub, member["id"] = path.split("/")
            system = self.get("systems", system_id)
            system.setdefault("members", {}).setdefault(sub, []).append(member)
            self.save("systems", system)


class CimiStore(CimiScope, JsonFileStore):
    """A CIMI scope as JSON files under ``root``."""

    def __init__(self, root: Path, pristine: CimiScope | None = None) -> None:
        super().__init__(root, kinds=KINDS, sort_keys=False)
        self._pristine = pristine

    def _first_number(self) -> int:
        """1; a scope written before the sequences kept its last number in
        ``.next_id``, which stays a floor."""
        legacy = self.root / ".next_id"
        return int(legacy.read_text() or "0") + 1 if legacy.exists() else 1

    def _opened(self) -> bool:
        """Whether the scope's folder exists (every write locks it first,
        which makes it)."""
        return self.root.exists()


class CimiDatabaseStore(CimiScope, PostgresStore):
    """A CIMI scope in the PostgreSQL database at ``url`` (``DATABASE_URL``)."""

    def __init__(
        self, url: str, scope: str, pristine: CimiScope | None = None
    ) -> None:
        super().__init__(url, f"cimi/{scope}", kinds=KINDS)
        self._pristine = pristine


def storage_root(config: Mapping[str, Any]) -> Path:
    """The folder of every CIMI scope, never one shared with other servers or
    users: ``CIMI_STORAGE``; else ``cimi`` in the server's data folder beside
    the default mock cloud; else ``.cimi`` inside the configured mock cloud
    folder (``DELTACLOUD_MOCK_STORAGE``), whose parent may be shared."""
    if config.get("CIMI_STORAGE"):
        return Path(config["CIMI_STORAGE"])
    data = config.get("DATA")
    mock = Path(config["MOCK_STORAGE"])
    if data and mock == Path(data) / "mock":
        return Path(data) / "cimi"
    return mock / ".cimi"


def cimi_store() -> CimiScope:
    """The store of the current driver, provider and user (see
    :class:`CimiScope` for its seed): in the database when ``DATABASE_URL``
    is set, else in files, where temporary files a killed writer left are
    swept (``files.sweep``)."""
    config = current_app.config
    user = hashlib.sha256(_checked_user().encode()).hexdigest()[:16]
    provider = current_provider() or "default"
    if not is_safe_id(provider):  # an endpoint URL (rhevm's engine API)
        provider = hashlib.sha256(provider.encode()).hexdigest()[:16]
    scope = f"{current_driver_name()}-{provider}-{user}"
    if not is_safe_id(scope):
        raise ObjectNotFound("Not found")
    seed = pristine(current_app, current_driver_name())
    if config.get("DATABASE_URL"):
        return CimiDatabaseStore(config["DATABASE_URL"], scope, seed)
    store = CimiStore(storage_root(config) / scope, seed)
    sweep(store.root, config)
    return store


def pristine(app: Flask, driver_name: str) -> CimiScope | None:
    """The one seeded copy every unwritten scope of ``driver_name`` reads
    (``None`` when the driver gives CIMI no seed, see the ``cimi_seed`` hook)."""
    seed = state(app).pm.hook.cimi_seed(driver_name=driver_name)
    if seed is None:
        return None
    name = f".seed-{driver_name}"
    if app.config.get("DATABASE_URL"):
        kept = CimiDatabaseStore(app.config["DATABASE_URL"], name)
        kept.seed(seed)
        return kept
    store = CimiStore(storage_root(app.config) / name)
    store.seed(seed)
    sweep(store.root, app.config)  # what a writer killed while seeding left
    return store


def prepare_seeds(app: Flask) -> None:
    """Make the pristine copies before the first request (which may be refused,
    and a refused request writes nothing)."""
    for driver_name in sorted(state(app).registry.drivers):
        pristine(app, driver_name)


def _checked_user() -> str:
    """The user of the request's credentials, once the driver accepted them
    (401 otherwise; checked once per request)."""
    if "cimi_user" not in g:
        credentials = current_credentials()
        if credentials is None:
            raise AuthenticationRequired()
        if not current_driver().valid_credentials():
            raise AuthenticationFailure()
        g.cimi_user = credentials.user
    return str(g.cimi_user)


def relative_href(href: str) -> str:
    """An href of the seed as a path relative to ``/cimi`` (others unchanged)."""
    if href.startswith(SEED_BASE):
        path = href[len(SEED_BASE) :]
        return SEED_FIXES.get(path, path)
    return href


def relative_hrefs(value: Any) -> Any:
    """``value`` with every seed ``href`` made relative (:func:`relative_href`)."""
    if isinstance(value, dict):
        return {
            key: relative_href(item)
            if key == "href" and isinstance(item, str)
            else relative_hrefs(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [relative_hrefs(item) for item in value]
    return value


def metadata_key(kind: str, entity_id: str) -> str:
    """The id of the metadata record of a cloud-backed entity (safe for a file name)."""
    key = f"{kind}-{entity_id}"
    return key if is_safe_id(key) else ""


def overrides(kind: str, entity_id: str) -> dict[str, Any]:
    """Name, description and properties stored for a cloud entity."""
    key = metadata_key(kind, entity_id)
    return (cimi_store().load("metadata", key) or {}) if key else {}


def remember(
    kind: str,
    entity_id: str,
    body: dict[str, Any],
    fields: tuple[str, ...] = ("name", "description", "properties"),
) -> None:
    """Keep the ``fields`` a create or edit request gave (merged into what is
    already kept)."""
    key = metadata_key(kind, entity_id)
    kept = {k: body[k] for k in fields if body.get(k) not in (None, "", {})}
    if key and kept:
        cimi_store().keep(key, kept)


def forget(kind: str, entity_id: str) -> None:
    """Drop the stored metadata of a deleted cloud entity."""
    key = metadata_key(kind, entity_id)
    if key:
        cimi_store().delete("metadata", key)
