#!/usr/bin/env python3
"""What deltaflask's ec2 driver adds to a direct boto3 call, against one moto.

Starts a moto server on a free loopback port, launches 100 instances in it,
serves deltaflask (ec2 driver, ``AWS_ENDPOINT_URL`` pointing at moto) under
gunicorn on loopback, then alternately times ``GET /api/instances?format=json``
over a kept-alive HTTP connection and boto3's ``describe_instances`` against
the same moto, and prints the medians and their ratio. Target: deltaflask adds
less than 25 %. Exits 0 whatever the figures (a measurement, not a test).

Usage (from the repo root)::

    .venv/bin/python benchmarks/bench_ec2.py --iterations 60
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from tests.moto_server import MotoServer  # noqa: E402
from tests.moto_server import free_port  # noqa: E402
from tests.moto_server import moto_server  # noqa: E402

HOST = "127.0.0.1"
REGION = "us-east-1"
KEY = "testing"
IMAGE = "ami-fa7cdd89"  # an x86_64 EBS AMI moto preloads
TARGET = 1.25
AUTH = "Basic " + base64.b64encode(f"{KEY}:{KEY}".encode()).decode()


def parse_args() -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--instances", type=int, default=100)
    parser.add_argument("--iterations", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2, help="gunicorn threads")
    return parser.parse_args()


def boto_client(moto: MotoServer) -> Any:
    """A boto3 EC2 client on moto with moto's test keys."""
    import boto3

    return boto3.client(
        "ec2",
        endpoint_url=moto.endpoint,
        region_name=REGION,
        aws_access_key_id=KEY,
        aws_secret_access_key=KEY,
    )


@contextmanager
def deltaflask_server(moto: MotoServer, threads: int) -> Iterator[int]:
    """gunicorn serving ``wsgi:app`` with the ec2 driver on a free port."""
    port = free_port()
    env = {
        **os.environ,
        "API_DRIVER": "ec2",
        "API_PROVIDER": REGION,
        "AWS_ENDPOINT_URL": moto.endpoint,
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
        "--log-level",
        "warning",
        "wsgi:app",
    ]
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=env)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                get(http.client.HTTPConnection(HOST, port, timeout=5), "/api")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def get(conn: http.client.HTTPConnection, path: str) -> bytes:
    """GET ``path`` on a kept-alive connection; fail on a non-200 answer."""
    conn.request("GET", path, headers={"Authorization": AUTH})
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"{path}: {response.status} {body[:200]!r}")
    return body


def timed(call: Callable[[], Any]) -> float:
    """Seconds one call takes."""
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def main() -> int:
    """Run the comparison and print it."""
    args = parse_args()
    with moto_server() as moto:
        ec2 = boto_client(moto)
        ec2.run_instances(
            ImageId=IMAGE,
            MinCount=args.instances,
            MaxCount=args.instances,
            InstanceType="t2.micro",
        )
        with deltaflask_server(moto, args.threads) as port:
            conn = http.client.HTTPConnection(HOST, port, timeout=30)
            path = "/api/instances?format=json"
            listed = json.loads(get(conn, path))["instances"]
            direct = ec2.describe_instances()["Reservations"]
            count = sum(len(r["Instances"]) for r in direct)
            if len(listed) != args.instances or count != args.instances:
                raise RuntimeError(f"expected {args.instances}, got {len(listed)}")
            for _ in range(args.warmup):
                get(conn, path)
                ec2.describe_instances()
            api: list[float] = []
            sdk: list[float] = []
            for _ in range(args.iterations):  # interleaved, so drift hits both
                api.append(timed(lambda: get(conn, path)))
                sdk.append(timed(ec2.describe_instances))
            conn.close()
    api_ms = statistics.median(api) * 1000
    sdk_ms = statistics.median(sdk) * 1000
    ratio = api_ms / sdk_ms
    verdict = "met" if ratio < TARGET else "NOT met"
    print(f"instances: {args.instances}, iterations: {args.iterations} (medians)")
    print(f"deltaflask GET {path}: {api_ms:8.1f} ms")
    print(f"boto3 describe_instances:       {sdk_ms:8.1f} ms")
    print(f"ratio: {ratio:.3f} (deltaflask adds {(ratio - 1) * 100:+.1f} %)")
    print(f"target < {TARGET:.2f}: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
