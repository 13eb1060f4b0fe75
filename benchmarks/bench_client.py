#!/usr/bin/env python3
"""``deltaflask-cli`` beside curl: a blob uploaded and downloaded both ways.

Starts deltaflask under gunicorn on a fresh temporary mock store (the server
of ``bench_blobs.py``), makes one file of ``--size`` bytes (1 GiB by default)
and, in rounds, times:

* ``curl -T FILE`` (one streamed PUT) to ``/api/buckets/bench/curl``;
* ``deltaflask-cli blob put bench cli FILE`` (segmented: ``--part-size`` MiB
  parts, ``--parallel`` at once, completed by manifest);
* ``curl -o COPY .../curl/content`` (one streamed GET);
* ``deltaflask-cli blob get bench curl COPY`` (the same blob, so both read
  one file the server sends with ``sendfile``);
* the same download through the library in this process (``Blob.download``),
  which shows what the command line's interpreter start and imports cost.

Every timed run starts alike (``settle`` from ``bench_blobs.py``); the stored
length and the downloaded copy are checked untimed after each. The report
gives the median MB/s of each and the CLI's share of curl's figure (the
targets: upload >= 1.0, download >= 0.9).

Usage (from the repo root)::

    .venv/bin/python benchmarks/bench_client.py --size 1G --repeat 3
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

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
from bench_blobs import stored_length

from deltaflask.client import Client
from deltaflask.client.buckets import PART_SIZE
from deltaflask.client.buckets import WORKERS

CLI = Path(sys.executable).parent / "deltaflask-cli"
BUCKET = "/api/buckets/bench"
#: the command line's defaults
PART_MIB = PART_SIZE // 2**20


def cli_run(*args: str, env: dict[str, str]) -> None:
    """One ``deltaflask-cli`` command (a failure stops the benchmark)."""
    subprocess.run(
        [str(CLI), "-o", "json", *args],
        check=True,
        timeout=900,
        env=env,
        stdout=subprocess.DEVNULL,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="1G", help="blob size: 1G, 256M, ... (1G)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (4)")
    parser.add_argument(
        "--parallel", type=int, default=WORKERS, help=f"CLI parts at once ({WORKERS})"
    )
    parser.add_argument(
        "--part-size", type=int, default=PART_MIB, help=f"CLI part MiB ({PART_MIB})"
    )
    parser.add_argument("--repeat", type=int, default=3, help="rounds (3)")
    parser.add_argument("--settle", type=float, default=1.0, help="seconds after sync")
    parser.add_argument("--dir", default=None, help="scratch directory (a temp dir)")
    parser.add_argument("--app", default="wsgi:app", help="what gunicorn serves")
    args = parser.parse_args()
    size = parse_size(args.size)
    if shutil.which("curl") is None:
        raise SystemExit("curl is needed for the baseline")
    scratch = Path(tempfile.mkdtemp(prefix="bench-client-", dir=args.dir))
    server = None
    try:
        source, copy = scratch / "source.bin", scratch / "copy.bin"
        print(f"preparing {size / 2**20:.0f} MiB in {scratch} ...", flush=True)
        make_source(source, size)
        read_through(source)
        server = Server(scratch / "mock", args.workers, scratch / "log", args.app)
        api = f"http://{HOST}:{server.port}/api"
        env = {
            **os.environ,
            "DELTAFLASK_URL": api,
            "DELTAFLASK_USER": "mockuser",
            "DELTAFLASK_PASSWORD": "mockpassword",
            "XDG_STATE_HOME": str(scratch / "state"),
            "XDG_CONFIG_HOME": str(scratch / "config"),
        }
        cli_run("buckets", "create", "name=bench", env=env)
        print(
            f"gunicorn: {args.workers} workers, {args.app}; CLI: "
            f"{args.part_size} MiB parts, {args.parallel} at once",
            flush=True,
        )

        def check_stored(blob: str) -> None:
            if stored_length(server, f"{BUCKET}/{blob}") != size:
                raise SystemExit(f"blob {blob} has the wrong length")

        def check_copy() -> None:
            if copy.stat().st_size != size:
                raise SystemExit("the downloaded copy has the wrong length")
            copy.unlink()

        put_curl = Step(
            "PUT: curl -T (one stream)",
            lambda: subprocess.run(
                [
                    "curl",
                    "-s",
                    "-f",
                    *CURL_AUTH,
                    "-H",
                    "Expect:",
                    "-o",
                    os.devnull,
                    "-T",
                    str(source),
                    f"{api}/buckets/bench/curl",
                ],
                check=True,
                timeout=900,
            ),
            lambda: check_stored("curl"),
        )
        put_cli = Step(
            f"PUT: deltaflask-cli blob put ({args.parallel} parallel)",
            lambda: cli_run(
                "blob",
                "put",
                "bench",
                "cli",
                str(source),
                "--no-progress",
                "--part-size",
                str(args.part_size),
                "--parallel",
                str(args.parallel),
                env=env,
            ),
            lambda: check_stored("cli"),
        )
        get_curl = Step(
            "GET: curl -o",
            curl_to(copy, f"{api}/buckets/bench/curl/content", *CURL_AUTH),
            check_copy,
        )
        get_cli = Step(
            "GET: deltaflask-cli blob get",
            lambda: cli_run(
                "blob", "get", "bench", "curl", str(copy), "--no-progress", env=env
            ),
            check_copy,
        )
        library = Client(api, "mockuser", "mockpassword")
        get_library = Step(
            "GET: Blob.download (library, in-process)",
            lambda: (
                library.buckets.wrap({"id": "bench", "href": f"{api}/buckets/bench"})
                .blob_at("curl")
                .download(copy)
            ),
            check_copy,
        )
        steps = [put_curl, put_cli, get_curl, get_cli, get_library]
        measure(steps, args.repeat, scratch / "ballast.bin", size, args.settle)
        library.close()
        report(
            [
                (put_curl, put_curl),
                (put_cli, put_curl),
                (get_curl, get_curl),
                (get_cli, get_curl),
                (get_library, get_curl),
            ],
            size,
            server.peak_rss_mb(),
            versus="curl",
        )
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
