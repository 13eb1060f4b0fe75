#!/usr/bin/env python3
"""Blob transfer benchmark: streamed upload, download and segmented upload.

Starts deltaflask under gunicorn (sync workers, 127.0.0.1 only) on a fresh
temporary mock store, then moves one file of ``--size`` bytes (1 GiB by
default) through the classic API:

* ``PUT /api/buckets/bench/blob`` (the body streamed from the file);
* ``GET /api/buckets/bench/blob/content`` (written back to the same disk);
* a segmented upload in ``--segments`` parts (initiate, segments, complete).

Each figure is printed in MB/s beside a plain ``curl file://`` copy of the
same file to the same disk, with the server's peak RSS (VmHWM of the master
and every worker). Every step has a timeout; the server is always stopped.

Usage (from the repo root)::

    .venv/bin/python benchmarks/bench_blobs.py --size 1G
"""

from __future__ import annotations

import argparse
import base64
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

HOST = "127.0.0.1"
AUTH = "Basic " + base64.b64encode(b"mockuser:mockpassword").decode("ascii")
BLOCK = 1024 * 1024
REPO_ROOT = Path(__file__).resolve().parent.parent


def parse_size(text: str) -> int:
    """``1G``, ``256M``, ``512K`` or a number of bytes."""
    units = {"K": 1024, "M": 1024**2, "G": 1024**3}
    text = text.strip().upper().removesuffix("IB").removesuffix("B")
    if text and text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def make_source(path: Path, size: int) -> None:
    """A file of ``size`` pseudo-random bytes."""
    block = os.urandom(BLOCK)
    with open(path, "wb") as out:
        left = size
        while left:
            out.write(block[: min(left, BLOCK)])
            left -= min(left, BLOCK)


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def rate(size: int, seconds: float) -> str:
    return f"{size / seconds / 1e6:8.1f} MB/s ({seconds:6.2f} s)"


class Server:
    """gunicorn on a loopback port in its own process group."""

    def __init__(self, storage: Path, workers: int, log: Path) -> None:
        self.port = free_port()
        self.log = log
        env = dict(os.environ, DELTACLOUD_MOCK_STORAGE=str(storage))
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
            "wsgi:app",
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
        return http.client.HTTPConnection(HOST, self.port, timeout=600, blocksize=BLOCK)

    def request(
        self,
        method: str,
        path: str,
        body: object = None,
        headers: dict[str, str] | None = None,
    ) -> http.client.HTTPResponse:
        conn = self.connection()
        conn.request(
            method, path, body=body, headers={"Authorization": AUTH, **(headers or {})}
        )
        response = conn.getresponse()
        response.read()
        conn.close()
        if response.status >= 400:
            raise SystemExit(f"{method} {path} -> {response.status}")
        return response

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


def upload(server: Server, source: Path, size: int) -> None:
    with open(source, "rb") as body:
        server.request(
            "PUT",
            "/api/buckets/bench/blob",
            body,
            {"Content-Length": str(size), "Content-Type": "application/octet-stream"},
        )


def download(server: Server, target: Path, size: int) -> None:
    conn = server.connection()
    conn.request(
        "GET", "/api/buckets/bench/blob/content", headers={"Authorization": AUTH}
    )
    response = conn.getresponse()
    received = 0
    with open(target, "wb") as out:
        while chunk := response.read(BLOCK):
            out.write(chunk)
            received += len(chunk)
    conn.close()
    if response.status != 200 or received != size:
        raise SystemExit(
            f"download: status {response.status}, {received} of {size} bytes"
        )


def segmented(server: Server, source: Path, size: int, segments: int) -> None:
    path = "/api/buckets/bench/segblob"
    kind = {"X-Deltacloud-BlobType": "segmented"}
    upload_id = server.request("PUT", path, b"", kind).getheader(
        "X-Deltacloud-SegmentedBlob"
    )
    step = -(-size // segments)
    manifest = []
    with open(source, "rb") as body:
        for order in range(1, segments + 1):
            length = min(step, size - (order - 1) * step)
            part = SegmentReader(body, length)
            headers = {
                **kind,
                "X-Deltacloud-SegmentedBlob": upload_id,
                "X-Deltacloud-SegmentOrder": str(order),
                "Content-Length": str(length),
            }
            answer = server.request("PUT", path, part, headers)
            manifest.append(f"{order}={answer.getheader('X-Deltacloud-BlobSegmentId')}")
    server.request(
        "PUT",
        path,
        ", ".join(manifest),
        {**kind, "X-Deltacloud-SegmentedBlob": upload_id},
    )


class SegmentReader:
    """``length`` bytes of an open file, read in blocks (what http.client streams)."""

    def __init__(self, handle: BinaryIO, length: int) -> None:
        self.handle = handle
        self.left = length

    def read(self, amount: int = BLOCK) -> bytes:
        data = self.handle.read(min(amount, self.left)) if self.left else b""
        self.left -= len(data)
        return data


def report(label: str, size: int, seconds: float, plain: float) -> None:
    """One line: throughput and its share of the plain copy's throughput."""
    print(f"{label:32} {rate(size, seconds)}  {plain / seconds:5.2f} x copy speed")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="1G", help="blob size: 1G, 256M, ... (1G)")
    parser.add_argument("--segments", type=int, default=8, help="segments (8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument(
        "--dir", default=None, help="scratch directory (a new temp dir)"
    )
    args = parser.parse_args()
    size = parse_size(args.size)
    scratch = Path(tempfile.mkdtemp(prefix="bench-blobs-", dir=args.dir))
    server = None
    try:
        source, copy = scratch / "source.bin", scratch / "copy.bin"
        print(f"preparing {size / 2**20:.0f} MiB in {scratch} ...")
        make_source(source, size)
        curl = shutil.which("curl")
        if curl:
            plain = timed(
                lambda: subprocess.run(
                    [curl, "-s", "-o", str(copy), f"file://{source}"],
                    check=True,
                    timeout=600,
                )
            )
        else:
            plain = timed(lambda: shutil.copyfile(source, copy))
        copy.unlink()
        server = Server(scratch / "mock", args.workers, scratch / "gunicorn.log")
        server.request(
            "POST",
            "/api/buckets",
            "name=bench",
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        put = timed(lambda: upload(server, source, size))
        get = timed(lambda: download(server, copy, size))
        copy.unlink()
        seg = timed(lambda: segmented(server, source, size, args.segments))
        peak = server.peak_rss_mb()
        label = "curl file://" if curl else "shutil"
        print(f"{'plain copy (' + label + ')':32} {rate(size, plain)}")
        report("PUT blob (streamed)", size, put, plain)
        report("GET blob content", size, get, plain)
        report(f"segmented upload ({args.segments} parts)", size, seg, plain)
        print(f"server peak RSS (largest process): {peak:.1f} MB")
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
