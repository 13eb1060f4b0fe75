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

``--versus-bare`` measures instead what ``bench_api.py`` compares, in-process:
deltaflask with its defaults against the bare Flask app of ``bare_app.py``
serving the bytes deltaflask answered, alternating in one subprocess per
round; CPU time is much less disturbed by other processes than ``wrk``'s
wall-clock figures, so the ratio can be followed on a busy machine (it leaves
out gunicorn's own cost per request, which both servers pay).

Usage (from the repo root)::

    .venv/bin/python benchmarks/bench_overhead.py --rounds 5
    .venv/bin/python benchmarks/bench_overhead.py --versus-bare --rounds 5
"""

from __future__ import annotations

import argparse
import base64
import json
import os
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


def versus_bare(requests: int) -> dict[str, list[float]]:
    """CPU microseconds per request of each endpoint: deltaflask (defaults)
    and bare Flask serving deltaflask's answer (best of 3 batches each)."""
    sys.path.insert(0, str(REPO))
    sys.path.insert(0, str(REPO / "benchmarks"))
    from werkzeug.test import EnvironBuilder

    from deltaflask import create_app

    folder = Path(tempfile.mkdtemp(prefix="bench-versus-bare-"))
    app = create_app({"MOCK_STORAGE": f"{folder}/mock", "DATA": f"{folder}/data"})
    client = app.test_client()
    routes, environs = [], {}
    for index, (label, (path, query)) in enumerate(ENDPOINTS.items()):
        headers = {"Authorization": AUTH}
        answer = client.get(path, query_string=query, headers=headers)
        (folder / f"body_{index}").write_bytes(answer.data)
        routes.append(
            {
                "path": path,
                "status": answer.status_code,
                "content_type": answer.content_type,
                "body_file": str(folder / f"body_{index}"),
            }
        )
        environs[label] = EnvironBuilder(
            path=path, query_string=query, headers=headers
        ).get_environ()
    spec = folder / "bare_spec.json"
    spec.write_text(json.dumps({"routes": routes}), encoding="utf-8")
    os.environ["BENCH_BARE_SPEC"] = str(spec)  # bare_app builds its app on import
    from bare_app import app as bare

    results = {}
    for label, environ in environs.items():
        results[label] = [
            _cpu_per_request(server, environ, requests) for server in (app, bare)
        ]
    return results


def _cpu_per_request(app: object, environ: dict, requests: int) -> float:
    """CPU microseconds per request of ``app`` (best of 3 batches, after
    300 warm-up requests)."""

    def call() -> None:
        body = app(dict(environ), lambda status, headers, exc=None: None)  # type: ignore[operator]
        b"".join(body)
        close = getattr(body, "close", None)
        if close is not None:
            close()

    for _ in range(300):
        call()
    batches = []
    for _ in range(3):
        started = time.process_time()
        for _ in range(requests):
            call()
        batches.append((time.process_time() - started) / requests * 1e6)
    return min(batches)


def report_versus_bare(rounds: int, requests: int) -> None:
    """Run :func:`versus_bare` in ``rounds`` fresh subprocesses; print medians."""
    runs: dict[str, list[list[float]]] = {}
    for _ in range(rounds):
        output = subprocess.run(
            [sys.executable, __file__, "--child", "bare", "--requests", str(requests)],
            check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            text=True, cwd=REPO,
        ).stdout  # fmt: skip
        for label, pair in json.loads(output.splitlines()[-1]).items():
            runs.setdefault(label, []).append(pair)
    print(f"CPU us per request in-process, median of {rounds} rounds")
    print(f"{'endpoint':34} {'deltaflask':>10} {'bare':>6} {'ratio':>6}  rounds")
    for label, pairs in runs.items():
        mine = statistics.median(p[0] for p in pairs)
        bare = statistics.median(p[1] for p in pairs)
        each = ", ".join(f"{p[1] / p[0]:.2f}" for p in pairs)
        print(f"{label:34} {mine:10.0f} {bare:6.0f} {bare / mine:6.2f}  {each}")


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
    parser.add_argument(
        "--versus-bare",
        action="store_true",
        help="deltaflask against bare Flask serving the same bytes, in-process",
    )
    parser.add_argument("--child", choices=("plain", "observed", "guard", "bare"))
    args = parser.parse_args()
    if args.child == "guard":
        print(json.dumps(guard_cost(args.requests * 5)))
        return 0
    if args.child == "bare":
        print(json.dumps(versus_bare(args.requests)))
        return 0
    if args.versus_bare:
        report_versus_bare(args.rounds, args.requests)
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
