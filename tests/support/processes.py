"""Stopping the services the tests start."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path


def stop(process: subprocess.Popen, timeout: float = 10) -> None:  # type: ignore[type-arg]
    """Terminate ``process``; kill it if it has not ended after ``timeout`` s."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_until_up(
    name: str,
    process: subprocess.Popen,  # type: ignore[type-arg]
    ready: Callable[[], bool],
    timeout: float,
    log: Path | None = None,
    interval: float = 0.1,
) -> None:
    """Poll ``ready`` until it is true; fail with the log's tail when
    ``process`` exits first or ``timeout`` seconds pass. A ``ready`` that
    raises ``OSError`` (nothing listening yet) counts as not ready."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}: {_tail(log)}")
        try:
            if ready():
                return
        except OSError:
            pass
        time.sleep(interval)
    raise RuntimeError(f"{name} did not start within {timeout} s: {_tail(log)}")


def _tail(log: Path | None) -> str:
    if log is None or not log.is_file():
        return "(no log)"
    return log.read_text(errors="replace")[-2000:]
