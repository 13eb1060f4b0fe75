"""A live deltaflask server and Debian's headless Chromium, for UI tests and docs.

The server is werkzeug's own, in a thread, on a free loopback port, serving the
mock cloud from a given folder. The browser is ``/usr/bin/chromium`` (or the
Chromium the ``CHROMIUM`` environment variable names) driven by Playwright
(never a downloaded browser build).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from werkzeug.serving import make_server

from deltaflask import create_app

CHROMIUM = Path(os.environ.get("CHROMIUM") or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CREDENTIALS = {"username": "mockuser", "password": "mockpassword"}


@dataclass(frozen=True)
class LiveServer:
    """A running server: its base URL (``http://127.0.0.1:<port>``)."""

    url: str


def answered_whole(app: Any) -> Any:
    """``app`` with each answer read and closed before it is sent: werkzeug's
    server skips ``close()`` when the browser resets a connection mid-answer
    (as Chromium does with favicons), which left static files open."""

    def wrapped(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        answer = app(environ, start_response)
        try:
            return [b"".join(answer)]
        finally:
            if hasattr(answer, "close"):
                answer.close()

    return wrapped


@contextmanager
def serve(app: Any) -> Iterator[LiveServer]:
    """Serve the WSGI ``app`` on a free loopback port until the block ends."""
    server = make_server("127.0.0.1", 0, answered_whole(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@contextmanager
def deltaflask_server(mock_storage: Path) -> Iterator[LiveServer]:
    """deltaflask on the mock driver with its cloud in ``mock_storage``."""
    app = create_app({"MOCK_STORAGE": str(mock_storage)})
    with serve(app) as server:
        yield server


def missing_browser() -> str | None:
    """Why the browser cannot run here, or ``None`` when it can."""
    if not CHROMIUM.exists():
        return (
            f"{CHROMIUM} is missing: install Debian's chromium package "
            "(make test does so) or set CHROMIUM to another Chromium"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed: pip install -e '.[test]'"
    return None


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium (a Playwright ``Browser``)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()
