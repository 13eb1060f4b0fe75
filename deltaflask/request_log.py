"""One structured line per request, a request id, and the request metrics.

Every answer carries ``X-Request-Id``: the client's own when it sent a sane
one (up to 128 letters, digits and ``._:-``), else a new one. The access log
(logger ``deltaflask.access``, on standard error) then writes one line with
that id, the method, the path (never the query string, which may hold an EC2
signature), the route, the frontend, the driver, the provider (without any
user:password part), the status and the time taken; ``ACCESS_LOG``
(``DELTAFLASK_ACCESS_LOG``) chooses ``text`` (``key=value`` pairs, the
default), ``json`` (one JSON object) or ``off``. Credentials, cookies and
``Authorization`` are never part of a line.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Callable
from logging import INFO
from typing import Any
from typing import TextIO
from urllib.parse import urlsplit

from flask import Flask
from flask import Response
from flask import g
from flask import request

from deltaflask.metrics import Metrics

REQUEST_ID_HEADER = "X-Request-Id"
#: the WSGI environ key of that header
REQUEST_ID_ENVIRON = "HTTP_X_REQUEST_ID"
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
#: text values that need quoting: empty, spaces, quotes, controls, ``=``
_NEEDS_QUOTES = re.compile(r'^$|[\s"=\\\x00-\x1f\x7f]')
#: what a field holds at most (a hostile header stays one short line)
MAX_FIELD = 200
log = logging.getLogger("deltaflask.access")


class StandardError(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time (test runners swap it)."""

    def __init__(self) -> None:
        super().__init__()

    @property  # type: ignore[override]
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


#: the format of the handler :func:`_configure_logger` installs: the line alone
_MESSAGE_ONLY = logging.Formatter("%(message)s")
#: that handler, once installed
_own_handler: list[StandardError] = []


def _configure_logger() -> None:
    """Give the access log level INFO and a handler on standard error, once
    per process, unless the operator configured a level or handlers."""
    if log.level == logging.NOTSET:
        log.setLevel(INFO)
    if not log.handlers:
        handler = StandardError()
        handler.setFormatter(_MESSAGE_ONLY)
        log.addHandler(handler)
        log.propagate = False
        _own_handler[:] = [handler]


def _only_own_handler() -> StandardError | None:
    """The handler :func:`_configure_logger` installed, when it alone would
    write a line of the access log as it is (no other handler, no filter, no
    other format), else ``None``."""
    if not _own_handler:
        return None
    handler = _own_handler[0]
    if (
        log.handlers == [handler]
        and not log.propagate
        and not log.disabled
        and not log.filters
        and not handler.filters
        and handler.formatter is _MESSAGE_ONLY
        and handler.level <= INFO
    ):
        return handler
    return None


def write_line(line: str) -> None:
    """Log ``line`` at INFO on the access log.

    When the handler of :func:`_configure_logger` alone listens, the line is
    written to standard error as that handler would (under its lock, then
    flushed) without building a log record; otherwise it goes through
    ``logging`` (as ``log.info`` does, without its search of the stack).
    """
    handler = _only_own_handler()
    if handler is None:
        log.handle(log.makeRecord(log.name, INFO, __name__, 0, line, (), None))
        return
    with handler.lock:  # type: ignore[union-attr]
        try:
            stream = sys.stderr
            stream.write(line + "\n")
            stream.flush()
        except RecursionError:
            raise
        except Exception:
            handler.handleError(
                log.makeRecord(log.name, INFO, __name__, 0, line, (), None)
            )


#: this process's request ids: a random UUID whose last part counts requests
_ID_PREFIX = str(uuid.uuid4())[:24]
_ID_COUNTER = itertools.count(1)


def incoming_request_id(value: str | None) -> str:
    """The client's request id when it is sane, else a fresh one (shaped as
    a UUID: random per process, then a counter, so never repeated)."""
    if value and _SANE_ID.fullmatch(value):
        return value
    return f"{_ID_PREFIX}{next(_ID_COUNTER) & 0xFFFFFFFFFFFF:012x}"


class _Clock:
    """ISO 8601 UTC timestamps with milliseconds (the seconds part of the
    text is made once per second)."""

    def __init__(self) -> None:
        self._second = -1
        self._text = ""

    def now(self) -> str:
        moment = time.time()
        second = int(moment)
        if second != self._second:
            self._text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
            self._second = second
        return f"{self._text}.{int((moment - second) * 1000):03d}Z"


_clock = _Clock()


def current_request_id() -> str:
    """The id of the request being answered (as ``X-Request-Id`` says)."""
    if "request_id" not in g:
        g.request_id = incoming_request_id(None)
    return str(g.request_id)


def public_provider(provider: str | None) -> str | None:
    """``provider`` without a ``user:password@`` part (a URL may carry one)."""
    if not provider:
        return None
    if "@" in provider:
        parts = urlsplit(provider)
        if parts.username is not None or parts.password is not None:
            host = parts.netloc.rpartition("@")[2]
            provider = parts._replace(netloc=host).geturl()
    return provider[:MAX_FIELD]


def text_line(fields: dict[str, Any]) -> str:
    """``key=value`` pairs; a value with spaces, quotes or controls is quoted
    as a JSON string, so one request is always one line."""
    texts = ["-" if value is None else str(value) for value in fields.values()]
    if all(texts) and not _NEEDS_QUOTES.search("".join(texts)):  # nothing to quote
        return " ".join(
            [f"{key}={text}" for key, text in zip(fields, texts, strict=True)]
        )
    pairs = []
    for key, text in zip(fields, texts, strict=True):
        if _NEEDS_QUOTES.search(text) and text != "-":
            text = json.dumps(text)
        pairs.append(f"{key}={text}")
    return " ".join(pairs)


_COMPACT = json.JSONEncoder(separators=(",", ":"))


def json_line(fields: dict[str, Any]) -> str:
    """One JSON object."""
    return _COMPACT.encode(fields)


def install(
    app: Flask, metrics: Metrics | None, frontend_of: Callable[[str], str]
) -> None:
    """Give every request of ``app`` its id, its log line and its metrics;
    ``frontend_of(path)`` names the frontend a path belongs to."""
    style = app.config["ACCESS_LOG"]
    render = json_line if style == "json" else text_line
    logging_on = style != "off"
    if logging_on:
        _configure_logger()

    @app.before_request
    def start_request() -> None:
        request_g = g._get_current_object()
        request_g.started = time.perf_counter()
        request_g.request_id = incoming_request_id(
            request.environ.get(REQUEST_ID_ENVIRON)
        )

    @app.after_request
    def finish_request(response: Response) -> Response:
        request_g = g._get_current_object()
        request_id = request_g.get("request_id") or current_request_id()
        response.headers[REQUEST_ID_HEADER] = request_id
        if metrics is None and not logging_on:
            return response
        req = request._get_current_object()
        seconds = time.perf_counter() - request_g.get("started", time.perf_counter())
        rule = req.url_rule
        route = rule.rule if rule is not None else "unmatched"
        path = req.path
        frontend = frontend_of(path)
        status = response.status_code
        if metrics is not None:
            metrics.request(frontend, route, req.method, status, seconds)
        if logging_on and log.isEnabledFor(INFO):
            fields = {
                "time": _clock.now(),
                "request_id": request_id,
                "method": req.method,
                "path": path[:MAX_FIELD],
                "route": route,
                "frontend": frontend,
                "driver": request_g.get("driver_name"),
                "provider": public_provider(request_g.get("provider")),
                "status": status,
                "ms": round(seconds * 1000, 2),
            }
            write_line(render(fields))
        return response
