"""What every part of the openstack driver shares: the request's connection,
waiting for OpenStack's asynchronous work, and running lookups side by side."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from typing import TypeVar

from deltaflask.drivers import BaseDriver
from deltaflask.errors import AuthenticationFailure
from deltaflask.plugins.openstack.errors import openstack_errors
from deltaflask.plugins.openstack.identity import connection

T = TypeVar("T")

#: seconds to wait for a server, volume or snapshot to reach a state
WAIT_SECONDS = 180
#: seconds between two looks at a resource that is changing state
POLL_SECONDS = 0.25
#: lookups that one answer needs from several services run side by side
_side_by_side = ThreadPoolExecutor(max_workers=8, thread_name_prefix="openstack")


class OpenStackBase(BaseDriver):
    """The base every mixin of the openstack driver extends."""

    _connection: Any = None

    def connection(self) -> Any:
        """The authenticated ``openstack.connection.Connection`` of the
        request's credentials and provider (cached across requests)."""
        if self._connection is None:
            timeout = self.seconds("OPENSTACK_TIMEOUT")
            self._connection = connection(self.credentials, self.provider, timeout)
        return self._connection

    def valid_credentials(self) -> bool:
        """Whether Keystone accepts the credentials."""
        creds = self._credentials
        if creds is None or not creds.user or not creds.password:
            return False
        try:
            self.connection()
        except AuthenticationFailure:
            return False
        return True

    @property
    def project_id(self) -> str:
        """The id of the project the token is scoped to (no round trip)."""
        return str(self.connection().current_project_id)

    def wait_for(self, resource: Any, status: str, proxy: Any) -> Any:
        """``resource`` once it has ``status`` (an error status is a 502,
        running out of time a 504)."""
        with openstack_errors():
            return proxy.wait_for_status(
                resource,
                status=status,
                failures=["ERROR", "error"],
                interval=POLL_SECONDS,
                wait=WAIT_SECONDS,
            )

    def wait_gone(self, resource: Any, proxy: Any) -> None:
        """Wait until ``resource`` is deleted."""
        with openstack_errors():
            proxy.wait_for_delete(resource, interval=POLL_SECONDS, wait=WAIT_SECONDS)


def side_by_side(*calls: Callable[[], T]) -> list[T]:
    """The results of ``calls``, made concurrently (each under
    ``openstack_errors``): one answer's lookups cost one round trip."""

    def guarded(call: Callable[[], T]) -> T:
        with openstack_errors():
            return call()

    futures = [_side_by_side.submit(guarded, call) for call in calls]
    return [future.result() for future in futures]
