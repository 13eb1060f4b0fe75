"""The core entity store (deltaflask.store): the interface both built-in
stores use, on both backends (JSON files and PostgreSQL): the contract tests
take a ``make_store`` of each."""

from __future__ import annotations

import json
import stat
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ValidationFailure
from deltaflask.plugins.cimi.store import CimiDatabaseStore
from deltaflask.plugins.cimi.store import CimiStore
from deltaflask.plugins.mock.store import MockStore
from deltaflask.resources import resource_dir
from deltaflask.store import EntityStore
from deltaflask.store import JsonFileStore
from deltaflask.store.postgres import PostgresStore

pytestmark = pytest.mark.xdist_group("postgres")

UNSAFE = ["..", "../x", "a/b", "", "x" * 129, "a\x00b", ".x", "-x", "a b", "a..b"]
MakeStore = Callable[..., EntityStore]


@pytest.fixture(params=["files", "postgres"])
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> MakeStore:
    """Opens the test's one store on a backend (each call a new object)."""
    if request.param == "files":
        return lambda **options: JsonFileStore(tmp_path / "store", **options)
    url = request.getfixturevalue("database_url")
    return lambda **options: PostgresStore(url, "tests/store", **options)


@pytest.fixture(params=["files", "postgres"])
def make_cimi(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[..., Any]:
    """Opens a CIMI scope ``name`` on a backend (with an optional pristine)."""
    if request.param == "files":
        return lambda name, pristine=None: CimiStore(tmp_path / name, pristine)
    url = request.getfixturevalue("database_url")
    return lambda name, pristine=None: CimiDatabaseStore(url, name, pristine)


def test_both_stores_are_the_core_store(tmp_path):
    mock = MockStore(tmp_path / "mock", resource_dir("mock"))
    cimi = CimiStore(tmp_path / "cimi")
    for store in (mock, cimi):
        assert isinstance(store, JsonFileStore)
        assert isinstance(store, EntityStore)


@pytest.mark.parametrize("bad", UNSAFE)
def test_an_unsafe_id_names_nothing_and_stores_nothing(make_store, bad):
    store = make_store()
    assert store.load("things", bad) is None
    assert not store.exists("things", bad)
    assert store.delete("things", bad) is False
    with pytest.raises(ValidationFailure):
        store.save("things", {"id": bad})
    with pytest.raises(ObjectNotFound):
        store.update("things", bad, lambda entity: None)
    assert store.ids("things") == []


def test_files_are_owner_only_and_unsafe_ids_make_none(tmp_path):
    store = JsonFileStore(tmp_path)
    with pytest.raises(ValidationFailure):
        store.save("things", {"id": "../x"})
    assert not (tmp_path / "things").exists()
    store.save("things", {"id": "t1"})
    mode = stat.S_IMODE((tmp_path / "things/t1.json").stat().st_mode)
    assert mode == 0o600


def test_save_load_delete_in_natural_order(make_store):
    store = make_store()
    for entity_id in ("t10", "t2", "t1"):
        store.save("things", {"id": entity_id, "size": len(entity_id)})
    assert store.ids("things") == ["t1", "t2", "t10"]
    assert [t["id"] for t in store.all("things")] == ["t1", "t2", "t10"]
    assert store.load("things", "t10") == {"id": "t10", "size": 3}
    assert store.delete("things", "t2") is True
    assert store.delete("things", "t2") is False
    assert store.ids("things") == ["t1", "t10"]
    assert make_store().ids("things") == ["t1", "t10"]


def test_update_is_one_transaction_and_stores_nothing_on_error(make_store):
    store = make_store()
    store.save("things", {"id": "t1", "n": 1})

    def bump(entity):
        entity["n"] += 1
        return entity["n"]

    assert store.update("things", "t1", bump) == 2

    def broken(entity):
        entity["n"] = 99
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        store.update("things", "t1", broken)
    assert store.load("things", "t1") == {"id": "t1", "n": 2}
    with pytest.raises(ObjectNotFound):
        store.update("things", "missing", bump)
    assert not store.exists("things", "missing")


def test_sequences_never_hand_out_a_number_twice(make_store):
    store = make_store()
    assert store.new_id("things", "t") == "t0"
    store.save("things", {"id": "t7"})
    assert store.new_id("things", "t") == "t8"
    store.delete("things", "t7")
    assert store.new_id("things", "t") == "t9"
    assert store.next_number("other", floor=5) == 5
    assert store.next_number("other") == 6
    assert make_store().next_number("other") == 7
    assert make_store().next_number("other", floor=3) == 8
    assert make_store().next_number("other", floor=20) == 20


def test_a_store_holds_only_its_kinds(make_store):
    store = make_store(kinds=("things",))
    store.save("things", {"id": "t1"})
    for kind in ("others", "../things", "Things"):
        with pytest.raises(ValueError, match="bad kind"):
            store.load(kind, "t1")


def test_seed_once_runs_its_filler_once(make_store):
    store = make_store()
    calls = []
    assert not store.seeded()
    store.seed_once(lambda: calls.append(store.save("things", {"id": "s1"})))
    make_store().seed_once(lambda: calls.append("again"))
    assert len(calls) == 1
    assert store.seeded()
    assert store.ids("things") == ["s1"]


def test_cimi_keeps_attribute_order(make_cimi):
    cimi = make_cimi("cimi")
    created = cimi.create("machine_templates", {"name": "z", "description": "a"})
    assert list(cimi.get("machine_templates", created["id"])) == [
        "name",
        "description",
        "id",
    ]
    assert [list(t) for t in cimi.all("machine_templates")] == [
        ["name", "description", "id"]
    ]


def test_cimi_files_keep_attribute_order(tmp_path):
    CimiStore(tmp_path / "cimi").create("machine_templates", {"name": "z", "id": "x"})
    text = (tmp_path / "cimi/machine_templates/1.json").read_text()
    assert list(json.loads(text)) == ["name", "id"]


def test_a_cimi_scope_reads_its_pristine_seed_until_its_first_write(make_cimi):
    seed = make_cimi("seed")
    seed.seed_once(lambda: seed.save("systems", {"id": "s1", "name": "seeded"}))
    scope = make_cimi("user", seed)
    assert [s["id"] for s in scope.all("systems")] == ["s1"]
    assert scope.delete("systems", "missing") is False
    assert not scope.seeded()  # a read or a miss wrote nothing

    def broken(entity: dict[str, Any]) -> None:
        raise ValidationFailure("refused")

    with pytest.raises(ValidationFailure):
        scope.update("systems", "s1", broken)
    assert scope.get("systems", "s1")["name"] == "seeded"
    scope.update("systems", "s1", lambda entity: entity.update(name="mine"))
    assert scope.seeded()
    assert make_cimi("user", seed).get("systems", "s1")["name"] == "mine"
    assert seed.get("systems", "s1")["name"] == "seeded"
    assert scope.delete("systems", "s1") is True
    assert make_cimi("user", seed).all("systems") == []


def test_transactions_exclude_each_other(make_store):
    """Read-modify-writes of 8 threads, each with its own store object, on
    one counter: none is lost."""
    make_store().save("things", {"id": "c", "n": 0})
    start = threading.Barrier(8)

    def bump(_: int) -> None:
        store = make_store()
        start.wait(10)
        for _ in range(25):
            store.update("things", "c", lambda e: e.update(n=e["n"] + 1))

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(bump, range(8)))
    assert make_store().load("things", "c") == {"id": "c", "n": 200}


