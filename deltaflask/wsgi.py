"""WSGI entry point for production servers: ``gunicorn deltaflask.wsgi:app``.

Configure it with the same environment variables as the ``deltaflask``
command (``API_DRIVER``, ``API_PROVIDER``, ``API_FRONTEND``, ...).

On glibc it also keeps buffers of up to 4 MiB on the heap: gunicorn reads a
request body in fresh 1 MiB buffers, which glibc's defaults map and unmap on
every read, a page fault per 4 KiB that cut blob uploads to less than half
their speed (``benchmarks/bench_blobs.py``). ``MALLOC_MMAP_THRESHOLD_`` in the
environment, a choice of the operator's, is left as it is.
"""

import ctypes
import os

from deltaflask import create_app

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3


def tune_malloc() -> bool:
    """Raise glibc's mmap threshold to 4 MiB, keeping up to 32 MiB of free
    heap; ``False`` when not on glibc or the operator set the threshold."""
    if "MALLOC_MMAP_THRESHOLD_" in os.environ:
        return False
    try:
        if not os.confstr("CS_GNU_LIBC_VERSION"):
            return False
        mallopt = ctypes.CDLL(None).mallopt
    except (ValueError, OSError, AttributeError):  # not glibc
        return False
    return bool(
        mallopt(M_MMAP_THRESHOLD, 4 * 1024 * 1024)
        and mallopt(M_TRIM_THRESHOLD, 32 * 1024 * 1024)
    )


tune_malloc()
app = create_app()
