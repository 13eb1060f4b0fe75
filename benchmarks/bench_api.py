#!/usr/bin/env python3
"""Throughput benchmark of the classic API: deltaflask vs. a bare Flask baseline.

Starts deltaflask under gunicorn (sync workers, 127.0.0.1 only) with a fresh
temporary mock storage, captures the responses of the benchmarked endpoints,
serves those exact bytes from a bare Flask app (``bare_app.py``) under the same
gunicorn settings, and drives both with ``wrk`` (or a bounded built-in Python
load generator when wrk is missing), back to back in each of ``--rounds``
rounds, so that both meet the same load from other processes. Prints, for the
round of the median ratio, requests/sec per endpoint next to the original
Deltacloud's figures and the target, then every round's ratio. Exits 0
whatever the figures.

Usage (from the repo root)::

    .venv/bin/python benchmarks/bench_api.py --duration 10
"""

from __future__ import annotations

import argparse
import base64
import http.client
import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextlib import suppress
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from types import FrameType
from typing import Self

HOST = "127.0.0.1"  # all traffic stays on loopback
BENCH_DIR = Path(__file__).resolve().parent
DEFAULT_REPO_ROOT = BENCH_DIR.parent
AUTH_HEADER = "Basic " + base64.b64encode(b"mockuser:mockpassword").decode("ascii")
STARTUP_TIMEOUT = 30.0
FETCH_TIMEOUT = 10.0


@dataclass(frozen=True)
class Endpoint:
    """One benchmarked request plus its reference figures."""

    label: str
    path: str
    query: str
    deltacloud_rps: float  # original Deltacloud, same kind of machine
    target_rps: float | None = None

    @property
    def target(self) -> str:
        """Path with query string, as requested."""
        return f"{self.path}?{self.query}" if self.query else self.path


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("instances list", "/api/instances", "format=json", 220.0, 2000.0),
    Endpoint("entry point", "/api", "format=xml", 190.0),
)


@dataclass
class LoadResult:
    """Outcome of one load run."""

    rps: float
    requests: int
    seconds: float
    non_2xx: int = 0
    errors: int = 0


@dataclass
class Captured:
    """A response captured from deltaflask."""

    status: int
    content_type: str
    body: bytes


