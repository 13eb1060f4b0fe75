#!/usr/bin/env python3
"""CIMI's entity store on PostgreSQL beside the JSON files, through the API.

Starts a private PostgreSQL (the tests' harness, ``tests/support/postgres.py``)
and two deltaflask servers under gunicorn (the README's production settings,
``--workers`` processes each, 127.0.0.1 only), one on the files backend and
one with ``DELTAFLASK_DATABASE_URL``, each over its own fresh mock cloud.
Each gets ``--templates`` machine templates, then both are timed alternately
(so drift hits both) on kept-alive connections:

* ``GET /cimi/machine_templates`` (JSON);
* a create/delete pair: ``POST /cimi/machine_templates`` then ``DELETE`` of it.

Prints each backend's median and the ratio PostgreSQL / files, then the same
requests from ``--clients`` threads at once (requests per second). Exits 0
whatever the figures (a measurement, not a test).

Usage (from the repo root)::

    .venv/bin/python benchmarks/bench_store.py --iterations 200
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from tests.support.auth import MOCK_AUTH  # noqa: E402
from tests.support.gunicorn_server import PRODUCTION  # noqa: E402
from tests.support.gunicorn_server import gunicorn  # noqa: E402
from tests.support.postgres import postgres_server  # noqa: E402

HOST = "127.0.0.1"
JSON = {"Authorization": MOCK_AUTH, "Accept": "application/json"}
POST = {**JSON, "Content-Type": "application/json"}
LIST = "/cimi/machine_templates"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--templates", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--parallel-requests", type=int, default=400)
    return parser.parse_args()


class Node:
    """One server and a kept-alive connection per thread to it."""

    def __init__(self, label: str, port: int) -> None:
        self.label = label
        self.port = port
        self.base = f"http://{HOST}:{port}/cimi"
        self.conn = self.connect()

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(HOST, self.port, timeout=60)

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        conn: http.client.HTTPConnection | None = None,
    ) -> http.client.HTTPResponse:
        """One request; fail unless it succeeded."""
        conn = conn or self.conn
        conn.request(method, path, body=body, headers=POST if body else JSON)
        response = conn.getresponse()
        payload = response.read()
        if response.status not in (200, 201):
            raise RuntimeError(f"{method} {path}: {response.status} {payload[:200]!r}")
        return response

    def template(self, name: str) -> bytes:
        config = f"{self.base}/machine_configurations/m1-small"
        image = f"{self.base}/machine_images/img1"
        return json.dumps(
            {
                "name": name,
                "machineConfig": {"href": config},
                "machineImage": {"href": image},
            }
        ).encode()

    def listing(self, conn: http.client.HTTPConnection | None = None) -> None:
        self.request("GET", LIST, conn=conn)

    def create_delete(self, conn: http.client.HTTPConnection | None = None) -> None:
        made = self.request("POST", LIST, self.template("churn"), conn=conn)
        location = made.headers["Location"]
        self.request("DELETE", location[location.index("/cimi/") :], conn=conn)


def timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def alternate(
    calls: dict[str, Callable[[], object]], runs: int, warmup: int
) -> dict[str, list[float]]:
    """Interleaved timings of each call, after a warm-up."""
    for _ in range(warmup):
        for call in calls.values():
            call()
    seconds: dict[str, list[float]] = {label: [] for label in calls}
    for _ in range(runs):
        for label, call in calls.items():
            seconds[label].append(timed(call))
    return seconds


def throughput(node: Node, operation: str, clients: int, total: int) -> float:
    """Requests per second of ``operation`` from ``clients`` threads."""
    per_client = total // clients

    def client(_: int) -> None:
        conn = node.connect()
        for _ in range(per_client):
            getattr(node, operation)(conn)
        conn.close()

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, range(clients)))
    requests = per_client * clients * (2 if operation == "create_delete" else 1)
    return requests / (time.perf_counter() - start)


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
                "API_FRONTEND": "deltacloud,cimi",
                **extra,
            }
            live = stack.enter_context(
                gunicorn(folder, env, *PRODUCTION, workers=args.workers)
            )
            node = Node(label, live.port)
            for number in range(args.templates):
                node.request("POST", LIST, node.template(f"t{number}"))
            nodes.append(node)
        files, postgres = nodes
        for node in nodes:  # fresh: gunicorn closes a connection idle for 5 s
            node.conn.close()
            node.conn = node.connect()
        print(
            f"{args.templates} templates stored, {args.iterations} iterations "
            f"(medians, one client), {args.workers} gunicorn workers per server"
        )
        print(f"{'request':36} {'files ms':>9} {'postgres ms':>12} {'ratio':>6}")
        for label, operation in (
            (f"GET {LIST}", "listing"),
            ("POST + DELETE a template", "create_delete"),
        ):
            seconds = alternate(
                {node.label: getattr(node, operation) for node in nodes},
                args.iterations,
                args.warmup,
            )
            files_ms = statistics.median(seconds["files"]) * 1000
            postgres_ms = statistics.median(seconds["postgres"]) * 1000
            print(
                f"{label:36} {files_ms:9.2f} {postgres_ms:12.2f} "
                f"{postgres_ms / files_ms:6.2f}"
            )
        print(f"\n{args.clients} clients at once, {args.parallel_requests} each run")
        print(f"{'request':36} {'files req/s':>11} {'postgres req/s':>15}")
        for label, operation in (
            (f"GET {LIST}", "listing"),
            ("POST + DELETE a template", "create_delete"),
        ):
            rates = [
                throughput(node, operation, args.clients, args.parallel_requests)
                for node in (files, postgres)
            ]
            print(f"{label:36} {rates[0]:11.0f} {rates[1]:15.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
