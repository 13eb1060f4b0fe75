#!/usr/bin/env python3
"""What deltaflask's ec2 driver adds to a direct boto3 call, against one moto.

Starts a moto server on a free loopback port, launches 100 instances in it,
serves deltaflask (ec2 driver, ``AWS_ENDPOINT_URL`` pointing at moto) under
gunicorn on loopback, then alternately times ``GET /api/instances?format=json``
over a kept-alive HTTP connection and boto3's ``describe_instances`` against
the same moto, and prints the medians and their ratio. Target: deltaflask adds
less than 25 %. It then times the default image listing the same way
(``GET /api/images?format=json`` against the driver's own ``describe_images``
call: Amazon's machine images, all 1301 of moto's). Exits 0 whatever the
figures (a measurement, not a test).

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
#: the call the driver makes for ``GET /api/images`` (the original's default)
DEFAULT_IMAGES = {
    "Owners": ["amazon"],
    "Filters": [{"Name": "image-type", "Values": ["machine"]}],
}
AUTH = "Basic " + base64.b64encode(f"{KEY}:{KEY}".encode()).decode()


def parse_args() -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--instances", type=int, default=100)
    parser.add_argument("--iterations", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2, help="gunicorn threads")
    parser.add_argument(
        "--image-iterations", type=int, default=5, help="image listings (~1 s each)"
    )
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
            api, sdk = compare(
                lambda: get(conn, path),
                ec2.describe_instances,
                args.iterations,
                args.warmup,
            )
            images = "/api/images?format=json"
            shown = len(json.loads(get(conn, images))["images"])
            image_api, image_sdk = compare(
                lambda: get(conn, images),
                lambda: ec2.describe_images(**DEFAULT_IMAGES),
                args.image_iterations,
                1,
            )
            conn.close()
    print(f"instances: {args.instances}, iterations: {args.iterations} (medians)")
    ratio = report(f"deltaflask GET {path}", api, "boto3 describe_instances", sdk)
    verdict = "met" if ratio < TARGET else "NOT met"
    print(f"target < {TARGET:.2f}: {verdict}")
    print(f"images listed: {shown}, iterations: {args.image_iterations} (medians)")
    report(f"deltaflask GET {images}", image_api, "boto3 describe_images", image_sdk)
    return 0


def compare(
    api_call: Callable[[], Any], sdk_call: Callable[[], Any], runs: int, warmup: int
) -> tuple[list[float], list[float]]:
    """Interleaved timings of both calls (so drift hits both), after a warm-up."""
    for _ in range(warmup):
        api_call()
        sdk_call()
    api: list[float] = []
    sdk: list[float] = []
    for _ in range(runs):
        api.append(timed(api_call))
        sdk.append(timed(sdk_call))
    return api, sdk


def report(api_name: str, api: list[float], sdk_name: str, sdk: list[float]) -> float:
    """Print both medians and their ratio; return the ratio."""
    api_ms = statistics.median(api) * 1000
    sdk_ms = statistics.median(sdk) * 1000
    ratio = api_ms / sdk_ms
    print(f"{api_name:36} {api_ms:8.1f} ms")
    print(f"{sdk_name:36} {sdk_ms:8.1f} ms")
    print(f"ratio: {ratio:.3f} (deltaflask adds {(ratio - 1) * 100:+.1f} %)")
    return ratio


if __name__ == "__main__":
    sys.exit(main())
