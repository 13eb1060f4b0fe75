"""gunicorn settings under which one slow or lying client cannot freeze the
server (``-c python:deltaflask.gunicorn_conf``, see the README)::

    gunicorn -c python:deltaflask.gunicorn_conf -w 2 deltaflask.wsgi:app

* **Threads** (``gthread``, :data:`threads` per worker process): a client that
  sends or reads slowly holds one thread, not a whole worker; a kept-alive
  connection waiting for its next request holds none. No extra package.
* **No request time limit**: a gthread worker reports to the master from its
  own loop, so ``timeout`` only restarts a worker whose loop hangs; a blob
  transfer may take as long as it needs.
* **Idle limit** (``DELTAFLASK_IDLE_TIMEOUT`` seconds, default 60): a request's
  line and headers must arrive within it; then a client silent that long
  while its body is due, or that reads nothing of the answer that long, is
  dropped (the answer is a 408 when the body stalls). Each wait starts
  afresh, so a slow client that keeps going is served to the end; only a
  1 MiB piece of a segmented blob's download must go out within the limit, so
  a reader needs about 17 KiB/s at 60 s. (With TLS terminated by gunicorn
  itself, its sockets are gunicorn's own: terminate TLS at a proxy.)

* **Metrics of every worker**: ``/metrics`` adds up the counts of all worker
  processes (:mod:`deltaflask.gunicorn_metrics`).

Options on the command line (``--threads 32``, ``--timeout``) win over these.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from typing import Any

from gunicorn import util
from gunicorn.workers.gthread import ThreadWorker
from werkzeug.exceptions import RequestTimeout

from deltaflask import gunicorn_metrics

#: seconds a client may stay silent while it should send or read
IDLE_TIMEOUT = float(os.environ.get("DELTAFLASK_IDLE_TIMEOUT", "60"))

#: gunicorn's graceful close (25+; older ones close at once)
LINGER: Callable[[socket.socket], None] | None = getattr(util, "close_graceful", None)

gunicorn_metrics.share_between_workers()
child_exit = gunicorn_metrics.child_exit
on_exit = gunicorn_metrics.on_exit

worker_class = "deltaflask.gunicorn_conf.IdleTimeoutWorker"
threads = 16
#: the heartbeat limit of a worker's own loop (never of a request: see above)
timeout = 30
#: how long a stopping worker lets transfers in progress finish
graceful_timeout = 120
#: how long an idle kept-alive connection is kept (in the poller, not a thread)
keepalive = 5
#: no runtime control socket (gunicorn 25.1+ opens one per user in ``$HOME``
#: or ``$XDG_RUNTIME_DIR``, which every server of the user would share)
control_socket_disable = True


class IdleSocket(socket.socket):
    """A client socket on which "blocking" means waiting at most
    :data:`IDLE_TIMEOUT` seconds for each piece of data to come or go, and
    on which a request's head (request line and headers) must arrive whole
    within :data:`IDLE_TIMEOUT` of a thread taking the request up, so that a
    slow-loris sending a byte now and then is dropped too. A client too slow
    with its head is treated as gone: its reads end (as at a disconnection).
    """

    #: when the head of the request being read is due (``None``: it came)
    head_due: float | None = None

    def setblocking(self, flag: bool) -> None:
        """Wait with the idle limit (blocking: a thread takes up a request,
        whose head is now due), or not at all (nothing to change once closed)."""
        if self.fileno() == -1:
            return
        if flag:
            self.settimeout(IDLE_TIMEOUT)
            self.head_due = time.monotonic() + IDLE_TIMEOUT
        else:
            super().setblocking(False)

    def head_received(self) -> None:
        """The head came: from now on only each wait is limited."""
        self.head_due = None
        self.settimeout(IDLE_TIMEOUT)

    def recv(self, size: int, flags: int = 0) -> bytes:
        """Up to ``size`` bytes; ``b""`` once the head is overdue."""
        if self.head_due is None:
            return super().recv(size, flags)
        left = self.head_due - time.monotonic()
        if left <= 0:
            return b""
        self.settimeout(left)
        try:
            return super().recv(size, flags)
        except TimeoutError:
            return b""


class IdleTimeoutWorker(ThreadWorker):
    """gunicorn's threaded worker, whose client sockets have the idle limit
    and whose closing connections linger in their own thread.

    gunicorn 25+ closes a connection gracefully, waiting up to 2 s for the
    client to close its side too, in the loop every connection of the worker
    waits on: a client that stays connected after its answer would hold up
    everyone else for 2 s. Here that wait happens in the request's thread.
    """

    def enqueue_req(self, conn: Any) -> None:
        """Give a new connection an :class:`IdleSocket` before any request."""
        if not conn.initialized and not isinstance(conn.sock, IdleSocket):
            conn.sock = IdleSocket(fileno=conn.sock.detach())
        super().enqueue_req(conn)

    def handle_request(self, req: Any, conn: Any) -> Any:
        """Answer a request whose head has been read."""
        if isinstance(conn.sock, IdleSocket):
            conn.sock.head_received()
        return super().handle_request(req, conn)

    def handle(self, conn: Any) -> Any:
        """Serve a request; close the connection here when it ends."""
        result = super().handle(conn)
        if not result and LINGER is not None:
            LINGER(conn.sock)
        return result


class StalledBody:
    """A request body whose stall (past the idle limit) is a 408 answer,
    rendered by the frontend the request went to."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def read(self, size: int | None = -1) -> bytes:
        """Up to ``size`` bytes."""
        return self._call(self._stream.read, size)

    def readline(self, size: int | None = -1) -> bytes:
        """One line, of at most ``size`` bytes."""
        return self._call(self._stream.readline, size)

    def readlines(self, hint: int | None = -1) -> list[bytes]:
        """The remaining lines."""
        return self._call(self._stream.readlines, hint)

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.readline, b"")

    @staticmethod
    def _call(method: Callable[[Any], Any], argument: Any) -> Any:
        try:
            return method(argument)
        except TimeoutError as exc:
            raise RequestTimeout(
                f"The client sent nothing for {IDLE_TIMEOUT:g} seconds"
            ) from exc


def stalled_bodies_time_out(app: Callable[..., Iterable[bytes]]) -> Callable[..., Any]:
    """``app`` with :class:`StalledBody` request bodies."""

    def wrapped(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        environ["wsgi.input"] = StalledBody(environ["wsgi.input"])
        return app(environ, start_response)

    return wrapped


def post_worker_init(worker: Any) -> None:
    """gunicorn hook: serve the app with :class:`StalledBody` request bodies."""
    worker.wsgi = stalled_bodies_time_out(worker.wsgi)
