"""File helpers shared by the on-disk stores: owner-only folders, atomic
writes, a lock shared by threads and processes, and the sweeping of the
temporary files a killed writer leaves behind."""

from __future__ import annotations

import fcntl
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from collections.abc import Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

#: the name prefix of every temporary file the stores write
TMP_PREFIX = ".tmp-"
#: seconds a temporary file may stay unwritten before it is swept
#: (setting ``TMP_MAX_AGE``)
TMP_MAX_AGE = 3600.0
#: the most often one process sweeps one folder (seconds; ``SWEEP_INTERVAL``)
SWEEP_INTERVAL = 60.0
#: thread -> {locked folder: depth}, for re-entrant :func:`locked`
_held = threading.local()
#: folder -> when this process last swept it (``time.monotonic``)
_swept: dict[str, float] = {}
_swept_guard = threading.Lock()


def private_dir(folder: Path) -> Path:
    """``folder``, created with its missing parents as owner-only (0700)."""
    if not folder.is_dir():
        private_dir(folder.parent)
        folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def make_private(folder: Path) -> None:
    """Make ``folder`` and everything under it owner-only (0700 and 0600), as
    after copying in files whose modes came from elsewhere."""
    os.chmod(folder, 0o700)
    for parent, folders, names in os.walk(folder):
        for name in folders:
            os.chmod(os.path.join(parent, name), 0o700)
        for name in names:
            os.chmod(os.path.join(parent, name), 0o600)


def write_atomic(target: Path, payload: bytes) -> None:
    """Write ``payload`` to ``target`` (0600) via a temporary file and a rename."""
    private_dir(target.parent)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=TMP_PREFIX)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold the exclusive lock of ``folder`` (``flock`` on its ``.lock``)
    against every other thread and process; re-entrant within one thread.

    Each outermost acquisition opens the lock file anew, and ``flock`` locks
    of separate opens exclude each other even inside one process.
    """
    key = os.fspath(folder)
    depths: dict[str, int] = _held.__dict__.setdefault("depths", {})
    if depths.get(key):
        depths[key] += 1
        try:
            yield
        finally:
            depths[key] -= 1
        return
    private_dir(folder)
    descriptor = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        depths[key] = 1
        try:
            yield
        finally:
            del depths[key]
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)


def sweep(folder: Path, settings: Mapping[str, Any]) -> bool:
    """Sweep the stale temporary files under ``folder`` (see
    :func:`sweep_temporaries`) if this process has not done so for
    ``SWEEP_INTERVAL`` seconds; return whether it did (so that the caller
    sweeps its own leftovers too)."""
    key = os.fspath(folder)
    now = time.monotonic()
    interval = float(settings.get("SWEEP_INTERVAL", SWEEP_INTERVAL))
    with _swept_guard:
        last = _swept.get(key)
        if last is not None and now - last < interval:
            return False
        _swept[key] = now
    sweep_temporaries(folder, float(settings.get("TMP_MAX_AGE", TMP_MAX_AGE)))
    return True


def sweep_temporaries(folder: Path, max_age: float) -> int:
    """Remove the temporary files under ``folder`` nobody has written to for
    ``max_age`` seconds (a writer killed mid-way left them); return how many.

    A writer still at work keeps its file's modification time fresh.
    """
    cutoff = time.time() - max_age
    removed = 0
    for parent, _folders, names in os.walk(folder):
        for name in names:
            if not name.startswith(TMP_PREFIX):
                continue
            path = os.path.join(parent, name)
            try:
                if os.lstat(path).st_mtime < cutoff:
                    os.unlink(path)
                    removed += 1
            except FileNotFoundError:  # finished or swept meanwhile
                continue
    return removed
