"""The mock cloud on both backends (its folder, or PostgreSQL with
``DATABASE_URL``), through the classic API of two apps standing in for two
nodes: with a database each node has a folder of its own (which stays
empty), on files they share one. Entities, ids, blobs, segmented uploads,
the sweep of abandoned uploads and ``--reset-mock`` behave the same on both."""

from __future__ import annotations

import io
import multiprocessing
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from flask.testing import FlaskClient

from deltaflask import create_app
from deltaflask.drivers import Credentials
from deltaflask.drivers import InstanceCreate
from deltaflask.plugins.mock.driver import MockDriver
from deltaflask.plugins.mock.store import MockDatabaseStore
from deltaflask.plugins.mock.store import MockStore
from deltaflask.plugins.mock.store import natural_key
from deltaflask.plugins.mock.store import open_store
from deltaflask.plugins.mock.store import reset_store
from deltaflask.resources import resource_dir
from deltaflask.store.contents import write_content
from deltaflask.store.postgres import POOL_SIZE
from deltaflask.store.postgres import Database
from deltaflask.store.postgres import database
from tests.support.auth import MOCK_AUTH
from tests.support.blobs import complete
from tests.support.blobs import initiate
from tests.support.blobs import put_segment
from tests.support.blobs import segment
from tests.support.helpers import assert_error
from tests.support.paths import REPO
from tests.support.postgres import BACKENDS
from tests.support.postgres import store_settings

pytestmark = pytest.mark.xdist_group("postgres")

AUTH = {"Authorization": MOCK_AUTH}
JSON = {**AUTH, "Accept": "application/json"}
SEED = resource_dir("mock")
SEED_BLOB = (SEED / "blobs/bucket1/blob1.data").read_bytes()
SEED_INSTANCES = ["inst0", "inst1", "inst2", "inst3"]
Node = Callable[[str], FlaskClient]


@pytest.fixture(params=BACKENDS)
def settings(request: pytest.FixtureRequest) -> dict[str, str]:
    """No setting (files), or a fresh database's ``DATABASE_URL``."""
    return store_settings(request)


@pytest.fixture
def node(tmp_path: Path, settings: dict[str, str]) -> Iterator[Node]:
    """A client of node ``name``: its own mock folder with a database (which
    it never writes to), the shared one on files."""

    def make(name: str, **config: object) -> FlaskClient:
        app = create_app(
            {"TESTING": True, "MOCK_STORAGE": str(_folder(tmp_path, settings, name)),
             **settings, **config}
        )  # fmt: skip
        return app.test_client()

    yield make
    if settings:
        assert not list(tmp_path.glob("*/mock")), "a node wrote to its mock folder"


def _folder(tmp_path: Path, settings: dict[str, str], name: str) -> Path:
    return tmp_path / (name if settings else "shared") / "mock"


def _chunk_rows(settings: dict[str, str]) -> int:
    """How many chunk rows the database holds (0 on files)."""
    if not settings:
        return 0
    with psycopg.connect(settings["DATABASE_URL"]) as connection:
        row = connection.execute("SELECT count(*) FROM deltaflask_chunks").fetchone()
    assert row is not None
    return int(row[0])


def _instance_ids(client: FlaskClient) -> list[str]:
    listed = client.get("/api/instances", headers=JSON)
    assert listed.status_code == 200, listed.get_data(as_text=True)
    return [instance["id"] for instance in listed.get_json()["instances"]]


def test_seeded_once_and_kept(tmp_path, settings):
    config = {"MOCK_STORAGE": str(tmp_path / "store"), **settings}
    store = open_store(config)
    assert isinstance(store, MockDatabaseStore if settings else MockStore)
    assert store.ids("instances") == SEED_INSTANCES
    store.delete("instances", "inst2")
    assert open_store(config).ids("instances") == ["inst0", "inst1", "inst3"]


