"""What every part of the openstack driver shares: the request's connection."""

from __future__ import annotations

from typing import Any

from deltaflask.drivers import BaseDriver
from deltaflask.errors import AuthenticationFailure
from deltaflask.plugins.openstack.identity import connection


class OpenStackBase(BaseDriver):
    """The base every mixin of the openstack driver extends."""

    _connection: Any = None

    def connection(self) -> Any:
        """The authenticated ``openstack.connection.Connection`` of the
        request's credentials and provider (cached across requests)."""
        if self._connection is None:
            self._connection = connection(self.credentials, self.provider)
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
