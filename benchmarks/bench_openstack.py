#!/usr/bin/env python3
"""What deltaflask's openstack driver adds to the same openstacksdk calls,
against real local OpenStack services.

Starts the test harness's OpenStack (``tests/support/openstack``: Keystone,
Nova with its fake driver, Glance, Cinder, Neutron; about a minute; needs
``make openstack``) in a private temporary folder, or uses a running one
(``--cloud DIR --password PW``). It boots ``--servers`` servers and makes
``--volumes`` volumes and ``--images`` images as the demo user, serves
deltaflask (openstack driver) under gunicorn on loopback, and then times,
interleaved, each listing through ``/api`` (JSON, kept-alive connection)
against the openstacksdk calls the driver makes for it, on one connection
whose token and catalogue are cached as the driver's are:

* ``GET /api/instances``: Nova's servers with Neutron's ports and floating
  IPs (the three calls side by side, as the driver makes them);
* ``GET /api/storage_volumes``: Cinder's volumes;
* ``GET /api/images``: Glance's images, against ``image.images()`` and
  against the very requests the driver sends (Glance's JSON in pages of up
  to 1000, no openstacksdk resource built per image), for its own cost.

Prints the medians and their ratios; the target is a ratio under 1.10. Also
shows Nova's server listing alone, for scale. Exits 0 whatever the figures
(a measurement, not a test).

Usage (from the repo root)::

    .venv/bin/python benchmarks/bench_openstack.py --iterations 40
"""

from __future__ import annotations

import argparse
import base64
import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from deltaflask.plugins.openstack.images import glance_images  # noqa: E402
from tests.support.moto_server import free_port  # noqa: E402
from tests.support.openstack_cloud import OpenStackCloud  # noqa: E402
from tests.support.openstack_cloud import _ports  # noqa: E402
from tests.support.openstack_cloud import openstack_cloud  # noqa: E402

HOST = "127.0.0.1"
TARGET = 1.10