def test_an_instance_made_on_one_node_is_stopped_and_destroyed_on_the_other(node):
    a, b = node("a"), node("b")
    made = a.post("/api/instances", data={"image_id": "img1"}, headers=JSON)
    assert made.status_code == 201, made.get_data(as_text=True)
    instance_id = made.get_json()["instance"]["id"]
    assert instance_id in _instance_ids(b)
    assert b.post(f"/api/instances/{instance_id}/stop", headers=JSON).status_code in (
        200,
        202,
    )
    shown = a.get(f"/api/instances/{instance_id}", headers=JSON)
    assert shown.get_json()["instance"]["state"] == "STOPPED"
    assert b.delete(f"/api/instances/{instance_id}", headers=JSON).status_code == 204
    assert_error(a.get(f"/api/instances/{instance_id}", headers=JSON), 404, "json")
    assert _instance_ids(a) == SEED_INSTANCES


def test_ids_are_never_reused_across_both_nodes(node):
    nodes = [node("a"), node("b")]
    given = []
    for number in range(6):
        client = nodes[number % 2]
        made = client.post("/api/instances", data={"image_id": "img1"}, headers=AUTH)
        assert made.status_code == 201
        instance_id = made.headers["Location"].rsplit("/", 1)[-1]
        given.append(instance_id)
        other = nodes[(number + 1) % 2]
        assert other.post(f"/api/instances/{instance_id}/stop", headers=AUTH)
        assert (
            other.delete(f"/api/instances/{instance_id}", headers=AUTH).status_code
            == 204
        )
    assert given == [f"inst{n}" for n in range(4, 10)]
    volumes = {
        nodes[n % 2]
        .post("/api/storage_volumes", headers=JSON)
        .get_json()["storage_volume"]["id"]
        for n in range(4)
    }
    assert len(volumes) == 4


def test_blobs_put_get_head_update_delete_across_nodes(node):
    a, b = node("a"), node("b")
    payload = bytes(range(256)) * 9000  # over 2 MiB: several chunks
    url = "/api/buckets/bucket1/both.bin"
    put = a.put(
        url,
        data=payload,
        headers={**JSON, "Content-Type": "application/x-test", "X-Deltacloud-Blobmeta-Color": "Blue"},
    )  # fmt: skip
    assert put.status_code == 200, put.get_data(as_text=True)
    assert put.get_json()["blob"]["content_length"] == len(payload)
    assert b.get(f"{url}/content", headers=AUTH).get_data() == payload
    head = b.head(url, headers=AUTH)
    assert head.status_code == 204
    assert head.headers["X-Deltacloud-Blobmeta-color"] == "Blue"
    changed = b.post(url, headers={**AUTH, "X-Deltacloud-Blobmeta-Size": "L"})
    assert changed.status_code == 204, changed.get_data(as_text=True)
    assert a.head(url, headers=AUTH).headers["X-Deltacloud-Blobmeta-size"] == "L"
    listed = a.get("/api/buckets/bucket1", headers=JSON).get_json()["bucket"]
    assert "both.bin" in [blob["id"] for blob in listed["blob_list"]]
    seeded = b.get("/api/buckets/bucket1/blob1/content", headers=AUTH).get_data()
    assert seeded == SEED_BLOB
    assert a.delete(url, headers=AUTH).status_code == 204
    assert_error(b.get(f"{url}/content", headers=AUTH), 404)
    assert b.delete("/api/buckets/bucket2/blob4", headers=AUTH).status_code == 204
    assert b.delete("/api/buckets/bucket2/blob5", headers=AUTH).status_code == 204
    assert a.delete("/api/buckets/bucket2", headers=AUTH).status_code == 204
    assert_error(b.get("/api/buckets/bucket2", headers=AUTH), 404)


