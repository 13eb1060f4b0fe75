"""The core entity store (deltaflask.store): the interface both built-in
stores use, on its JSON-files backend."""

from __future__ import annotations

import json
import stat

import pytest

from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ValidationFailure
from deltaflask.plugins.cimi.store import CimiStore
from deltaflask.plugins.mock.store import MockStore
from deltaflask.resources import resource_dir
from deltaflask.store import EntityStore
from deltaflask.store import JsonFileStore

UNSAFE = ["..", "../x", "a/b", "", "x" * 129, "a\x00b", ".x", "-x", "a b", "a..b"]


def test_both_stores_are_the_core_store(tmp_path):
    mock = MockStore(tmp_path / "mock", resource_dir("mock"))
    cimi = CimiStore(tmp_path / "cimi")
    for store in (mock, cimi):
        assert isinstance(store, JsonFileStore)
        assert isinstance(store, EntityStore)


@pytest.mark.parametrize("bad", UNSAFE)
def test_an_unsafe_id_names_nothing_and_stores_nothing(tmp_path, bad):
    store = JsonFileStore(tmp_path)
    assert store.load("things", bad) is None
    assert not store.exists("things", bad)
    assert store.delete("things", bad) is False
    with pytest.raises(ValidationFailure):
        store.save("things", {"id": bad})
    with pytest.raises(ObjectNotFound):
        store.update("things", bad, lambda entity: None)
    assert not (tmp_path / "things").exists()


def test_save_load_delete_in_natural_order(tmp_path):
    store = JsonFileStore(tmp_path)
    for entity_id in ("t10", "t2", "t1"):
        store.save("things", {"id": entity_id, "size": len(entity_id)})
    assert store.ids("things") == ["t1", "t2", "t10"]
    assert [t["id"] for t in store.all("things")] == ["t1", "t2", "t10"]
    assert store.load("things", "t10") == {"id": "t10", "size": 3}
    assert store.delete("things", "t2") is True
    assert store.delete("things", "t2") is False
    assert store.ids("things") == ["t1", "t10"]
    mode = stat.S_IMODE((tmp_path / "things/t1.json").stat().st_mode)
    assert mode == 0o600


def test_update_is_one_transaction_and_stores_nothing_on_error(tmp_path):
    store = JsonFileStore(tmp_path)
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


def test_sequences_never_hand_out_a_number_twice(tmp_path):
    store = JsonFileStore(tmp_path)
    assert store.new_id("things", "t") == "t0"
    store.save("things", {"id": "t7"})
    assert store.new_id("things", "t") == "t8"
    store.delete("things", "t7")
    assert store.new_id("things", "t") == "t9"
    assert store.next_number("other", floor=5) == 5
    assert store.next_number("other") == 6
    assert JsonFileStore(tmp_path).next_number("other") == 7


def test_a_store_holds_only_its_kinds(tmp_path):
    store = JsonFileStore(tmp_path, kinds=("things",))
    store.save("things", {"id": "t1"})
    for kind in ("others", "../things", "Things"):
        with pytest.raises(ValueError, match="bad kind"):
            store.load(kind, "t1")


def test_seed_once_runs_its_filler_once(tmp_path):
    store = JsonFileStore(tmp_path)
    calls = []
    store.seed_once(lambda: calls.append(store.save("things", {"id": "s1"})))
    JsonFileStore(tmp_path).seed_once(lambda: calls.append("again"))
    assert len(calls) == 1
    assert store.seeded()
    assert store.ids("things") == ["s1"]


def test_cimi_keeps_attribute_order(tmp_path):
    cimi = CimiStore(tmp_path / "cimi")
    created = cimi.create("machine_templates", {"name": "z", "description": "a"})
    assert list(cimi.get("machine_templates", created["id"])) == [
        "name",
        "description",
        "id",
    ]
    text = (tmp_path / "cimi/machine_templates/1.json").read_text()
    assert list(json.loads(text)) == ["name", "description", "id"]


def test_cimi_numbers_continue_a_scope_written_before_sequences(tmp_path):
    root = tmp_path / "scope"
    root.mkdir()
    (root / ".next_id").write_text("41")
    store = CimiStore(root)
    assert store.create("volume_configurations", {"capacity": 1})["id"] == "42"
    assert store.create("volume_configurations", {"capacity": 2})["id"] == "43"
    store.keep("machines-inst0", {"name": "kept"})
    assert store.load("metadata", "machines-inst0")["number"] == 44
