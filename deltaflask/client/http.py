"""The HTTP session of a client: base URL, credentials, driver and provider
headers, JSON (or XML) answers, and errors turned into typed exceptions."""

from __future__ import annotations

import json
from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from deltaflask.client.errors import TransferError
from deltaflask.client.errors import error_for

MEDIA_TYPES = {"json": "application/json", "xml": "application/xml"}
#: seconds to connect, seconds between two reads of an answer
TIMEOUT = (10.0, 300.0)
POOL_SIZE = 16

Params = Mapping[str, str | int | Iterable[str]]


class Session:
    """Requests to one deltaflask ``/api`` with the user's credentials."""

    def __init__(
        self,
        url: str,
        user: str | None,
        password: str | None,
        driver: str | None = None,
        provider: str | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self._http = requests.Session()
        self._http.trust_env = False  # no .netrc credentials, no proxy surprise
        adapter = HTTPAdapter(pool_connections=POOL_SIZE, pool_maxsize=POOL_SIZE)
        self._http.mount("http://", adapter)
        self._http.mount("https://", adapter)
        if user is not None:
            self._http.auth = (user, password or "")
        self._http.headers["Accept"] = MEDIA_TYPES["json"]
        if driver:
            self._http.headers["X-Deltacloud-Driver"] = driver
        if provider:
            self._http.headers["X-Deltacloud-Provider"] = provider

    def absolute(self, path_or_url: str) -> str:
        """A full URL: ``instances`` -> ``<url>/instances``; URLs stay."""
        if path_or_url.startswith(("http://", "https://")):
            return path_or_url
        return f"{self.url}/{path_or_url.lstrip('/')}" if path_or_url else self.url

    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        fmt: str = "json",
        expect_body: bool = False,
        **kwargs: Any,
    ) -> requests.Response:
        """Send one request; an error answer raises its typed exception."""
        headers = {"Accept": MEDIA_TYPES[fmt], **kwargs.pop("headers", {})}
        kwargs.setdefault("timeout", TIMEOUT)
        try:
            answer = self._http.request(
                method, self.absolute(path_or_url), headers=headers, **kwargs
            )
        except requests.RequestException as exc:
            raise TransferError(f"{method} {path_or_url}: {exc}") from exc
        if answer.status_code >= 400:
            raise error_from(answer)
        return answer

    def json(
        self,
        method: str,
        path_or_url: str,
        data: Params | bytes | None = None,
        **kwargs: Any,
    ) -> Any:
        """The decoded JSON answer (``None`` for an empty body)."""
        answer = self.request(method, path_or_url, data=data, **kwargs)
        if not answer.content.strip():
            return None
        try:
            return answer.json()
        except ValueError as exc:
            raise TransferError(
                f"{method} {path_or_url}: the answer is not JSON "
                f"({answer.headers.get('Content-Type')})"
            ) from exc

    def text(self, path_or_url: str, fmt: str) -> str:
        """A document in the format ``fmt`` (``xml`` or ``json``), as sent."""
        return self.request("GET", path_or_url, fmt=fmt).text

    def close(self) -> None:
        """Close the pooled connections."""
        self._http.close()


def error_from(answer: requests.Response) -> Exception:
    """The typed error of an error answer (JSON error document or plain text)."""
    message, kind = answer.reason or "error", ""
    try:
        document = answer.json()
    except (ValueError, json.JSONDecodeError):
        document = None
    if isinstance(document, dict) and "message" in document:
        message = str(document["message"])
        kind = str(document.get("error") or "")
    elif answer.text.strip() and "json" not in answer.headers.get("Content-Type", ""):
        message = answer.text.strip()[:300]
    return error_for(answer.status_code, message, kind)
