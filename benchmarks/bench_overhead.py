#!/usr/bin/env python3
"""What metrics, the access log and the provider-call guard cost a request.

Serves ``bench_api.py``'s two endpoints in-process (``app(environ,
start_response)``, no HTTP) and measures CPU time per request (process time,
which other processes' load disturbs much less than wall time) in two
configurations, each in a fresh subprocess, alternating for ``--rounds``
rounds so both meet the same machine:

* ``plain``: ``ACCESS_LOG=off``, ``METRICS=off``;
* ``observed``: the defaults, metrics on and the access log on (``--log``
  chooses text or json; the subprocess's standard error goes to /dev/null,
  so each line is still formatted and written).

Both run every driver call through the guard; its own cost per call is
measured apart (guarded vs. direct call of the same driver method).

Usage (from the repo root)::

    .venv/bin/python benchmarks/bench_overhead.py --rounds 5
"""

from __future__ import annotations

import argparse
import base64
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ENDPOINTS = {
    "GET /api/instances?format=json": ("/api/instances", "format=json"),
    "GET /api?format=xml": ("/api", "format=xml"),
}
AUTH = "Basic " + base64.b64encode(b"mockuser:mockpassword").decode("ascii")
REPO = Path(__file__).resolve().parent.parent


def measure(variant: str, log: str, requests: int) -> dict[str, float]:
    """CPU microseconds per request of each endpoint (best of 3 batches)."""
    sys.path.insert(0, str(REPO))
    from werkzeug.test import EnvironBuilder

    from deltaflask import create_app

    folder = tempfile.mkdtemp(prefix="bench-overhead-")
    config = {"MOCK_STORAGE": f"{folder}/mock", "DATA": f"{folder}/data"}
    if variant == "plain":
        config.update(ACCESS_LOG="off", METRICS="off")
    else:
        config.update(ACCESS_LOG=log, METRICS="on")
    app = create_app(config)
    results = {}
    for label, (path, query) in ENDPOINTS.items():
        environ = EnvironBuilder(
            path=path, query_string=query, headers={"Authorization": AUTH}
        ).get_environ()

        def call(environ: dict = environ) -> None:
            body = app(dict(environ), lambda status, headers, exc=None: None)
            b"".join(body)

        for _ in range(300):
            call()
        batches = []
        for _ in range(3):
            started = time.process_time()
            for _ in range(requests):
                call()
            batches.append((time.process_time() - started) / requests * 1e6)
        results[label] = min(batches)
    return results


def guard_cost(calls: int) -> float:
    """Microseconds the guard adds to one driver call (``realms``)."""
    sys.path.insert(0, str(REPO))
    from deltaflask.drivers import Credentials
    from deltaflask.plugins.mock.driver import MockDriver
    from deltaflask.provider_calls import CallPolicy
    from deltaflask.provider_calls import GuardedDriver
    from deltaflask.provider_calls import ProviderCalls

    folder = tempfile.mkdtemp(prefix="bench-guard-")
    driver = MockDriver(
        Credentials("mockuser", "mockpassword"), None, {"MOCK_STORAGE": folder}
    )
    guarded = GuardedDriver(driver, "mock", ProviderCalls(CallPolicy()))

    def timed(target: object) -> float:
        started = time.process_time()
        for _ in range(calls):
            target.hardware_profiles({})  # type: ignore[attr-defined]
        return (time.process_time() - started) / calls * 1e6

    return min(timed(guarded) for _ in range(3)) - min(timed(driver) for _ in range(3))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--log", choices=("text", "json"), default="json")
    parser.add_argument("--child", choices=("plain", "observed", "guard"))
    args = parser.parse_args()
    if args.child == "guard":
        print(json.dumps(guard_cost(args.requests * 5)))
        return 0
    if args.child:
        print(json.dumps(measure(args.child, args.log, args.requests)))
        return 0
    runs: dict[str, dict[str, list[float]]] = {"plain": {}, "observed": {}}
    for _ in range(args.rounds):
        for variant in runs:
            output = subprocess.run(
                [sys.executable, __file__, "--child", variant, "--log", args.log,
                 "--requests", str(args.requests)],
                check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                text=True, cwd=REPO,
            ).stdout  # fmt: skip
            for label, value in json.loads(output.splitlines()[-1]).items():
                runs[variant].setdefault(label, []).append(value)
    print(f"CPU us per request, median of {args.rounds} rounds (log: {args.log})")
    print(f"{'endpoint':34} {'plain':>8} {'observed':>9} {'ratio':>6}")
    for label in ENDPOINTS:
        plain = statistics.median(runs["plain"][label])
        observed = statistics.median(runs["observed"][label])
        print(f"{label:34} {plain:8.0f} {observed:9.0f} {plain / observed:6.2f}")
    command = [sys.executable, __file__, "--child", "guard"]
    guard = subprocess.run(
        [*command, "--requests", str(args.requests)],
        check=True, capture_output=True, text=True, cwd=REPO,
    ).stdout  # fmt: skip
    print(f"the guard's own cost per driver call: {json.loads(guard):.1f} us")
    return 0


if __name__ == "__main__":
    sys.exit(main())