@dataclass
class Row:
    """Results for one endpoint."""

    endpoint: Endpoint
    size: int = 0
    deltaflask: LoadResult | None = None
    bare: LoadResult | None = None
    notes: list[str] = field(default_factory=list)
    #: every round's runs, deltaflask and bare Flask measured back to back
    rounds: list[tuple[LoadResult, LoadResult]] = field(default_factory=list)

    def add_round(self, deltaflask: LoadResult, bare: LoadResult) -> None:
        """Record one round; the row shows the round of the median ratio."""
        self.rounds.append((deltaflask, bare))
        ranked = sorted(self.rounds, key=lambda pair: _ratio(*pair))
        self.deltaflask, self.bare = ranked[(len(ranked) - 1) // 2]

    def ratios(self) -> list[float]:
        """Each round's deltaflask / bare Flask ratio."""
        return [_ratio(df, bare) for df, bare in self.rounds]


def _ratio(deltaflask: LoadResult, bare: LoadResult) -> float:
    return deltaflask.rps / bare.rps if bare.rps else 0.0


class BenchError(Exception):
    """A failure that stops the benchmark with a message."""


class Interrupted(Exception):
    """Raised on SIGTERM so that cleanup runs as on Ctrl-C."""


# --------------------------------------------------------------------------- setup


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse command-line options."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--duration", type=int, default=10, help="seconds per run (10)")
    p.add_argument(
        "--connections", type=int, default=16, help="concurrent connections (16)"
    )
    p.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (2)")
    p.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    p.add_argument(
        "--warmup", type=int, default=2, help="unreported warm-up seconds per run (2)"
    )
    p.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="rounds of back-to-back deltaflask / bare Flask runs (3)",
    )
    p.add_argument(
        "--tool",
        choices=("auto", "wrk", "python"),
        default="auto",
        help="load tool: wrk if installed, else built-in Python (auto)",
    )
    p.add_argument(
        "--max-requests",
        type=int,
        default=2_000_000,
        help="cap on requests per run for the Python load generator",
    )
    p.add_argument(
        "--repo-root",
        type=Path,
        default=DEFAULT_REPO_ROOT,
        help="directory holding wsgi.py (default: the repo root)",
    )
    args = p.parse_args(argv)
    for name in (
        "duration",
        "connections",
        "workers",
        "threads",
        "max_requests",
        "rounds",
    ):
        if getattr(args, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be >= 1")
    if args.warmup < 0:
        p.error("--warmup must be >= 0")
    args.threads = min(args.threads, args.connections)
    return args


def require_gunicorn() -> str:
    """Return gunicorn's version, or fail with install instructions."""
    if importlib.util.find_spec("gunicorn") is None:
        raise BenchError(
            f"gunicorn is not installed for {sys.executable}.\n"
            "Install it with `pip install gunicorn` (it is part of the project's "
            "`test` extra: `pip install -e '.[test]'`)."
        )
    import gunicorn

    return str(gunicorn.__version__)


def choose_tool(requested: str) -> str:
    """Pick the load tool, explaining how to get wrk when it is missing."""
    has_wrk = shutil.which("wrk") is not None
    if requested == "wrk" and not has_wrk:
        raise BenchError("wrk is not installed: apt-get install -y wrk")
    if requested == "auto" and not has_wrk:
        print(
            "note: wrk not found (install: apt-get install -y wrk); falling back to "
            "the built-in Python load generator, which shares the 2 cores with the "
            "server and under-reports throughput.",
            file=sys.stderr,
        )
        return "python"
    return "wrk" if requested == "auto" else requested


def free_port() -> int:
    """Return a currently free TCP port on the loopback address."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


# ------------------------------------------------------------------------- servers


def http_get(port: int, target: str, timeout: float = FETCH_TIMEOUT) -> Captured:
    """GET ``target`` from the local server with the benchmark's credentials."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", target, headers={"Authorization": AUTH_HEADER})
        resp = conn.getresponse()
        return Captured(resp.status, resp.getheader("Content-Type", ""), resp.read())
    finally:
        conn.close()


class GunicornServer:
    """A gunicorn process group on 127.0.0.1, always stopped by ``stop()``."""

    def __init__(
        self,
        name: str,
        app: str,
        chdir: Path,
        workers: int,
        env: dict[str, str],
        log_dir: Path,
    ) -> None:
        self.name = name
        self.app = app
        self.chdir = chdir
        self.workers = workers
        self.env = env
        self.log_path = log_dir / f"{name}.gunicorn.log"
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, attempts: int = 3) -> None:
        """Start gunicorn and wait until it answers HTTP."""
        for attempt in range(1, attempts + 1):
            self.port = free_port()
            cmd = [
                sys.executable, "-m", "gunicorn",
                "-w", str(self.workers),
                "-b", f"{HOST}:{self.port}",
                "--chdir", str(self.chdir),
                "--log-level", "warning",
                "--graceful-timeout", "5",
                self.app,
            ]  # fmt: skip
            with open(self.log_path, "wb") as log:
                self.proc = subprocess.Popen(
                    cmd,
                    cwd=self.chdir,
                    env=self.env,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # own process group: Ctrl-C is ours
                )
            if self._wait_ready():
                return
            self.stop()
            port_taken = "Address already in use" in self.log_tail(1000)
            if attempt == attempts or not port_taken:
                raise BenchError(
                    f"{self.name} did not start under gunicorn; log tail:\n"
                    + self.log_tail()
                )

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                return False
            try:
                http_get(self.port, "/api", timeout=2.0)
                return True
            except OSError:
                time.sleep(0.1)
        return False

    def log_tail(self, lines: int = 30) -> str:
        """Last lines of the gunicorn log."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:]) or "(empty log)"

    def stop(self) -> None:
        """Stop the master gracefully, then kill whatever is left of its group."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
            with suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)  # orphaned workers, if any
        with suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# ---------------------------------------------------------------------- load tools

