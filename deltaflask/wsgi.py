"""WSGI entry point for production servers: ``gunicorn deltaflask.wsgi:app``.

Configure it with the same environment variables as the ``deltaflask``
command (``API_DRIVER``, ``API_PROVIDER``, ``API_FRONTEND``, ...).

On glibc it also keeps buffers of up to 4 MiB on the heap: gunicorn reads a
request body in fresh 1 MiB buffers, which glibc's defaults map and unmap on
every read, a page fault per 4 KiB that cut blob uploads to less than half
their speed (``benchmarks/bench_blobs.py``). ``MALLOC_MMAP_THRESHOLD_`` in the
environment, a choice of the operator's, is left as it is. It also keeps
glibc to two malloc arenas: each gunicorn thread would otherwise get one of its
own, holding on to the buffers of the transfers it served, so a worker's
memory grew with the threads a large blob happened to pass through.

Under gunicorn, the application's ``Server`` header (``/api`` names the
Deltacloud API version, as the original did) replaces gunicorn's own: gunicorn
drops an application's ``Server`` as hop-by-hop and always sends
``Server: gunicorn``.
"""

import ctypes
import os
import sys

from deltaflask import create_app

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8


def tune_malloc() -> bool:
    """Raise glibc's mmap threshold to 4 MiB, keeping up to 32 MiB of free
    heap, in at most two arenas; ``False`` when not on glibc or the operator
    set the threshold."""
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
        and mallopt(M_ARENA_MAX, 2)
    )


def let_the_app_name_the_server() -> bool:
    """Make gunicorn send the application's ``Server`` header, when it sets
    one, in place of its own; ``False`` when not running under gunicorn."""
    if "gunicorn" not in sys.modules:
        return False
    from gunicorn.http.wsgi import Response

    if getattr(Response, "app_names_server", False):
        return True
    process_headers = Response.process_headers

    def process_and_take_server(self, headers):  # type: ignore[no-untyped-def]
        headers = list(headers)
        process_headers(self, headers)  # drops ``Server`` as hop-by-hop
        named = [value for name, value in headers if name.lower() == "server"]
        if named:
            self.version = named[-1]

    Response.process_headers = process_and_take_server
    Response.app_names_server = True
    return True


tune_malloc()
let_the_app_name_the_server()
app = create_app()
