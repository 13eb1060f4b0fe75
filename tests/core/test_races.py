"""Parallel requests to a live multi-worker gunicorn (the production
configuration: 2 processes of 16 threads) on one CIMI store, on each backend
(files, PostgreSQL): every read-modify-write is one transaction, so no write
is lost, no member id is given twice, and an entity deleted while it is edited
stays deleted."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest

from tests.support.auth import MOCK_AUTH
from tests.support.gunicorn_server import PRODUCTION
from tests.support.gunicorn_server import LiveServer
from tests.support.gunicorn_server import gunicorn

JSON = {"Authorization": MOCK_AUTH, "Accept": "application/json"}
XML_BODY = {**JSON, "Content-Type": "application/xml"}
pytestmark = pytest.mark.xdist_group("postgres")
VOLUME_CONFIGURATION = (
    "<VolumeConfigurationCreate><format>ext3</format>"
    "<capacity>1048576</capacity></VolumeConfigurationCreate>"
)


@pytest.fixture(params=["files", "postgres"])
def store_env(request: pytest.FixtureRequest) -> dict[str, str]:
    """The environment choosing the CIMI store's backend."""
    if request.param == "files":
        return {}
    return {"DELTAFLASK_DATABASE_URL": request.getfixturevalue("database_url")}


@pytest.fixture
def server(tmp_path: Path, store_env: dict[str, str]) -> Iterator[LiveServer]:
    """gunicorn serving /api and /cimi over a fresh mock cloud (seeded by the
    first requests, which may come in parallel)."""
    env = {
        "DELTACLOUD_MOCK_STORAGE": str(tmp_path / "mock"),
        "API_FRONTEND": "deltacloud,cimi",
        **store_env,
    }
    with gunicorn(tmp_path, env, *PRODUCTION) as live:
        yield live


def _members(server: LiveServer, path: str) -> list[str]:
    status, body = server.request("GET", path, headers=JSON)
    assert status == 200, body
    data = json.loads(body)
    return [
        member["id"].rsplit("/", 1)[-1] for member in data.get("systemMachines", [])
    ]


def test_parallel_member_adds_and_removes_are_all_kept(server: LiveServer) -> None:
    """80 adds, the first requests the fresh stores see, then 40 removes."""
    path = "/cimi/systems/system1/machines"
    before = ["sys_machine_1"]  # the seed's member
    machine = f"http://127.0.0.1:{server.port}/cimi/machines/inst1"
    body = json.dumps({"machine": {"href": machine}}).encode()
    headers = {**JSON, "Content-Type": "application/json"}

    def add(_: int) -> tuple[int, str]:
        status, answer = server.request("POST", path, body, headers)
        assert status == 201, answer
        return status, json.loads(answer).get("id", "").rsplit("/", 1)[-1]

    with ThreadPoolExecutor(80) as pool:
        added = list(pool.map(add, range(80)))
    assert [status for status, _ in added] == [201] * 80
    added_ids = [member_id for _, member_id in added]
    assert len(set(added_ids)) == 80
    stored = _members(server, path)
    assert len(stored) == len(before) + 80
    assert len(set(stored)) == len(stored)
    assert set(stored) == set(before) | set(added_ids)

    removed = added_ids[:40]
    with ThreadPoolExecutor(40) as pool:
        statuses = list(
            pool.map(
                lambda member_id: server.request(
                    "DELETE", f"{path}/{member_id}", headers=JSON
                )[0],
                removed,
            )
        )
    assert statuses == [200] * 40
    assert set(_members(server, path)) == set(before) | set(added_ids[40:])


def _race(server: LiveServer, entity: str) -> tuple[int, int]:
    """A PUT and a DELETE of ``entity`` sent at the same moment: their statuses."""
    start = threading.Barrier(2)
    edit = json.dumps({"name": "edited"}).encode()
    headers = {**JSON, "Content-Type": "application/json"}

    def put() -> int:
        start.wait(10)
        return server.request("PUT", entity, edit, headers)[0]

    def delete() -> int:
        start.wait(10)
        return server.request("DELETE", entity, headers=JSON)[0]

    with ThreadPoolExecutor(2) as pool:
        put_status, delete_status = pool.submit(put), pool.submit(delete)
        return put_status.result(60), delete_status.result(60)


def test_an_edit_racing_a_delete_never_brings_the_entity_back(
    server: LiveServer,
) -> None:
    for _ in range(60):
        status, body = server.request(
            "POST",
            "/cimi/volume_configurations",
            VOLUME_CONFIGURATION.encode(),
            XML_BODY,
        )
        assert status == 201, body
        entity_id = json.loads(body)["id"].rsplit("/", 1)[-1]
        entity = f"/cimi/volume_configurations/{entity_id}"
        put_status, delete_status = _race(server, entity)
        assert delete_status == 200
        assert put_status in (200, 404)
        assert server.request("GET", entity, headers=JSON)[0] == 404
        status, _ = server.request("PUT", entity, b'{"name": "late"}', JSON)
        assert status == 404
        assert server.request("GET", entity, headers=JSON)[0] == 404


def _kept_metadata(tmp_path: Path, store_env: dict[str, str], key: str) -> list[str]:
    """Where the CIMI store keeps the metadata record ``key``."""
    url = store_env.get("DELTAFLASK_DATABASE_URL")
    if url is None:
        return [str(path) for path in tmp_path.glob(f"mock/.cimi/*/metadata/{key}.*")]
    with psycopg.connect(url) as connection:
        rows = connection.execute(
            "SELECT scope FROM deltaflask_entities WHERE kind = 'metadata' AND id = %s",
            (key,),
        ).fetchall()
    return [row[0] for row in rows]


def test_an_edit_racing_a_delete_leaves_no_metadata_of_a_cloud_entity(
    server: LiveServer, tmp_path: Path, store_env: dict[str, str]
) -> None:
    """Names kept for a cloud object (here an address) are gone with it."""
    named = json.dumps({"name": "kept"}).encode()
    headers = {**JSON, "Content-Type": "application/json"}
    status, body = server.request("POST", "/api/addresses", headers=JSON)
    address = json.loads(body)["address"]["id"]
    path = f"/cimi/addresses/{address}"
    assert server.request("PUT", path, named, headers)[0] == 200
    assert _kept_metadata(tmp_path, store_env, f"addresses-{address}")
    for _ in range(30):
        status, body = server.request("POST", "/api/addresses", headers=JSON)
        assert status == 201, body
        address = json.loads(body)["address"]["id"]
        put_status, delete_status = _race(server, f"/cimi/addresses/{address}")
        assert (put_status in (200, 404), delete_status) == (True, 200)
        assert not _kept_metadata(tmp_path, store_env, f"addresses-{address}")
