"""What CIMI knows but clouds do not store: templates, configurations, and the
names, descriptions and properties given to created resources.

One JSON file per entity under ``CIMI_STORAGE`` (default: see
:func:`storage_root`), scoped by driver, provider and user (a digest of the
user name: tenants of one cloud never see each other's templates), owner-only
(folders 0700, files 0600). Every read-modify-write (create, edit, member
add/remove, delete) is one transaction under the scope's lock, so parallel
requests of any worker process neither lose writes nor bring a deleted entity
back. Only a request whose credentials the driver accepts reaches the store.
Ids of created entities are sequential integers. The mock driver's scope is
seeded on first use with the original mock's CIMI entities (network and
address templates, configurations, network ports, systems and their members);
their hrefs are kept relative to ``/cimi`` (see
:func:`relative_href`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from collections.abc import Mapping
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any
from typing import TypeVar

from flask import current_app
from flask import g

from deltaflask.context import current_credentials
from deltaflask.context import current_driver
from deltaflask.context import current_driver_name
from deltaflask.context import current_provider
from deltaflask.errors import AuthenticationFailure
from deltaflask.errors import AuthenticationRequired
from deltaflask.errors import ObjectNotFound
from deltaflask.files import locked
from deltaflask.files import sweep
from deltaflask.files import write_atomic
from deltaflask.state import state

Result = TypeVar("Result")

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
SAFE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._:@+\-]{0,127}$")
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


class CimiStore:
    """The entities of one (driver, provider) scope."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, kind: str, entity_id: str) -> Path:
        if kind not in KINDS or not SAFE.match(entity_id) or ".." in entity_id:
            raise ObjectNotFound("Not found")
        return self.root / kind / f"{entity_id}.json"

    def load(self, kind: str, entity_id: str) -> dict[str, Any] | None:
        """One entity, or ``None``."""
        try:
            with open(self._path(kind, entity_id), encoding="utf-8") as handle:
                data: dict[str, Any] = json.load(handle)
        except (FileNotFoundError, ObjectNotFound):
            return None
        return data

    def get(self, kind: str, entity_id: str) -> dict[str, Any]:
        """One entity; 404 when missing."""
        data = self.load(kind, entity_id)
        if data is None:
            raise ObjectNotFound("Not found")
        return data

    def all(self, kind: str) -> list[dict[str, Any]]:
        """Every entity of ``kind``, in id order."""
        folder = self.root / kind
        if not folder.is_dir():
            return []
        names = sorted(
            (
                entry.name[:-5]
                for entry in os.scandir(folder)
                if entry.name.endswith(".json")
            ),
            key=lambda name: (len(name), name),
        )
        return [data for name in names if (data := self.load(kind, name)) is not None]

    def transaction(self) -> AbstractContextManager[None]:
        """Hold the scope's lock (every thread and process); re-entrant."""
        return locked(self.root)

    def create(self, kind: str, data: dict[str, Any]) -> dict[str, Any]:
        """Store ``data`` under the next number; return it with its id."""
        with self.transaction():
            entity = {**data, "id": str(self._next_number())}
            self._save(kind, entity)
        return entity

    def update(
        self, kind: str, entity_id: str, change: Callable[[dict[str, Any]], Result]
    ) -> Result:
        """Apply ``change`` to a stored entity (in place) and store it, in one
        transaction; return what ``change`` returns. 404 when the entity is
        missing (also when a delete ran first); nothing is stored when
        ``change`` raises."""
        with self.transaction():
            entity = self.get(kind, entity_id)
            result = change(entity)
            self._save(kind, entity)
        return result

    def keep(self, key: str, kept: dict[str, Any]) -> None:
        """Merge ``kept`` into the metadata record ``key``; a new record takes a
        number, so ids come from one sequence for everything CIMI keeps (as
        the original's single table gave them)."""
        with self.transaction():
            record = self.load("metadata", key)
            if record is None:
                record = {"number": self._next_number()}
            self._save("metadata", {**record, **kept, "id": key})

    def _next_number(self) -> int:
        counter = self.root / ".next_id"
        number = int(counter.read_text() or "0") + 1 if counter.exists() else 1
        write_atomic(counter, str(number).encode())
        return number

    def _save(self, kind: str, entity: dict[str, Any]) -> None:
        """Write ``entity`` (its ``id`` names the file); callers hold the lock."""
        write_atomic(self._path(kind, entity["id"]), json.dumps(entity).encode())

    def delete(self, kind: str, entity_id: str) -> bool:
        """Remove an entity; return whether it existed."""
        try:
            path = self._path(kind, entity_id)
        except ObjectNotFound:
            return False
        with self.transaction():
            try:
                path.unlink()
            except FileNotFoundError:
                return False
        return True

    def seed(self, folder: Path) -> None:
        """Copy the seed entities under ``folder`` in (once). The members of a
        system's sub-collections go into its ``members``."""
        with self.transaction():
            if (self.root / ".seeded").exists():
                return
            members = []
            for source in sorted(folder.glob("*/*.json")):
                data = relative_hrefs(json.loads(source.read_text(encoding="utf-8")))
                data.pop("operations", None)
                kind = SEED_KINDS.get(source.parent.name)
                if kind is None:  # a member: systems/<system>/<sub>/<id>
                    members.append(data)
                    continue
                data["id"] = data["id"].rsplit("/", 1)[-1]
                self._save(kind, data)
            for member in members:
                path = relative_href(member["id"])
                _, system_id, sub, member["id"] = path.split("/")
                system = self.get("systems", system_id)
                system.setdefault("members", {}).setdefault(sub, []).append(member)
                self._save("systems", system)
            write_atomic(self.root / ".seeded", b"1")


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


def cimi_store() -> CimiStore:
    """The store of the current driver and provider (seeded on first use;
    temporary files a killed writer left are swept, see ``files.sweep``)."""
    config = current_app.config
    user = hashlib.sha256(_checked_user().encode()).hexdigest()[:16]
    scope = f"{current_driver_name()}-{current_provider() or 'default'}-{user}"
    if not SAFE.match(scope) or ".." in scope:
        raise ObjectNotFound("Not found")
    store = CimiStore(storage_root(config) / scope)
    sweep(store.root, config)
    seed = state().pm.hook.cimi_seed(driver_name=current_driver_name())
    if seed is not None and not (store.root / ".seeded").exists():
        store.seed(seed)
    return store


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
    return f"{kind}-{entity_id}"[:128] if SAFE.match(f"{kind}-{entity_id}") else ""


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
