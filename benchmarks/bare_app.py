"""Bare Flask baseline for ``bench_api.py``.

Serves canned responses (bytes + content type) captured from deltaflask at the
same paths, so the benchmark can compare deltaflask against Flask + gunicorn
overhead alone. The routes come from a JSON manifest named by the
``BENCH_BARE_SPEC`` environment variable::

    {"routes": [{"path": "/api", "status": 200,
                 "content_type": "application/xml", "body_file": "/tmp/x.xml"}]}

Run it as ``gunicorn --chdir benchmarks bare_app:app`` (bench_api.py does).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from flask import Flask
from flask import Response

SPEC_ENV = "BENCH_BARE_SPEC"


def _make_view(body: bytes, status: int, content_type: str) -> Any:
    """Return a view function that always answers with the canned response."""

    def view() -> Response:
        return Response(body, status=status, content_type=content_type)

    return view


def create_app(spec_path: str | os.PathLike[str]) -> Flask:
    """Build the baseline app from the manifest at ``spec_path``."""
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    app = Flask(__name__)
    for index, route in enumerate(spec["routes"]):
        body = Path(route["body_file"]).read_bytes()
        app.add_url_rule(
            route["path"],
            endpoint=f"canned_{index}",
            view_func=_make_view(
                body, int(route.get("status", 200)), route["content_type"]
            ),
            methods=["GET"],
        )
    return app


def _app_from_env() -> Flask:
    spec_path = os.environ.get(SPEC_ENV)
    if not spec_path:
        raise RuntimeError(f"{SPEC_ENV} must name the JSON route manifest")
    return create_app(spec_path)


app = _app_from_env()
