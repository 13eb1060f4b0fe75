"""The mock store: seeding, atomic writes, locking across processes, safe ids,
ids never reused, reset."""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from pathlib import Path

import pytest

from deltaflask.drivers import Credentials
from deltaflask.drivers import InstanceCreate
from deltaflask.errors import ValidationFailure
from deltaflask.plugins.mock.driver import MockDriver
from deltaflask.plugins.mock.store import MockStore
from deltaflask.plugins.mock.store import NotAMockStore
from deltaflask.plugins.mock.store import check_id
from deltaflask.plugins.mock.store import natural_key
from deltaflask.resources import resource_dir
from deltaflask.store import json_files
from tests.support.paths import DATA


def test_seeded_on_first_use_and_kept(tmp_path):
    store = MockStore(tmp_path / "m", resource_dir("mock"))
    assert store.ids("instances") == ["inst0", "inst1", "inst2", "inst3"]
    store.delete("instances", "inst2")
    again = MockStore(tmp_path / "m", resource_dir("mock"))
    assert again.ids("instances") == ["inst0", "inst1", "inst3"]


def test_seed_data_mirrors_the_original():
    seed = resource_dir("mock")
    original = DATA / "original-mock-data"
    assert original.is_dir(), original
    for folder in original.iterdir():
        if folder.name in ("cimi", "blobs"):
            continue
        ids = sorted(p.stem for p in folder.glob("*.yml"))
        assert ids == sorted(p.stem for p in (seed / folder.name).glob("*.json")), (
            folder
        )
    blobs = sorted(p.stem for p in seed.glob("blobs/*/*.json"))
    assert blobs == sorted(p.stem for p in (original / "blobs").glob("*.yml"))


def test_writes_are_atomic(tmp_path):
    store = MockStore(tmp_path, resource_dir("mock"))
    store.save("keys", {"id": "k1", "credential_type": "key"})
    assert json.loads((tmp_path / "keys/k1.json").read_text())["id"] == "k1"
    assert not list((tmp_path / "keys").glob(".tmp-*"))


@pytest.mark.parametrize(
    "bad", ["..", "../x", "a/b", "", "x" * 129, "a\x00b", ".x", "a b"]
)
def test_unsafe_ids_are_refused(tmp_path, bad):
    store = MockStore(tmp_path, resource_dir("mock"))
    with pytest.raises(ValidationFailure):
        check_id(bad)
    assert store.load("instances", bad) is None
    with pytest.raises(ValidationFailure):
        store.save("keys", {"id": bad})


def _launch(root: str, count: int) -> None:
    driver = MockDriver(
        Credentials("mockuser", "mockpassword"), None, {"MOCK_STORAGE": root}
    )
    for _ in range(count):
        driver.create_instance(InstanceCreate(image_id="img1"))


def test_concurrent_processes_never_lose_a_write(tmp_path):
    root = str(tmp_path / "shared")
    MockStore(Path(root), resource_dir("mock"))
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_launch, args=(root, 10)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    ids = MockStore(Path(root), resource_dir("mock")).ids("instances")
    assert len(ids) == 4 + 40
    assert len(set(ids)) == len(ids)


def _set_state(root: str, state: str) -> None:
    store = MockStore(Path(root), resource_dir("mock"))
    with store.transaction():
        data = store.load("instances", "inst0")
        assert data is not None
        data["state"] = state
        store.save("instances", data)


def test_cached_reads_see_writes_of_other_processes(tmp_path):
    store = MockStore(tmp_path, resource_dir("mock"))
    first = store.load("instances", "inst0")
    assert first is not None
    # the seeded file is old enough to be cached; callers get their own copy
    assert str(tmp_path / "instances/inst0.json") in json_files._texts
    first["state"] = "CHANGED IN MEMORY"
    assert store.load("instances", "inst0") == {**first, "state": "RUNNING"}
    context = multiprocessing.get_context("fork")
    # PENDING has the size of RUNNING: only the inode and mtime tell them apart
    for state in ("PENDING", "STOPPED", "RUNNING", "PENDING"):
        writer = context.Process(target=_set_state, args=(str(tmp_path), state))
        writer.start()
        writer.join(60)
        assert writer.exitcode == 0
        assert store.load("instances", "inst0")["state"] == state
    (tmp_path / "instances/inst0.json").unlink()
    assert store.load("instances", "inst0") is None


