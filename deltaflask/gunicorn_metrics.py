"""Metrics shared by gunicorn's worker processes (``prometheus_client``'s
multiprocess mode), set up by :mod:`deltaflask.gunicorn_conf`.

Each worker writes its counts into files in ``PROMETHEUS_MULTIPROC_DIR``;
``/metrics``, whichever worker answers it, adds them all up. Unless the
operator names that folder, a private one (0700) is made for this server and
removed when it stops; an operator's own folder is emptied of the previous
run's files at start, as ``prometheus_client`` requires.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
#: the folder this server made for itself (``None``: the operator's own)
_OWN_FOLDER: list[Path] = []


def share_between_workers() -> Path:
    """Point ``PROMETHEUS_MULTIPROC_DIR`` at a folder for this server (before
    any worker imports ``prometheus_client``); return it."""
    named = os.environ.get(VARIABLE)
    if named:
        folder = Path(named)
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):
            stale.unlink()
        return folder
    folder = Path(tempfile.mkdtemp(prefix="deltaflask-metrics-"))
    _OWN_FOLDER.append(folder)
    os.environ[VARIABLE] = str(folder)
    return folder


def child_exit(server: Any, worker: Any) -> None:
    """gunicorn hook: a worker's live gauges end with it."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server: Any) -> None:
    """gunicorn hook: remove the folder this server made."""
    for folder in _OWN_FOLDER:
        shutil.rmtree(folder, ignore_errors=True)
