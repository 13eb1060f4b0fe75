"""``deltaflask-cli blob``: put and get with a progress bar, list, show,
destroy; a large put goes in parallel parts and resumes when run again."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn
from rich.progress import DownloadColumn
from rich.progress import Progress
from rich.progress import TimeRemainingColumn
from rich.progress import TransferSpeedColumn

from deltaflask.client.buckets import PART_SIZE
from deltaflask.client.buckets import SEGMENT_THRESHOLD
from deltaflask.client.buckets import WORKERS
from deltaflask.client.client import Client
from deltaflask.client.errors import BadRequest
from deltaflask.client.output import Printer
from deltaflask.client.transfer import Progress as ProgressCallback

MIB = 1024 * 1024


def add_blob_commands(commands: Any) -> None:
    """``blob put|get|list|show|destroy``."""
    blob = commands.add_parser("blob", help="blobs: put, get, list, show, destroy")
    verbs = blob.add_subparsers(dest="blob_verb", required=True, metavar="VERB")
    put = verbs.add_parser("put", help="upload FILE ('-' for stdin) as BUCKET/BLOB")
    put.add_argument("bucket")
    put.add_argument("blob")
    put.add_argument("file")
    put.add_argument("--content-type", help="the blob's media type")
    put.add_argument(
        "--meta", action="append", default=[], metavar="KEY=VALUE", help="metadata"
    )
    put.add_argument(
        "--threshold",
        type=int,
        default=SEGMENT_THRESHOLD // MIB,
        metavar="MIB",
        help=f"above this many MiB upload in parts ({SEGMENT_THRESHOLD // MIB})",
    )
    put.add_argument(
        "--part-size",
        type=int,
        default=PART_SIZE // MIB,
        metavar="MIB",
        help=f"MiB per part ({PART_SIZE // MIB})",
    )
    put.add_argument(
        "--parallel",
        type=int,
        default=WORKERS,
        metavar="N",
        help=f"parts sent at once ({WORKERS})",
    )
    get = verbs.add_parser("get", help="download BUCKET/BLOB to FILE ('-' for stdout)")
    get.add_argument("bucket")
    get.add_argument("blob")
    get.add_argument("file")
    listing = verbs.add_parser("list", help="the blobs of BUCKET")
    listing.add_argument("bucket")
    for verb in ("show", "destroy"):
        one = verbs.add_parser(verb, help=f"{verb} BUCKET/BLOB")
        one.add_argument("bucket")
        one.add_argument("blob")
    for command in (put, get):
        command.add_argument(
            "--no-progress", action="store_true", help="no progress bar"
        )


@contextmanager
def progress_bar(label: str, shown: bool) -> Iterator[ProgressCallback | None]:
    """A progress bar on stderr, fed by the callback it yields."""
    if not shown:
        yield None
        return
    bar = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(binary_units=True),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=False,
    )
    with bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total or None)

        yield update


def metadata(pairs: list[str]) -> dict[str, str]:
    """``KEY=VALUE`` options as a dict."""
    found = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise BadRequest(400, f"--meta {pair!r} is not KEY=VALUE")
        found[key] = value
    return found


def run_blob_command(
    client: Client, printer: Printer, options: argparse.Namespace
) -> None:
    """Carry out one ``blob`` verb."""
    verb = options.blob_verb
    collection = client.buckets
    # a transfer starts at once; its first request says if the bucket is missing
    bucket = (
        collection.wrap(
            {"id": options.bucket, "href": client.href("buckets", options.bucket)}
        )
        if verb in ("put", "get")
        else collection.get(options.bucket)
    )
    if verb == "list":
        printer.items(
            bucket.blobs(), ("id", "content_length", "content_type", "last_modified")
        )
    elif verb == "show":
        printer.one(bucket.blob(options.blob))
    elif verb == "destroy":
        bucket.blob(options.blob).destroy()
    elif verb == "put":
        source: Any = sys.stdin.buffer if options.file == "-" else Path(options.file)
        with progress_bar(f"put {options.blob}", not options.no_progress) as update:
            blob = bucket.upload(
                options.blob,
                source,
                content_type=options.content_type,
                metadata=metadata(options.meta),
                progress=update,
                threshold=options.threshold * MIB,
                part_size=options.part_size * MIB,
                workers=options.parallel,
            )
        printer.one(blob)
    else:
        blob = bucket.blob_at(options.blob)
        shown = not options.no_progress and options.file != "-"
        with progress_bar(f"get {options.blob}", shown) as update:
            target: Any = sys.stdout.buffer if options.file == "-" else options.file
            blob.download(target, update)
