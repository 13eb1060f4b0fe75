#!/usr/bin/env python3
"""The google driver against google-cloud-storage itself, on one gcp-storage-emulator.

Starts gcp-storage-emulator on a free loopback port (in its own memory, or on
disk with ``--on-disk``), serves deltaflask (google driver, ``GOOGLE_ENDPOINT_URL``
pointing at the emulator) under gunicorn like ``bench_blobs.py`` does, and
moves one file of ``--size`` bytes (1 GiB by default) both ways, side by side:

* ``PUT /api/buckets/bench/blob`` (sent from the file with sendfile) against
  the SDK's ``upload_from_file`` of the same file, with the driver's chunk
  size (``GOOGLE_CHUNK_SIZE``, 8 MiB) and with the SDK's default (100 MiB);
* ``GET /api/buckets/bench/blob/content`` (written to a file by curl) against
  the SDK's ``download_to_filename``.

Each transfer runs ``--repeat`` times, in rounds; the table shows median MB/s
and each row's speed as a share of the SDK's same transfer (uploads: of the
SDK with 8 MiB chunks; target for deltaflask: 0.8 or more, i.e. within 25 %),
then the server's peak RSS (target: under 100 MB). The emulator copies a
whole upload on every chunk it receives, so its uploads slow down with the
square of the size and bigger chunks win there; Cloud Storage does not.
Exits 0 whatever the figures (a measurement, not a test).

Usage (from the repo root)::

    .venv/bin/python benchmarks/bench_google.py --size 1G --repeat 3
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_blobs import BLOB
from bench_blobs import CURL_AUTH
from bench_blobs import HOST
from bench_blobs import Server
from bench_blobs import Step
from bench_blobs import curl_to
from bench_blobs import make_source
from bench_blobs import measure
from bench_blobs import parse_size
from bench_blobs import read_through
from bench_blobs import report

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from tests.support.gcs_emulator import GcsEmulator  # noqa: E402
from tests.support.gcs_emulator import gcs_emulator  # noqa: E402
from tests.support.gcs_emulator import sdk_client  # noqa: E402

CHUNK = 8 * 1024 * 1024
SDK_DEFAULT_CHUNK = 100 * 1024 * 1024


def sdk_upload(bucket: Any, source: Path, chunk: int) -> Callable[[], object]:
    """The SDK's resumable upload of ``source`` in chunks of ``chunk`` bytes."""

    def run() -> None:
        blob = bucket.blob("sdk-blob", chunk_size=chunk)
        with open(source, "rb") as stream:
            blob.upload_from_file(stream, content_type="application/octet-stream")

    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="1G", help="blob size: 1G, 256M, ... (1G)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds (3)")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers (1)")
    parser.add_argument("--settle", type=float, default=1.0, help="seconds (1)")
    parser.add_argument("--on-disk", action="store_true", help="emulator on disk")
    parser.add_argument("--dir", default=None, help="scratch directory (a temp dir)")
    args = parser.parse_args()
    size = parse_size(args.size)
    scratch = Path(tempfile.mkdtemp(prefix="bench-google-", dir=args.dir))
    server = None
    try:
        source, copy = scratch / "source.bin", scratch / "copy.bin"
        print(f"preparing {size / 2**20:.0f} MiB in {scratch} ...", flush=True)
        make_source(source, size)
        read_through(source)
        with gcs_emulator(scratch / "gcs", in_memory=not args.on_disk) as emulator:
            os.environ.update(
                API_DRIVER="google",
                GOOGLE_ENDPOINT_URL=emulator.endpoint,
                GOOGLE_CHUNK_SIZE=str(CHUNK),
            )
            mode = "on disk" if args.on_disk else "in memory"
            print(f"gcp-storage-emulator {mode}; gunicorn: {args.workers} workers")
            server = Server(scratch / "mock", args.workers, scratch / "log", "wsgi:app")
            server.request(
                "POST",
                "/api/buckets",
                "name=bench",
                {"Content-Type": "application/x-www-form-urlencoded"},
            )
            steps = _steps(emulator, server, source, copy, size)
            measure(steps, args.repeat, scratch / "ballast.bin", size, args.settle)
            sdk_put, sdk_put_default, put, get, sdk_get = steps
            report(
                [
                    (sdk_put, sdk_put),
                    (put, sdk_put),
                    (sdk_put_default, sdk_put),
                    (get, sdk_get),
                    (sdk_get, sdk_get),
                ],
                size,
                server.peak_rss_mb(),
                versus="SDK",
            )
            print(f"emulator peak RSS: {_peak_mb(emulator):.0f} MB")
            server.stop()
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


def _steps(
    emulator: GcsEmulator, server: Server, source: Path, copy: Path, size: int
) -> list[Step]:
    bucket = sdk_client(emulator).bucket("bench")
    url = f"http://{HOST}:{server.port}{BLOB}/content"

    def check_copy() -> None:
        if copy.stat().st_size != size:
            raise SystemExit("the downloaded copy has the wrong length")
        copy.unlink()

    def check_sdk_blob() -> None:
        if bucket.get_blob("sdk-blob").size != size:
            raise SystemExit("the SDK's blob has the wrong length")

    def drop_sdk_blob() -> None:
        check_copy()
        bucket.blob("sdk-blob").delete()

    def drop_blob() -> None:
        check_copy()
        server.request("DELETE", BLOB)

    return [
        Step(
            "SDK upload_from_file, 8 MiB chunks",
            sdk_upload(bucket, source, CHUNK),
            check_sdk_blob,
        ),
        Step(
            "SDK upload_from_file, 100 MiB chunks",
            sdk_upload(bucket, source, SDK_DEFAULT_CHUNK),
            check_sdk_blob,
        ),
        Step(
            "deltaflask PUT blob (streamed)",
            lambda: server.send_file(BLOB, source, (0, size), {}),
            lambda: None,
        ),
        Step(
            "deltaflask GET blob content (curl)",
            curl_to(copy, url, *CURL_AUTH),
            drop_blob,
        ),
        Step(
            "SDK download_to_filename",
            lambda: bucket.blob("sdk-blob").download_to_filename(str(copy)),
            drop_sdk_blob,
        ),
    ]


def _peak_mb(emulator: GcsEmulator) -> float:
    for line in Path(f"/proc/{emulator.process.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


if __name__ == "__main__":
    sys.exit(main())
