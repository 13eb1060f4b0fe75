"""What every part of the opennebula driver shares: the XML-RPC client of the
request, calls through pyone with errors translated, and id helpers."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import UTC
from datetime import datetime
from typing import Any

from deltaflask.drivers import BaseDriver
from deltaflask.drivers.base import as_list
from deltaflask.errors import AuthenticationFailure
from deltaflask.errors import Conflict
from deltaflask.errors import DeltaflaskError
from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ValidationFailure
from deltaflask.plugins.opennebula.client import endpoint
from deltaflask.plugins.opennebula.client import one_server
from deltaflask.plugins.opennebula.errors import one_errors

#: pool filter: every object the user may see
ALL_VISIBLE = -2
#: the VM pool's state filter: every state but DONE
NOT_DONE = -1


class OneBase(BaseDriver):
    """The base every mixin of the opennebula driver extends."""

    _server: Any = None

    @functools.cached_property
    def endpoint(self) -> str:
        """oned's XML-RPC endpoint for this request (400 for an OCCI URL)."""
        return endpoint(self.provider)

    def call(
        self,
        method: str,
        *params: Any,
        action_error: type[DeltaflaskError] = Conflict,
    ) -> Any:
        """``one.<method>(session, *params)`` through pyone, errors translated."""
        url = self.endpoint
        with one_errors(url, action_error):
            if self._server is None:
                user = self.credentials
                session = f"{user.user}:{user.password}"
                seconds = self.seconds("OPENNEBULA_TIMEOUT")
                self._server = one_server(url, session, seconds)
            return functools.reduce(getattr, method.split("."), self._server)(*params)

    def info(self, method: str, object_id: str) -> Any:
        """``one.<kind>.info(id)``, or ``None`` for an id oned does not know
        (OpenNebula ids are numbers, so any other text is unknown too)."""
        number = one_id(object_id)
        if number is None:
            return None
        try:
            return self.call(method, number)
        except ObjectNotFound:
            return None

    def valid_credentials(self) -> bool:
        """Whether oned accepts the session (``one.user.info`` of oneself)."""
        try:
            self.call("user.info", -1)
        except AuthenticationFailure:
            return False
        return True


def one_id(value: Any) -> int | None:
    """An OpenNebula object id (a non-negative number), or ``None``."""
    text = str(value).strip()
    return int(text) if text.isascii() and text.isdigit() else None


def template_text(value: str, what: str) -> str:
    """``value`` for a template pyone sends as XML: it puts values in CDATA
    sections, which ``]]>`` would close (letting text add attributes)."""
    if "]]>" in value:
        raise ValidationFailure(f"{what} may not contain ']]>'")
    return value


def wanted_ids(filters: Mapping[str, Any], name: str = "id") -> list[str]:
    """The ids a filter asks for (empty when it asks for none)."""
    value = filters.get(name)
    return as_list(value) if value not in (None, "") else []


def vectors(template: Mapping[str, Any] | None, name: str) -> list[Mapping[str, Any]]:
    """Every vector attribute ``name`` (``NIC``, ``DISK``) of a parsed template:
    pyone gives one as a dict and several as a list."""
    value = (template or {}).get(name)
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, Mapping)]


def timestamp(epoch: Any) -> str | None:
    """oned's epoch seconds as ISO 8601 (``None`` for 0 or nothing)."""
    seconds = int(epoch or 0)
    return datetime.fromtimestamp(seconds, UTC).isoformat() if seconds else None


def pool_items(pool: Any, tag: str) -> list[Any]:
    """The elements of a pool document (``VM`` of ``VM_POOL`` ...)."""
    return list(getattr(pool, tag, None) or [])
