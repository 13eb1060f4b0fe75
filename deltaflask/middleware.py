"""WSGI middleware: matrix parameters (``/api;driver=ec2;provider=x/realms``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qs

MATRIX_KEY = "deltaflask.matrix"
_PAIR = re.compile(r"(\w+)=(.*)", re.DOTALL)

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def split_matrix(path: str) -> tuple[str, dict[str, dict[str, str]]]:
    """Remove ``;k=v`` parts from each path segment.

    :return: the clean path and ``{segment: {key: value}}``; broken pairs are
        ignored.
    """
    if ";" not in path:
        return path, {}
    params: dict[str, dict[str, str]] = {}
    segments = []
    for segment in path.split("/"):
        name, *pairs = segment.split(";")
        for pair in pairs:
            match = _PAIR.fullmatch(pair)
            if match and name:
                params.setdefault(name, {})[match.group(1)] = match.group(2)
        segments.append(name)
    return "/".join(segments), params


class MethodOverride:
    """Let an HTML form POST act as DELETE or PUT via ``?_method=`` in its URL."""

    ALLOWED = frozenset({"DELETE", "PUT"})

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "POST":
            query = parse_qs(environ.get("QUERY_STRING", ""))
            override = (query.get("_method") or [""])[0].upper()
            if override in self.ALLOWED:
                environ["REQUEST_METHOD"] = override
        return self.app(environ, start_response)


class MatrixParams:
    """Strip matrix parameters from ``PATH_INFO`` into ``environ[MATRIX_KEY]``."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        path, params = split_matrix(environ.get("PATH_INFO", ""))
        environ["PATH_INFO"] = path
        environ[MATRIX_KEY] = params
        return self.app(environ, start_response)
