"""File helpers shared by the on-disk stores."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(target: Path, payload: bytes) -> None:
    """Write ``payload`` to ``target`` via a temporary file and a rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
