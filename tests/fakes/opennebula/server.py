"""The fake oned: a real XML-RPC server on a loopback port, in a thread.

It answers at ``/RPC2`` as oned does: every method takes the session string
(``user:password``) first and returns ``[true, body, 0]`` or
``[false, message, error code]``; a malformed call is an XML-RPC fault. Tests
steer it through :meth:`FakeOned.inject` (a fault, an internal error or a
delay for the next call of a method) and inspect :attr:`FakeOned.cloud`.
"""

from __future__ import annotations

import threading
import time
import xmlrpc.client
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from socketserver import ThreadingMixIn
from typing import Any
from typing import Literal
from xmlrpc.server import SimpleXMLRPCRequestHandler
from xmlrpc.server import SimpleXMLRPCServer

from tests.fakes.opennebula import images
from tests.fakes.opennebula import methods
from tests.fakes.opennebula import networks
from tests.fakes.opennebula import vms
from tests.fakes.opennebula.cloud import INTERNAL
from tests.fakes.opennebula.cloud import OneError
from tests.fakes.opennebula.methods import check_types
from tests.fakes.opennebula.seed import seeded

Kind = Literal["fault", "internal", "delay"]
#: every ``one.*`` method the fake answers
METHODS = {**methods.METHODS, **vms.METHODS, **networks.METHODS, **images.METHODS}


@dataclass(frozen=True)
class Injected:
    """What the next call of a method meets instead of (or before) its answer."""

    kind: Kind
    seconds: float = 0.0
    skip: int = 0


class _Handler(SimpleXMLRPCRequestHandler):
    rpc_paths = ("/RPC2",)


class FakeOned(ThreadingMixIn, SimpleXMLRPCServer):
    """oned's XML-RPC API over an in-memory :class:`Cloud`."""

    daemon_threads = True  # a delayed answer blocks no other call

    def __init__(self) -> None:
        super().__init__(
            ("127.0.0.1", 0),
            requestHandler=_Handler,
            logRequests=False,
            allow_none=False,
        )
        self.cloud = seeded()
        self.calls: list[str] = []
        self._injected: dict[str, Injected] = {}
        self._lock = threading.Lock()

    @property
    def endpoint(self) -> str:
        """The XML-RPC endpoint, as ``http://host:port/RPC2``."""
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/RPC2"

    def reset(self, auto_settle: bool = True) -> None:
        """Back to the seed cloud, with no calls recorded and nothing injected."""
        with self._lock:
            self.cloud = seeded(auto_settle)
            self.calls.clear()
            self._injected.clear()

    def settle(self) -> None:
        """Move every VM in a transient state one step on."""
        with self._lock:
            self.cloud.settle()

    def inject(
        self, method: str, kind: Kind, seconds: float = 0.0, skip: int = 0
    ) -> None:
        """Make a call of ``method`` (``one.vm.action`` ...) fail or wait: the
        next one, or the one after ``skip`` calls answered as usual."""
        with self._lock:
            self._injected[method] = Injected(kind, seconds, skip)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet: a client that timed out closes its socket early."""

    def _dispatch(self, method: str, params: tuple[Any, ...]) -> list[Any]:
        with self._lock:
            self.calls.append(method)
            injected = self._injected.pop(method, None)
            if injected is not None and injected.skip:
                self._injected[method] = Injected(
                    injected.kind, injected.seconds, injected.skip - 1
                )
                injected = None
        if injected is not None:
            if injected.kind == "delay":
                time.sleep(injected.seconds)
            elif injected.kind == "fault":
                raise xmlrpc.client.Fault(-500, f"{method}: the server crashed")
            else:
                return [
                    False,
                    f"[{method}] Internal error: database is locked",
                    INTERNAL,
                ]
        if method not in METHODS:
            raise xmlrpc.client.Fault(-506, f"Unknown method {method}")
        if not params:
            raise xmlrpc.client.Fault(-501, "Not enough parameters")
        check_types(METHODS[method][0], params[1:])
        with self._lock:
            try:
                user = self.cloud.authenticate(method, params[0])
                body = METHODS[method][1](self.cloud, user, *params[1:])
            except OneError as exc:
                return [False, exc.message, exc.code]
        return [True, body, 0]


@contextmanager
def running_oned() -> Iterator[FakeOned]:
    """A fake oned serving in a background thread until the block ends."""
    server = FakeOned()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