def test_a_cut_off_upload_leaves_no_blob_and_keeps_the_old_one(node, settings):
    client = node("a")
    url = "/api/buckets/bucket1/kept.bin"
    old = b"old bytes" * 200_000
    assert client.put(url, data=old, headers=AUTH).status_code == 200
    rows = _chunk_rows(settings)
    for target in (url, "/api/buckets/bucket1/never.bin"):
        cut = client.put(
            target,
            data=b"x" * 3_000_000,
            headers=AUTH,
            environ_overrides={"CONTENT_LENGTH": "9000000"},
        )
        assert 400 <= cut.status_code < 500
    assert client.get(f"{url}/content", headers=AUTH).get_data() == old
    assert_error(client.get("/api/buckets/bucket1/never.bin", headers=AUTH), 404)
    assert _chunk_rows(settings) == rows


def test_a_replaced_blob_streams_whole_to_a_reader_that_began_before(node):
    a, b = node("a"), node("b")
    url = "/api/buckets/bucket1/moving.bin"
    first, second = b"1" * 3_000_000, b"2" * 2_500_000
    assert a.put(url, data=first, headers=AUTH).status_code == 200
    reading = b.get(f"{url}/content", headers=AUTH, buffered=False)
    chunks = iter(reading.response)
    start = next(chunks)
    assert a.put(url, data=second, headers=AUTH).status_code == 200
    assert start + b"".join(chunks) == first
    reading.close()
    assert b.get(f"{url}/content", headers=AUTH).get_data() == second


def test_a_segmented_upload_hops_between_nodes_and_an_abort_drops_it(node, settings):
    a, b = node("a"), node("b")
    rows = _chunk_rows(settings)
    upload = initiate(a, JSON)
    pieces = [b"first;", b"", b"third" * 300_000]
    ids = [
        segment([a, b][order % 2], JSON, upload, order, piece)
        for order, piece in enumerate(pieces, start=1)
    ]
    spare = segment(a, JSON, upload, 1, b"not chosen")
    manifest = ", ".join(f"{order}={sid}" for order, sid in enumerate(ids, start=1))
    bad = complete(b, JSON, upload, f"1={spare[::-1]}")
    assert bad.status_code == 400
    done = complete(b, JSON, upload, manifest)
    assert done.status_code == 200, done.get_data(as_text=True)
    assert done.get_json()["blob"]["content_length"] == sum(map(len, pieces))
    content = a.get("/api/buckets/bucket1/seg/content", headers=AUTH).get_data()
    assert content == b"".join(pieces)
    late = put_segment(a, JSON, upload, 4, b"late")
    assert late.status_code == 404

    dropped = initiate(b, JSON)
    segment(a, JSON, dropped, 1, b"x" * 2_000_000)
    aborted = b.delete(
        "/api/buckets/bucket1/seg",
        headers={**JSON, "X-Deltacloud-SegmentedBlob": dropped},
    )
    assert aborted.status_code == 204, aborted.get_data(as_text=True)
    assert put_segment(a, JSON, dropped, 2, b"y").status_code == 404
    assert complete(b, JSON, dropped, "1=0123456789abcdef").status_code == 404
    assert a.delete("/api/buckets/bucket1/seg", headers=AUTH).status_code == 204
    assert _chunk_rows(settings) == rows


def test_abandoned_uploads_are_swept(node):
    client = node("a", SWEEP_INTERVAL=0, SEGMENT_MAX_AGE=1)
    stale = initiate(client, JSON)
    segment(client, JSON, stale, 1, b"abandoned")
    time.sleep(1.5)
    fresh = initiate(client, JSON)  # sweeps first
    assert put_segment(client, JSON, stale, 2, b"late").status_code == 404
    kept = segment(client, JSON, fresh, 1, b"kept")
    assert complete(client, JSON, fresh, f"1={kept}").status_code == 200