_WRK_RPS = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_WRK_TOTAL = re.compile(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m)\b", re.MULTILINE)
_WRK_NON2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_WRK_SOCKET = re.compile(
    r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)"
)
_UNIT_SECONDS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


def run_wrk(url: str, seconds: int, connections: int, threads: int) -> LoadResult:
    """Run wrk against ``url`` and parse its summary."""
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout", "5s",
        "-H", f"Authorization: {AUTH_HEADER}",
        url,
    ]  # fmt: skip
    out = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        timeout=seconds + 30,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    match = _WRK_RPS.search(out.stdout)
    if out.returncode != 0 or not match:
        raise BenchError(f"wrk failed ({out.returncode}):\n{out.stdout}{out.stderr}")
    total = _WRK_TOTAL.search(out.stdout)
    non2xx = _WRK_NON2XX.search(out.stdout)
    sock = _WRK_SOCKET.search(out.stdout)
    return LoadResult(
        rps=float(match.group(1)),
        requests=int(total.group(1)) if total else 0,
        seconds=(
            float(total.group(2)) * _UNIT_SECONDS[total.group(3)]
            if total
            else float(seconds)
        ),
        non_2xx=int(non2xx.group(1)) if non2xx else 0,
        errors=sum(int(n) for n in sock.groups()) if sock else 0,
    )


def run_python_load(
    port: int, target: str, seconds: int, connections: int, max_requests: int
) -> LoadResult:
    """Bounded keep-alive load from ``connections`` threads (wrk fallback)."""
    per_thread = max(1, max_requests // connections)
    counts = [[0, 0, 0] for _ in range(connections)]  # done, non-2xx, errors
    start_gate = threading.Barrier(connections + 1)
    stop = threading.Event()
    deadline = 0.0

    def worker(slot: list[int]) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=5)
        headers = {"Authorization": AUTH_HEADER}
        start_gate.wait()
        try:
            for _ in range(per_thread):
                if stop.is_set() or time.monotonic() >= deadline:
                    break
                try:
                    conn.request("GET", target, headers=headers)
                    resp = conn.getresponse()
                    resp.read()
                    slot[0] += 1
                    if not 200 <= resp.status < 300:
                        slot[1] += 1
                except (OSError, http.client.HTTPException):
                    slot[2] += 1
                    conn.close()  # reconnects on the next request
        finally:
            conn.close()

    pool = [
        threading.Thread(target=worker, args=(slot,), daemon=True) for slot in counts
    ]
    for t in pool:
        t.start()
    began = time.monotonic()
    deadline = began + seconds
    start_gate.wait()
    try:
        for t in pool:
            t.join(timeout=max(0.0, deadline + 10 - time.monotonic()))
    finally:
        stop.set()
    elapsed = time.monotonic() - began
    done = sum(c[0] for c in counts)
    return LoadResult(
        rps=done / elapsed if elapsed > 0 else 0.0,
        requests=done,
        seconds=elapsed,
        non_2xx=sum(c[1] for c in counts),
        errors=sum(c[2] for c in counts),
    )


def drive(port: int, endpoint: Endpoint, args: argparse.Namespace) -> LoadResult:
    """Warm up, then measure one endpoint on one server."""

    def once(seconds: int) -> LoadResult:
        if args.tool == "wrk":
            url = f"http://{HOST}:{port}{endpoint.target}"
            return run_wrk(url, seconds, args.connections, args.threads)
        return run_python_load(
            port, endpoint.target, seconds, args.connections, args.max_requests
        )

    if args.warmup:
        once(args.warmup)
    return once(args.duration)


