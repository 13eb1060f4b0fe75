#!/usr/bin/env python3
"""The mock cloud kept in PostgreSQL beside its JSON files, through the API.

Starts a private PostgreSQL (the tests' harness, ``tests/support/postgres.py``)
and two deltaflask servers under gunicorn (the README's production settings,
``--workers`` processes each, 127.0.0.1 only): one keeps the mock in its
folder, the other with ``DELTAFLASK_DATABASE_URL`` in the database. Both are
timed alternately (so drift hits both) on kept-alive connections:

* ``GET /api/instances`` (JSON, the seed's four instances);
* a launch/destroy pair: ``POST /api/instances``, its ``stop``, ``DELETE``;
* a ``--blob-mib`` MiB blob ``PUT`` (streamed from memory-light pattern
  bytes) and its ``GET .../content`` (read to the end).

Prints each backend's median and the ratio PostgreSQL / files. Exits 0
whatever the figures (a measurement, not a test).

Usage (from the repo root)::

    .venv/bin/python benchmarks/bench_mock_store.py --iterations 200
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from benchmarks.bench_store import alternate  # noqa: E402
from tests.support.auth import MOCK_AUTH  # noqa: E402
from tests.support.gunicorn_server import PRODUCTION  # noqa: E402
from tests.support.gunicorn_server import LiveServer  # noqa: E402
from tests.support.gunicorn_server import gunicorn  # noqa: E402
from tests.support.postgres import postgres_server  # noqa: E402
from tests.support.streaming import MIB  # noqa: E402
from tests.support.streaming import get  # noqa: E402
from tests.support.streaming import put  # noqa: E402

HOST = "127.0.0.1"
JSON = {"Authorization": MOCK_AUTH, "Accept": "application/json"}
FORM = {**JSON, "Content-Type": "application/x-www-form-urlencoded"}
BLOB = "/api/buckets/bucket1/bench.img"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--blob-mib", type=int, default=64)
    parser.add_argument("--blob-iterations", type=int, default=5)
    return parser.parse_args()


class Node:
    """One server and a kept-alive connection to it."""

    def __init__(self, label: str, live: LiveServer) -> None:
        self.label = label
        self.live = live
        self.conn = live.connection(timeout=60)

    def request(self, method: str, path: str, body: bytes | None = None) -> bytes:
        """One request; fail unless it succeeded; the body."""
        self.conn.request(method, path, body=body, headers=FORM if body else JSON)
        response = self.conn.getresponse()
        payload = response.read()
        if response.status >= 300:
            raise RuntimeError(f"{method} {path}: {response.status} {payload[:200]!r}")
        return payload

    def listing(self) -> None:
        self.request("GET", "/api/instances")

    def launch_destroy(self) -> None:
        made = json.loads(self.request("POST", "/api/instances", b"image_id=img1"))
        path = f"/api/instances/{made['instance']['id']}"
        self.request("POST", f"{path}/stop")
        self.request("DELETE", path)

    def put_blob(self, size: int) -> None:
        put(self.live, BLOB, size, MOCK_AUTH)

    def get_blob(self, size: int) -> None:
        length, _ = get(self.live, f"{BLOB}/content", MOCK_AUTH)
        assert length == size, length


def report(label: str, seconds: dict[str, list[float]]) -> None:
    files_ms = statistics.median(seconds["files"]) * 1000
    postgres_ms = statistics.median(seconds["postgres"]) * 1000
    print(
        f"{label:36} {files_ms:9.2f} {postgres_ms:12.2f} {postgres_ms / files_ms:6.2f}"
    )


def main() -> int:
    args = parse_args()
    with ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        database = stack.enter_context(postgres_server()).new_database()
        nodes = []
        for label, extra in (
            ("files", {}),
            ("postgres", {"DELTAFLASK_DATABASE_URL": database}),
        ):
            folder = scratch / label
            folder.mkdir()
            env = {
                "DELTAFLASK_DATA": str(folder / "data"),
                "DELTACLOUD_MOCK_STORAGE": str(folder / "mock"),
                **extra,
            }
            live = stack.enter_context(
                gunicorn(folder, env, *PRODUCTION, workers=args.workers)
            )
            nodes.append(Node(label, live))
        for node in nodes:  # fresh: gunicorn closes a connection idle for 5 s
            node.conn.close()
            node.conn = node.live.connection(timeout=60)
        print(
            f"{args.iterations} iterations ({args.blob_iterations} for blobs), "
            f"medians, one client, {args.workers} gunicorn workers per server"
        )
        print(f"{'request':36} {'files ms':>9} {'postgres ms':>12} {'ratio':>6}")
        for label, operation in (
            ("GET /api/instances", "listing"),
            ("launch + stop + destroy an instance", "launch_destroy"),
        ):
            calls: dict[str, Callable[[], object]] = {
                node.label: getattr(node, operation) for node in nodes
            }
            report(label, alternate(calls, args.iterations, args.warmup))
        size = args.blob_mib * MIB
        for label, operation in (
            (f"PUT a {args.blob_mib} MiB blob", "put_blob"),
            (f"GET a {args.blob_mib} MiB blob", "get_blob"),
        ):
            calls = {
                node.label: (lambda node=node, op=operation: getattr(node, op)(size))
                for node in nodes
            }
            report(label, alternate(calls, args.blob_iterations, 1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
