"""The XML-RPC client of one request: which endpoint, and pyone with a time-out.

The provider is oned's XML-RPC endpoint (``http://host:2633/RPC2``); a bare
``host`` or ``host:port`` means that endpoint on ``host``. Without a provider
the driver uses ``ONE_XMLRPC`` (the variable OpenNebula's own tools read),
else ``http://localhost:2633/RPC2``. The original driver spoke to
OpenNebula's OCCI server, which OpenNebula 5.0 removed: an OCCI URL (as ``-P``
or in ``OCCI_URL``) cannot be mapped to oned's endpoint (another service,
often on another host), so it is refused with a message saying what to pass.
"""

from __future__ import annotations

import os
import xmlrpc.client
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from deltaflask.errors import ValidationFailure

DEFAULT_ENDPOINT = "http://localhost:2633/RPC2"
ONED_PORT = 2633
OCCI_PORT = 4567
INSTEAD = (
    "pass oned's XML-RPC endpoint instead: -P http://<oned host>:2633/RPC2 "
    "(or X-Deltacloud-Provider, or ONE_XMLRPC)"
)


def endpoint(provider: str | None, environ: Any = os.environ) -> str:
    """The XML-RPC endpoint the request's provider (or the environment) names."""
    if provider:
        return _normalised(provider.strip(), "The provider")
    if environ.get("ONE_XMLRPC"):
        return _normalised(environ["ONE_XMLRPC"].strip(), "ONE_XMLRPC")
    if environ.get("OCCI_URL"):
        raise ValidationFailure(
            f"OCCI_URL names OpenNebula's OCCI server ({environ['OCCI_URL']}), which "
            f"OpenNebula 5.0 removed; this driver speaks XML-RPC: {INSTEAD}"
        )
    return DEFAULT_ENDPOINT


def _normalised(value: str, what: str) -> str:
    if "://" not in value:
        value = f"http://{value}"
    parts = urlsplit(value)
    try:
        port = parts.port
    except ValueError:
        raise ValidationFailure(f"{what} '{value}' has an invalid port") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationFailure(f"{what} '{value}' is no http(s) URL: {INSTEAD}")
    if port == OCCI_PORT or "occi" in parts.path.lower().split("/"):
        raise ValidationFailure(
            f"{what} '{value}' is an OCCI URL: OpenNebula 5.0 removed the OCCI "
            f"server and this driver speaks XML-RPC; {INSTEAD}"
        )
    if parts.path in ("", "/"):
        netloc = parts.netloc if port else f"{parts.netloc}:{ONED_PORT}"
        return f"{parts.scheme}://{netloc}/RPC2"
    return value


def one_server(url: str, session: str, seconds: float) -> Any:
    """pyone's XML-RPC client for ``url`` whose calls give up after ``seconds``.

    pyone's own ``timeout`` sets the process-wide socket default, so the
    client gets a transport that passes the time-out to each request instead.
    """
    from pyone.server_xrpc import OneServerXRPC

    transport = _timed_transport()(seconds)
    transport.set_https(url.startswith("https"))
    transport.set_https_verify(True)
    server = OneServerXRPC(url, session)
    xmlrpc.client.ServerProxy.__init__(server, url, transport=transport)
    return server


@cache
def _timed_transport() -> type:
    """pyone's requests transport with a per-request time-out (made once)."""
    import requests
    from pyone.server_xrpc import RequestsTransport

    class TimedTransport(RequestsTransport):  # type: ignore[misc]
        def __init__(self, seconds: float) -> None:
            super().__init__()
            self.seconds = seconds

        def request(
            self, host: str, handler: str, request_body: bytes, verbose: bool = False
        ) -> Any:
            url = self._build_url(host, handler)
            response = requests.post(
                url,
                data=request_body,
                headers=self.headers,
                verify=self.https_verify,
                timeout=self.seconds,
            )
            if response.status_code != 200:
                raise xmlrpc.client.ProtocolError(
                    url, response.status_code, response.reason, dict(response.headers)
                )
            return self.parse_response(response)

    return TimedTransport
