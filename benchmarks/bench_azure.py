#!/usr/bin/env python3
"""A 1 GiB blob through deltaflask's azure driver versus the SDK directly.

Starts Azurite (``make azurite``) on a free loopback port with its data in a
scratch folder, and deltaflask under gunicorn (``wsgi:app``, sync workers,
the azure driver pointed at that Azurite). Then, in ``--repeat`` rounds, it
times four transfers of one file of ``--size`` bytes (1 GiB by default):

* ``upload_blob`` of the file with azure-storage-blob directly (its defaults);
* ``PUT /api/buckets/bench/blob`` through deltaflask (the body sent with
  sendfile), which stages it into Azurite in 8 MiB blocks;
* ``download_blob().readinto`` to a file with the SDK directly;
* ``GET /api/buckets/bench/blob/content`` through deltaflask, written to a
  file by ``curl``.

Each transfer starts alike (``bench_blobs.settle``); the table shows each
one's median MB/s and deltaflask's speed as a share of the SDK's (target:
at least 0.75), then the server's peak RSS (target: under 100 MB), the
largest VmHWM among gunicorn's processes. Azurite and the server are always
stopped and the scratch folder removed.

Usage (from the repo root)::

    make azurite && .venv/bin/python benchmarks/bench_azure.py --size 1G --repeat 3
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench_blobs import REPO_ROOT
from bench_blobs import Server
from bench_blobs import Step
from bench_blobs import curl_to
from bench_blobs import make_source
from bench_blobs import measure
from bench_blobs import parse_size
from bench_blobs import read_through
from bench_blobs import report

sys.path.insert(0, str(REPO_ROOT))

from tests.support.auth import basic
from tests.support.azurite import ACCOUNT
from tests.support.azurite import KEY
from tests.support.azurite import azurite

BLOB = "/api/buckets/bench/blob"
AUTH = {"Authorization": basic(ACCOUNT, KEY)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="1G", help="blob size: 1G, 256M, ... (1G)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds (3)")
    parser.add_argument(
        "--settle", type=float, default=1.0, help="seconds after sync (1)"
    )
    parser.add_argument("--dir", default=None, help="scratch directory (a temp dir)")
    args = parser.parse_args()
    size = parse_size(args.size)
    if shutil.which("curl") is None:
        raise SystemExit("curl is needed for the downloads through deltaflask")
    scratch = Path(tempfile.mkdtemp(prefix="bench-azure-", dir=args.dir))
    server = None
    try:
        source, copy = scratch / "source.bin", scratch / "copy.bin"
        print(f"preparing {size / 2**20:.0f} MiB in {scratch} ...", flush=True)
        make_source(source, size)
        read_through(source)
        with azurite(scratch / "azurite") as emulator:
            os.environ["API_DRIVER"] = "azure"
            os.environ["API_PROVIDER"] = emulator.endpoint
            print(f"Azurite at {emulator.endpoint}; gunicorn: {args.workers} workers")
            server = Server(scratch / "mock", args.workers, scratch / "log", "wsgi:app")
            blob = emulator.service().create_container("bench").get_blob_client("blob")
            steps = _steps(server, blob, source, copy, size)
            measure(steps, args.repeat, scratch / "ballast.bin", size, args.settle)
            sdk_put, put, sdk_get, get = steps
            report(
                [
                    (sdk_put, sdk_put),
                    (put, sdk_put),
                    (sdk_get, sdk_get),
                    (get, sdk_get),
                ],
                size,
                server.peak_rss_mb(),
                versus="SDK",
            )
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


def _steps(
    server: Server, blob: Any, source: Path, copy: Path, size: int
) -> list[Step]:
    """The four timed transfers: SDK upload, PUT, SDK download, GET."""
    url = f"http://127.0.0.1:{server.port}{BLOB}/content"

    def sdk_upload() -> None:
        with open(source, "rb") as handle:
            blob.upload_blob(handle, length=size, overwrite=True)

    def sdk_download() -> None:
        with open(copy, "wb") as handle:
            blob.download_blob().readinto(handle)

    def check_copy() -> None:
        if copy.stat().st_size != size:
            raise SystemExit("the downloaded copy has the wrong length")
        copy.unlink()

    def check_stored() -> None:
        if blob.get_blob_properties().size != size:
            raise SystemExit("the stored blob has the wrong length")

    account = ("-u", f"{ACCOUNT}:{KEY}")
    return [
        Step("SDK upload_blob (direct)", sdk_upload, check_stored),
        Step(
            "PUT through deltaflask",
            lambda: server.send_file(BLOB, source, (0, size), AUTH),
            check_stored,
        ),
        Step("SDK download_blob (direct)", sdk_download, check_copy),
        Step("GET through deltaflask (curl)", curl_to(copy, url, *account), check_copy),
    ]


if __name__ == "__main__":
    sys.exit(main())