def test_an_update_racing_a_delete_never_brings_the_entity_back(make_store):
    for round_number in range(30):
        entity_id = f"r{round_number}"
        make_store().save("things", {"id": entity_id})
        start = threading.Barrier(2)

        def edit(entity_id: str = entity_id, start: Any = start) -> str:
            start.wait(10)
            try:
                make_store().update("things", entity_id, lambda e: e.update(x=1))
            except ObjectNotFound:
                return "gone"
            return "edited"

        def remove(entity_id: str = entity_id, start: Any = start) -> bool:
            start.wait(10)
            return make_store().delete("things", entity_id)

        with ThreadPoolExecutor(2) as pool:
            edited, removed = pool.submit(edit), pool.submit(remove)
            assert edited.result(30) in ("edited", "gone")
            assert removed.result(30) is True
        assert make_store().load("things", entity_id) is None


def test_cimi_numbers_continue_a_scope_written_before_sequences(tmp_path):
    root = tmp_path / "scope"
    root.mkdir()
    (root / ".next_id").write_text("41")
    store = CimiStore(root)
    assert store.create("volume_configurations", {"capacity": 1})["id"] == "42"
    assert store.create("volume_configurations", {"capacity": 2})["id"] == "43"
    store.keep("machines-inst0", {"name": "kept"})
    assert store.load("metadata", "machines-inst0")["number"] == 44