def test_kept_instance_models_follow_writes_of_other_processes(tmp_path):
    """The driver's list keeps each file's model while the file is unchanged
    and sees another process's write (or delete) at once."""
    driver = MockDriver(
        Credentials("mockuser", "mockpassword"), None, {"MOCK_STORAGE": str(tmp_path)}
    )
    first = driver.instances({})
    again = driver.instances({})
    assert [i.id for i in first] == ["inst0", "inst1", "inst2", "inst3"]
    assert again[0] is first[0]  # the seeded files are old enough to be kept
    context = multiprocessing.get_context("fork")
    for state in ("PENDING", "STOPPED", "RUNNING", "PENDING"):
        writer = context.Process(target=_set_state, args=(str(tmp_path), state))
        writer.start()
        writer.join(60)
        assert writer.exitcode == 0
        assert driver.instances({"id": "inst0"})[0].state == state
        assert driver.instances({})[0].state == state
    folder = tmp_path / "instances"
    _age(folder)  # the folder's listing is kept too, until its next change
    assert driver.store.ids("instances") == ["inst0", "inst1", "inst2", "inst3"]
    launcher = context.Process(target=_launch, args=(str(tmp_path), 1))
    launcher.start()
    launcher.join(60)
    assert launcher.exitcode == 0
    assert [i.id for i in driver.instances({})][-1] == "inst4"
    _age(folder)
    assert len(driver.instances({})) == 5
    (folder / "inst0.json").unlink()
    assert [i.id for i in driver.instances({})] == ["inst1", "inst2", "inst3", "inst4"]
    assert driver.instances({"id": "inst0"}) == []


def _age(folder: Path) -> None:
    """Date ``folder`` an hour back, so that the store may keep its listing."""
    old = time.time() - 3600
    os.utime(folder, (old, old))


def test_deleted_instance_ids_never_come_back(client, auth):
    """Through the API: create, delete, create again gives a new id."""
    created = []
    for _ in range(3):
        answer = client.post("/api/instances", data={"image_id": "img1"}, headers=auth)
        assert answer.status_code == 201
        instance_id = answer.headers["Location"].rsplit("/", 1)[-1]
        created.append(instance_id)
        assert client.post(
            f"/api/instances/{instance_id}/stop", headers=auth
        ).status_code in (200, 202)
        assert (
            client.delete(f"/api/instances/{instance_id}", headers=auth).status_code
            == 204
        )
    assert created == ["inst4", "inst5", "inst6"]


def test_deleted_addresses_never_come_back(tmp_path):
    driver = MockDriver(
        Credentials("mockuser", "mockpassword"), None, {"MOCK_STORAGE": str(tmp_path)}
    )
    first = driver.create_address()
    assert first.id == "192.168.0.5"  # past the seed's 192.168.0.1-4
    driver.destroy_address(first.id)
    assert driver.create_address().id == "192.168.0.6"


def test_counters_start_past_what_the_folder_holds(tmp_path):
    """A folder written before the counters existed keeps its highest id."""
    store = MockStore(tmp_path, resource_dir("mock"))
    store.save("instances", {"id": "inst41"})
    assert store.new_id("instances", "inst") == "inst42"
    store.delete("instances", "inst41")
    assert store.new_id("instances", "inst") == "inst43"


def _create_and_destroy(root: str, count: int, queue: multiprocessing.Queue) -> None:
    driver = MockDriver(
        Credentials("mockuser", "mockpassword"), None, {"MOCK_STORAGE": root}
    )
    for _ in range(count):
        (instance,) = driver.create_instance(InstanceCreate(image_id="img1"))
        driver.stop_instance(instance.id)
        driver.destroy_instance(instance.id)
        queue.put(instance.id)


def test_parallel_workers_never_share_or_reuse_an_id(tmp_path):
    """Four processes create and at once delete instances in one folder: every
    id they were given is distinct (lowest-free numbering gave ``inst4`` to
    each of them over and over)."""
    root = str(tmp_path / "shared")
    MockStore(Path(root), resource_dir("mock"))
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    workers = [
        context.Process(target=_create_and_destroy, args=(root, 10, queue))
        for _ in range(4)
    ]
    for worker in workers:
        worker.start()
    given = [queue.get(timeout=60) for _ in range(40)]
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    assert len(set(given)) == 40
    assert sorted(given, key=natural_key) == [f"inst{n}" for n in range(4, 44)]


def test_reset_puts_the_seed_back_and_restarts_the_counters(tmp_path):
    store = MockStore(tmp_path, resource_dir("mock"))
    assert store.new_id("instances", "inst") == "inst4"
    store.delete("instances", "inst0")
    (tmp_path / "blobs" / "bucket1" / "extra.data").write_bytes(b"x")
    MockStore.reset(tmp_path, resource_dir("mock"))
    assert store.ids("instances") == ["inst0", "inst1", "inst2", "inst3"]
    assert not (tmp_path / "blobs" / "bucket1" / "extra.data").exists()
    assert store.new_id("instances", "inst") == "inst4"


def test_reset_refuses_a_folder_that_is_not_a_store(tmp_path):
    (tmp_path / "notes.txt").write_text("keep me")
    with pytest.raises(NotAMockStore):
        MockStore.reset(tmp_path, resource_dir("mock"))
    assert (tmp_path / "notes.txt").read_text() == "keep me"
    assert not (tmp_path / "images").exists()