# -------------------------------------------------------------------------- report


def _fmt_rps(result: LoadResult | None) -> str:
    if result is None:
        return "n/a"
    flag = "*" if result.non_2xx or result.errors else ""
    return f"{result.rps:,.0f}{flag}"


def _progress(who: str, endpoint: Endpoint, result: LoadResult) -> None:
    print(
        f"  {who} GET {endpoint.target}: {_fmt_rps(result)} req/s "
        f"({result.requests} requests in {result.seconds:.1f}s)",
        flush=True,
    )


def print_table(rows: list[Row]) -> None:
    """Print the results table and notes."""
    header = (
        "endpoint",
        "deltaflask req/s",
        "bare Flask req/s",
        "ratio",
        "Deltacloud req/s",
        "target",
    )
    lines: list[tuple[str, ...]] = [header]
    for row in rows:
        ep, df, bare = row.endpoint, row.deltaflask, row.bare
        ratio = f"{_ratio(df, bare):.2f}" if df and bare and bare.rps else "n/a"
        if ep.target_rps is None:
            target = "-"
        else:
            if df is None:
                met = "n/a"
            else:
                met = "met" if df.rps >= ep.target_rps else "NOT met"
            target = f">= {ep.target_rps:,.0f} ({met})"
        lines.append(
            (
                f"GET {ep.target}",
                _fmt_rps(df),
                _fmt_rps(bare),
                ratio,
                f"~{ep.deltacloud_rps:,.0f}",
                target,
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for n, line in enumerate(lines):
        cells = [line[0].ljust(widths[0])]
        cells += [c.rjust(w) for c, w in zip(line[1:-1], widths[1:-1], strict=True)]
        cells.append(line[-1])
        print("  ".join(cells))
        if n == 0:
            print("  ".join("-" * w for w in widths))
    print()
    print("ratio = deltaflask / bare Flask (1.00 = no overhead beyond Flask+gunicorn)")
    print("the median round is shown; each round's ratios:")
    for row in rows:
        shown = ", ".join(f"{ratio:.2f}" for ratio in row.ratios())
        print(f"  GET {row.endpoint.target}: {shown}")
    print("Deltacloud = original Ruby Deltacloud, same kind of machine (reference)")
    for row in rows:
        for res, who in ((row.deltaflask, "deltaflask"), (row.bare, "bare Flask")):
            if res and (res.non_2xx or res.errors):
                row.notes.append(
                    f"* {who}: {res.non_2xx} non-2xx responses, "
                    f"{res.errors} socket errors"
                )
        for note in row.notes:
            print(f"{row.endpoint.label}: {note}")


# ---------------------------------------------------------------------------- main


def capture(server: GunicornServer, rows: list[Row]) -> dict[str, Captured]:
    """Fetch each endpoint's response from deltaflask; insist on 2xx."""
    captured: dict[str, Captured] = {}
    for row in rows:
        ep = row.endpoint
        got = http_get(server.port, ep.target)
        if not 200 <= got.status < 300:
            snippet = got.body[:500].decode("utf-8", "replace")
            raise BenchError(
                f"deltaflask answered GET {ep.target} with {got.status}; "
                f"not benchmarking an error.\n{snippet}\nlog tail:\n"
                + server.log_tail()
            )
        captured[ep.target] = got
        row.size = len(got.body)
        print(
            f"  captured GET {ep.target}: {got.status}, {got.content_type}, "
            f"{len(got.body)} bytes"
        )
    return captured


def write_bare_spec(tmp: Path, captured: dict[str, Captured], rows: list[Row]) -> Path:
    """Store captured bodies and the manifest that bare_app.py reads."""
    routes = []
    for i, row in enumerate(rows):
        got = captured[row.endpoint.target]
        body_file = tmp / f"body_{i}.bin"
        body_file.write_bytes(got.body)
        routes.append(
            {
                "path": row.endpoint.path,
                "status": got.status,
                "content_type": got.content_type,
                "body_file": str(body_file),
            }
        )
    spec = tmp / "bare_spec.json"
    spec.write_text(json.dumps({"routes": routes}, indent=2), encoding="utf-8")
    return spec


def verify_bare(server: GunicornServer, captured: dict[str, Captured]) -> None:
    """Check the baseline returns the same bytes and content types."""
    for target, want in captured.items():
        got = http_get(server.port, target)
        if (got.status, got.content_type, got.body) != (
            want.status,
            want.content_type,
            want.body,
        ):
            raise BenchError(f"bare app response for {target} differs from deltaflask")


def benchmark(args: argparse.Namespace) -> list[Row]:
    """Run the whole measurement; servers are stopped whatever happens."""
    repo_root = args.repo_root.resolve()
    if not (repo_root / "wsgi.py").is_file():
        raise BenchError(f"{repo_root}/wsgi.py not found (it must expose `app`)")
    rows = [Row(ep) for ep in ENDPOINTS]
    with tempfile.TemporaryDirectory(prefix="deltaflask-bench-") as tmp_name:
        tmp = Path(tmp_name)
        storage = tmp / "mock-storage"
        storage.mkdir()
        env = dict(os.environ, DELTACLOUD_MOCK_STORAGE=str(storage))
        df = GunicornServer("deltaflask", "wsgi:app", repo_root, args.workers, env, tmp)
        print(f"starting deltaflask (gunicorn -w {args.workers}) ...")
        with df:
            print(f"  listening on {HOST}:{df.port}, mock storage {storage}")
            captured = capture(df, rows)
            spec = write_bare_spec(tmp, captured, rows)
            bare_env = dict(os.environ, BENCH_BARE_SPEC=str(spec))
            bare = GunicornServer(
                "bare", "bare_app:app", BENCH_DIR, args.workers, bare_env, tmp
            )
            print(f"starting bare Flask baseline (gunicorn -w {args.workers}) ...")
            with bare:
                print(f"  listening on {HOST}:{bare.port}")
                verify_bare(bare, captured)
                for number in range(1, args.rounds + 1):
                    print(f"round {number} of {args.rounds}")
                    for row in rows:
                        mine = drive(df.port, row.endpoint, args)
                        _progress("deltaflask", row.endpoint, mine)
                        baseline = drive(bare.port, row.endpoint, args)
                        _progress("bare Flask", row.endpoint, baseline)
                        row.add_round(mine, baseline)
    return rows


def warn_if_busy(threshold: float = 0.5) -> None:
    """Warn when other processes already load the CPUs (figures would suffer)."""
    try:
        load1 = os.getloadavg()[0]
    except OSError:
        return
    if load1 > threshold:
        print(
            f"warning: 1-minute load average is {load1:.2f} before starting; other "
            "processes compete for the CPUs and will lower the figures",
            file=sys.stderr,
        )


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise Interrupted()


@contextmanager
def _sigterm_raises() -> Iterator[None]:
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    args = parse_args(argv)
    try:
        gunicorn_version = require_gunicorn()
        args.tool = choose_tool(args.tool)
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    tool_desc = (
        f"wrk -t{args.threads} -c{args.connections}"
        if args.tool == "wrk"
        else f"built-in Python load generator ({args.connections} threads)"
    )
    print(
        f"load tool: {tool_desc}, {args.duration}s per run "
        f"(+{args.warmup}s warm-up); gunicorn {gunicorn_version}, "
        f"{args.workers} sync workers; Python {sys.version.split()[0]}; "
        f"{os.cpu_count()} CPUs"
    )
    warn_if_busy()
    try:
        with _sigterm_raises():
            rows = benchmark(args)
    except (KeyboardInterrupt, Interrupted):
        print("\ninterrupted; servers stopped", file=sys.stderr)
        return 130
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print()
    print(f"results (load tool: {args.tool}):")
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