def parse_args() -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--servers", type=int, default=20)
    parser.add_argument("--volumes", type=int, default=20)
    parser.add_argument("--images", type=int, default=5)
    parser.add_argument("--iterations", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--cloud", help="folder of a running harness set")
    parser.add_argument("--password", help="its password (with --cloud)")
    return parser.parse_args()


@contextmanager
def cloud(args: argparse.Namespace) -> Iterator[OpenStackCloud]:
    """A running set: the one named by ``--cloud``, or a fresh one."""
    if args.cloud:
        folder = Path(args.cloud)
        yield OpenStackCloud(folder, _ports(folder / "ports.env"), args.password)
        return
    with tempfile.TemporaryDirectory(prefix="bench-openstack-") as scratch:
        started = time.monotonic()
        with openstack_cloud(Path(scratch) / "cloud") as made:
            print(f"local OpenStack started in {time.monotonic() - started:.0f} s")
            yield made


def populate(sdk: Any, servers: int, volumes: int, images: int) -> None:
    """Boot servers, make volumes and images as the connection's user, up to
    the numbers asked (what a running set already has counts)."""
    image = next(i for i in sdk.image.images() if i.name == "cirros-fake")
    flavor = sdk.compute.find_flavor("m1.tiny")
    network = sdk.network.find_network("private")
    booted = [
        sdk.compute.create_server(
            name=f"bench-{n}",
            image_id=image.id,
            flavor_id=flavor.id,
            networks=[{"uuid": network.id}],
        )
        for n in range(max(0, servers - len(list(sdk.compute.servers()))))
    ]
    made = [
        sdk.block_storage.create_volume(size=1, name=f"bench-{n}")
        for n in range(max(0, volumes - len(list(sdk.block_storage.volumes()))))
    ]
    own = [i for i in sdk.image.images() if i.name.startswith("bench-")]
    for n in range(max(0, images - len(own))):
        sdk.image.create_image(
            name=f"bench-{n}",
            data=b"\0" * 1024,
            disk_format="raw",
            container_format="bare",
        )
    for server in booted:
        sdk.compute.wait_for_server(server, interval=1, wait=600)
    for volume in made:
        sdk.block_storage.wait_for_status(volume, "available", interval=1, wait=600)


@contextmanager
def deltaflask_server(provider: str, threads: int) -> Iterator[int]:
    """gunicorn serving ``wsgi:app`` with the openstack driver on a free port."""
    port = free_port()
    env = {
        **os.environ,
        "API_DRIVER": "openstack",
        "API_PROVIDER": provider,
        "RACK_ENV": "production",
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "-w",
        "1",
        "-k",
        "gthread",
        "--threads",
        str(threads),
        "-b",
        f"{HOST}:{port}",
        "--keep-alive",
        "120",
        "--log-level",
        "warning",
        "wsgi:app",
    ]
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket_to(port):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def socket_to(port: int) -> Iterator[None]:
    """A connection to ``port`` that is closed again (raises until it listens)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=5)
    try:
        conn.connect()
        yield
    finally:
        conn.close()


def getter(conn: http.client.HTTPConnection, auth: str) -> Callable[[str], bytes]:
    """GET on a kept-alive connection; a non-200 answer fails."""

    def get(path: str) -> bytes:
        conn.request("GET", path, headers={"Authorization": auth})
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"{path}: {response.status} {body[:300]!r}")
        return body

    return get


def timed(call: Callable[[], Any]) -> float:
    """Seconds one call takes."""
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def compare(
    calls: list[Callable[[], Any]], runs: int, warmup: int
) -> list[list[float]]:
    """Interleaved timings of ``calls`` (so drift hits all), after a warm-up.

    Each run starts with the next call in turn: a call made right after
    Nova's heavy server listing waits for the services to finish that work,
    so a fixed order would always charge it to the same call.
    """
    for _ in range(warmup):
        for call in calls:
            call()
    seconds: list[list[float]] = [[] for _ in calls]
    for run in range(runs):
        for step in range(len(calls)):
            index = (run + step) % len(calls)
            seconds[index].append(timed(calls[index]))
    return seconds


def main() -> int:
    """Run the comparisons and print them."""
    args = parse_args()
    with ExitStack() as stack:
        local = stack.enter_context(cloud(args))
        sdk = local.sdk("demo")
        populate(sdk, args.servers, args.volumes, args.images)
        port = stack.enter_context(deltaflask_server(local.provider, args.threads))
        user, password = local.credentials("demo")
        auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        conn = http.client.HTTPConnection(HOST, port, timeout=120)
        stack.callback(conn.close)
        get = getter(conn, auth)
        project = sdk.current_project_id
        pool = ThreadPoolExecutor(max_workers=3)
        stack.callback(pool.shutdown)

        def instances_direct() -> None:
            futures = [
                pool.submit(lambda: list(sdk.compute.servers(details=True))),
                pool.submit(lambda: list(sdk.network.ports(project_id=project))),
                pool.submit(lambda: list(sdk.network.ips(project_id=project))),
            ]
            for future in futures:
                future.result()

        rows = [
            (
                "GET /api/instances",
                lambda: get("/api/instances?format=json"),
                "servers + ports + floating IPs",
                instances_direct,
            ),
            (
                "GET /api/storage_volumes",
                lambda: get("/api/storage_volumes?format=json"),
                "block_storage.volumes()",
                lambda: list(sdk.block_storage.volumes(details=True)),
            ),
            (
                "GET /api/images",
                lambda: get("/api/images?format=json"),
                "image.images()",
                lambda: list(sdk.image.images()),
            ),
            (
                "GET /api/images",
                lambda: get("/api/images?format=json"),
                "the driver's Glance GETs, raw",
                lambda: glance_images(sdk.image, {}),
            ),
        ]
        servers_alone = lambda: list(sdk.compute.servers(details=True))  # noqa: E731
        results = []
        for label, api_call, sdk_label, sdk_call in rows:
            api, direct, alone = compare(
                [api_call, sdk_call, servers_alone], args.iterations, args.warmup
            )
            results.append((label, api, sdk_label, direct, alone))
    print(
        f"servers: {args.servers}, volumes: {args.volumes}, images: +{args.images}, "
        f"iterations: {args.iterations} (medians, ms)"
    )
    print(f"{'deltaflask':28} {'ms':>7}  {'openstacksdk directly':32} {'ms':>7}  ratio")
    for label, api, sdk_label, direct, _ in results:
        ratio = statistics.median(api) / statistics.median(direct)
        verdict = "met" if ratio < TARGET else "NOT met"
        print(
            f"{label:28} {statistics.median(api) * 1000:7.1f}  {sdk_label:32} "
            f"{statistics.median(direct) * 1000:7.1f}  {ratio:5.2f} ({verdict})"
        )
    alone = statistics.median([s for *_, a in results for s in a])
    print(f"for scale, compute.servers() alone: {alone * 1000:.1f} ms")
    load = os.getloadavg()[0]
    print(f"target: ratio < {TARGET:.2f}; load average at the end: {load:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
