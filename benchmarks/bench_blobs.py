#!/usr/bin/env python3
"""Blob transfer benchmark: streamed upload, download and segmented upload.

Starts deltaflask under gunicorn (sync workers, 127.0.0.1 only) on a fresh
temporary mock store, then moves one file of ``--size`` bytes (1 GiB by
default) through the classic API:

* ``PUT /api/buckets/bench/blob`` (the body sent from the file with sendfile);
* ``GET /api/buckets/bench/blob/content`` (written to a file by ``curl``);
* a segmented upload in ``--segments`` parts (initiate, segments, complete).

Beside them it times the baseline, a plain ``curl file://`` copy of the same
file to the same disk. Each of the four is run ``--repeat`` times, in rounds
(plain, PUT, GET, segmented), and the median is reported, with each figure's
share of the plain copy's median. Every timed transfer starts alike (see
``settle``): the source file is in the page cache, a scratch file of the same
size has just been written and deleted, ``sync`` has flushed every dirty page
and ``--settle`` seconds have passed; the file the transfer writes is checked
and deleted after it, untimed. gunicorn serves ``--app`` (``wsgi:app``, as
the README's production command does) with no ``MALLOC_*`` variables:
``wsgi.py`` tunes glibc's malloc itself, ``--app 'deltaflask:create_app()'``
leaves its defaults alone. The server's peak RSS is the largest VmHWM among
the gunicorn master and its workers. Every step has a timeout; the server is
always stopped and the scratch directory removed.

Usage (from the repo root)::

    .venv/bin/python benchmarks/bench_blobs.py --size 1G --repeat 3
"""

from __future__ import annotations

import argparse
import base64
import http.client
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench_api import free_port

HOST = "127.0.0.1"
AUTH = "Basic " + base64.b64encode(b"mockuser:mockpassword").decode("ascii")
BLOCK = 1024 * 1024
REPO_ROOT = Path(__file__).resolve().parent.parent
BLOB = "/api/buckets/bench/blob"
SEGBLOB = "/api/buckets/bench/segblob"
SEGMENTED = {"X-Deltacloud-BlobType": "segmented"}
CURL_AUTH = ("-u", "mockuser:mockpassword")


def parse_size(text: str) -> int:
    """``1G``, ``256M``, ``512K`` or a number of bytes."""
    units = {"K": 1024, "M": 1024**2, "G": 1024**3}
    text = text.strip().upper().removesuffix("IB").removesuffix("B")
    if text and text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)


def make_source(path: Path, size: int) -> None:
    """A file of ``size`` pseudo-random bytes."""
    block = os.urandom(BLOCK)
    with open(path, "wb") as out:
        left = size
        while left:
            out.write(block[: min(left, BLOCK)])
            left -= min(left, BLOCK)


def read_through(path: Path) -> None:
    """Read a file once so that every transfer finds it in the page cache."""
    with open(path, "rb", buffering=0) as handle:
        buffer = bytearray(BLOCK)
        while handle.readinto(buffer):
            pass


