"""The headers every ``/api`` answer carries, errors included."""

from __future__ import annotations

from flask import Response

from deltaflask.context import current_driver_name
from deltaflask.context import current_provider
from deltaflask.web import put_headers

API_VERSION = "1.1.3"
SERVER = f"Apache-Deltacloud/{API_VERSION}"


def add_common_headers(response: Response) -> None:
    """``Server``, ``X-Deltacloud-Driver`` and ``X-Deltacloud-Provider``."""
    values = {"Server": SERVER, "X-Deltacloud-Driver": current_driver_name()}
    provider = current_provider()
    if provider:
        values["X-Deltacloud-Provider"] = provider
    put_headers(response.headers, values)