def test_reset_puts_the_seed_back_and_restarts_the_counters(tmp_path, settings, node):
    client = node("a")
    assert client.post("/api/instances", data={"image_id": "img1"}, headers=AUTH)
    assert client.delete("/api/buckets/bucket1/blob1", headers=AUTH).status_code == 204
    assert client.put("/api/buckets/bucket1/new", data=b"n", headers=AUTH)
    reset_store({"MOCK_STORAGE": str(_folder(tmp_path, settings, "a")), **settings})
    assert _instance_ids(client) == SEED_INSTANCES
    blobs = client.get("/api/buckets/bucket1", headers=JSON).get_json()["bucket"]
    assert [blob["id"] for blob in blobs["blob_list"]] == ["blob1", "blob2", "blob3"]
    seeded = client.get("/api/buckets/bucket1/blob1/content", headers=AUTH)
    assert seeded.get_data() == SEED_BLOB
    made = client.post("/api/instances", data={"image_id": "img1"}, headers=AUTH)
    assert made.headers["Location"].endswith("/inst4")


def test_the_reset_command_resets_the_database(tmp_path, database_url):
    client = create_app(
        {
            "TESTING": True,
            "MOCK_STORAGE": str(tmp_path / "unused"),
            "DATABASE_URL": database_url,
        }
    ).test_client()
    made = client.post("/api/instances", data={"image_id": "img1"}, headers=AUTH)
    assert made.status_code == 201
    result = subprocess.run(
        [sys.executable, "-m", "deltaflask", "--reset-mock"],
        capture_output=True,
        text=True,
        env={
            "PATH": "/usr/bin:/bin",
            "DELTAFLASK_DATA": str(tmp_path / "data"),
            "DELTAFLASK_DATABASE_URL": database_url,
        },
        cwd=REPO,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "The mock cloud in the database of DATABASE_URL is back" in result.stdout
    assert _instance_ids(client) == SEED_INSTANCES
    assert not (tmp_path / "data" / "mock").exists()


def test_unread_blob_answers_give_their_connections_back(tmp_path, database_url):
    """More answers than a pool has connections, none read nor closed: each
    gives its transfer connection back, and the next read goes through."""
    client = create_app(
        {"TESTING": True, "MOCK_STORAGE": str(tmp_path / "mock"),
         "DATABASE_URL": database_url}
    ).test_client()  # fmt: skip
    url = "/api/buckets/bucket1/blob1/content"
    for _ in range(POOL_SIZE + 2):
        answer = client.get(url, headers=AUTH, buffered=False)
        assert answer.status_code == 200
    del answer
    started = time.monotonic()
    assert client.get(url, headers=AUTH).get_data() == SEED_BLOB
    assert time.monotonic() - started < 5


def test_a_node_starts_while_another_writes_a_blob(database_url):
    """Making the schema (what every process does first) never waits for a
    blob transfer in progress."""
    writer = database(database_url)
    with writer.streaming() as connection:
        write_content(connection, io.BytesIO(b"x" * 10))
        starting = threading.Thread(target=lambda: Database(database_url).close())
        starting.start()
        starting.join(10)
        started = not starting.is_alive()
    starting.join()
    assert started, "a new process waited for the transfer to end"


def _create_and_destroy(config: dict[str, str], count: int, queue: Any) -> None:
    driver = MockDriver(Credentials("mockuser", "mockpassword"), None, config)
    for _ in range(count):
        (instance,) = driver.create_instance(InstanceCreate(image_id="img1"))
        driver.stop_instance(instance.id)
        driver.destroy_instance(instance.id)
        queue.put(instance.id)


def test_parallel_processes_never_share_or_reuse_an_id(tmp_path, settings):
    """Four processes (each with a folder of its own on the database) create
    and at once destroy instances: every id they were given is distinct."""
    open_store({"MOCK_STORAGE": str(_folder(tmp_path, settings, "seed")), **settings})
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    configs = [
        {"MOCK_STORAGE": str(_folder(tmp_path, settings, f"p{n}")), **settings}
        for n in range(4)
    ]
    workers = [
        context.Process(target=_create_and_destroy, args=(config, 10, queue))
        for config in configs
    ]
    for worker in workers:
        worker.start()
    given = [queue.get(timeout=60) for _ in range(40)]
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    assert sorted(given, key=natural_key) == [f"inst{n}" for n in range(4, 44)]
    if settings:
        assert not list(tmp_path.glob("*/mock"))