class Server:
    """gunicorn on a loopback port in its own process group."""

    def __init__(self, storage: Path, workers: int, log: Path, app: str) -> None:
        self.port = free_port()
        env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith("MALLOC_")
        }
        env["DELTACLOUD_MOCK_STORAGE"] = str(storage)
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            str(workers),
            "-b",
            f"{HOST}:{self.port}",
            "--timeout",
            "600",
            app,
        ]
        with open(log, "wb") as out:
            self.proc = subprocess.Popen(
                command,
                cwd=REPO_ROOT,
                env=env,
                stdout=out,
                stderr=out,
                start_new_session=True,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                self.request("GET", "/api")
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit(f"gunicorn did not start; see {log}")

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(HOST, self.port, timeout=600)

    def request(
        self,
        method: str,
        path: str,
        body: str | bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> http.client.HTTPResponse:
        """A small request; a 4xx/5xx answer stops the benchmark."""
        conn = self.connection()
        conn.request(
            method, path, body=body, headers={"Authorization": AUTH, **(headers or {})}
        )
        return _finish(conn, method, path)

    def send_file(
        self,
        path: str,
        source: Path,
        span: tuple[int, int],
        headers: dict[str, str],
    ) -> http.client.HTTPResponse:
        """``PUT`` the bytes ``span`` (offset, count) of ``source`` with sendfile."""
        offset, count = span
        conn = self.connection()
        conn.putrequest("PUT", path, skip_accept_encoding=True)
        for name, value in {
            "Authorization": AUTH,
            "Content-Type": "application/octet-stream",
            "Content-Length": str(count),
            **headers,
        }.items():
            conn.putheader(name, value)
        conn.endheaders()
        with open(source, "rb") as handle:
            assert conn.sock is not None
            conn.sock.sendfile(handle, offset, count)
        return _finish(conn, "PUT", path)

    def peak_rss_mb(self) -> float:
        """The largest VmHWM among the master and its workers, in MB."""
        pids = [self.proc.pid, *children(self.proc.pid)]
        return max((vm_hwm_kb(pid) for pid in pids), default=0) / 1024

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def _finish(
    conn: http.client.HTTPConnection, method: str, path: str
) -> http.client.HTTPResponse:
    response = conn.getresponse()
    response.read()
    conn.close()
    if response.status >= 400:
        raise SystemExit(f"{method} {path} -> {response.status}")
    return response


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found += [int(p) for p in task.read_text().split()]
    return found


def vm_hwm_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return 0
    return 0


def segmented_upload(server: Server, source: Path, size: int, segments: int) -> None:
    """Initiate, send ``segments`` consecutive spans of the file, complete."""
    started = server.request("PUT", SEGBLOB, b"", SEGMENTED)
    upload = {
        **SEGMENTED,
        "X-Deltacloud-SegmentedBlob": started.getheader(
            "X-Deltacloud-SegmentedBlob", ""
        ),
    }
    step = -(-size // segments)
    manifest = []
    for order in range(1, segments + 1):
        offset = (order - 1) * step
        answer = server.send_file(
            SEGBLOB,
            source,
            (offset, min(step, size - offset)),
            {**upload, "X-Deltacloud-SegmentOrder": str(order)},
        )
        manifest.append(f"{order}={answer.getheader('X-Deltacloud-BlobSegmentId')}")
    server.request("PUT", SEGBLOB, ", ".join(manifest), upload)


def stored_length(server: Server, path: str) -> int:
    """The ``content_length`` the server reports for a blob."""
    conn = server.connection()
    conn.request("GET", path, headers={"Authorization": AUTH, "Accept": "text/xml"})
    document = conn.getresponse().read().decode("utf-8")
    conn.close()
    return int(document.split("<content_length>")[1].split("<")[0])


def curl_to(target: Path, url: str, *options: str) -> Callable[[], object]:
    """A curl run that writes ``url`` to ``target`` (a failure stops the run)."""
    command = ["curl", "-s", "-f", *options, "-o", str(target), url]
    return lambda: subprocess.run(command, check=True, timeout=600)


class Step:
    """One timed transfer and the untimed clean-up after it."""

    def __init__(
        self, label: str, run: Callable[[], object], after: Callable[[], object]
    ) -> None:
        self.label = label
        self.run = run
        self.after = after
        self.seconds: list[float] = []


def settle(ballast: Path, size: int, seconds: float) -> None:
    """Start a transfer like every other one: write ``size`` bytes to
    ``ballast`` and delete it (so the writer gets recycled page-cache pages,
    not fresh ones, which cost a page fault each on a virtual machine), flush
    every dirty page, then let the disk go quiet."""
    make_source(ballast, size)
    ballast.unlink()
    os.sync()
    time.sleep(seconds)


def measure(
    steps: list[Step], rounds: int, ballast: Path, size: int, pause: float
) -> None:
    """Run every step once per round, in order, timing only ``run``."""
    for number in range(1, rounds + 1):
        for step in steps:
            settle(ballast, size, pause)
            start = time.perf_counter()
            step.run()
            step.seconds.append(time.perf_counter() - start)
            step.after()
        print(f"  round {number}/{rounds} done", flush=True)


def report(
    rows: list[tuple[Step, Step]], size: int, peak_mb: float, versus: str = "copy"
) -> None:
    """A table of each step's median MB/s, its range, and its share of the
    speed of its baseline step (each row: step, baseline)."""
    label_width = max(34, *(len(step.label) for step, _ in rows))
    print(
        f"\n{'transfer':{label_width}} {'median MB/s':>11} {'min-max MB/s':>15} "
        f"{'x ' + versus:>7}"
    )
    for step, baseline in rows:
        rates = sorted(size / s / 1e6 for s in step.seconds)
        median = statistics.median(step.seconds)
        print(
            f"{step.label:{label_width}} {size / median / 1e6:11.1f} "
            f"{rates[0]:7.0f}-{rates[-1]:<7.0f} "
            f"{statistics.median(baseline.seconds) / median:7.2f}"
        )
    print(f"server peak RSS (largest process): {peak_mb:.1f} MB")
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="1G", help="blob size: 1G, 256M, ... (1G)")
    parser.add_argument("--segments", type=int, default=8, help="segments (8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds (3)")
    parser.add_argument(
        "--settle", type=float, default=1.0, help="seconds after sync (1)"
    )
    parser.add_argument("--dir", default=None, help="scratch directory (a temp dir)")
    parser.add_argument(
        "--app", default="wsgi:app", help="what gunicorn serves (wsgi:app)"
    )
    args = parser.parse_args()
    size = parse_size(args.size)
    if shutil.which("curl") is None:
        raise SystemExit("curl is needed for the plain-copy baseline")
    scratch = Path(tempfile.mkdtemp(prefix="bench-blobs-", dir=args.dir))
    server = None
    try:
        source, copy = scratch / "source.bin", scratch / "copy.bin"
        print(f"preparing {size / 2**20:.0f} MiB in {scratch} ...", flush=True)
        make_source(source, size)
        read_through(source)
        print(f"gunicorn: {args.workers} workers, {args.app}")
        server = Server(scratch / "mock", args.workers, scratch / "log", args.app)
        server.request(
            "POST",
            "/api/buckets",
            "name=bench",
            {"Content-Type": "application/x-www-form-urlencoded"},
        )

        url = f"http://{HOST}:{server.port}{BLOB}/content"

        def check_copy() -> None:
            if copy.stat().st_size != size:
                raise SystemExit("the downloaded copy has the wrong length")
            copy.unlink()

        def check_segblob() -> None:
            if stored_length(server, SEGBLOB) != size:
                raise SystemExit("the segmented blob has the wrong length")
            server.request("DELETE", SEGBLOB)

        def get_and_clean() -> None:
            check_copy()
            server.request("DELETE", BLOB)

        steps = [
            Step(
                "plain copy (curl file://)",
                curl_to(copy, f"file://{source}"),
                check_copy,
            ),
            Step(
                "PUT blob (streamed)",
                lambda: server.send_file(BLOB, source, (0, size), {}),
                lambda: None,
            ),
            Step(
                "GET blob content (curl)", curl_to(copy, url, *CURL_AUTH), get_and_clean
            ),
            Step(
                f"segmented upload ({args.segments} parts)",
                lambda: segmented_upload(server, source, size, args.segments),
                check_segblob,
            ),
        ]
        measure(steps, args.repeat, scratch / "ballast.bin", size, args.settle)
        report([(step, steps[0]) for step in steps], size, server.peak_rss_mb())
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
