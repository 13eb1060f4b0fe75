"""Fixtures of the real-browser tests: a live server, an attacker site, Chromium.

A missing browser or Playwright fails these tests (never skips them).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.wrappers import Request
from werkzeug.wrappers import Response

from tests.browser.live import CREDENTIALS
from tests.browser.live import LiveServer
from tests.browser.live import chromium
from tests.browser.live import deltaflask_server
from tests.browser.live import missing_browser
from tests.browser.live import serve


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """deltaflask on a fresh mock cloud, served on a free loopback port."""
    with deltaflask_server(tmp_path / "mock") as server:
        yield server


@pytest.fixture
def attacker(live_server: LiveServer) -> Iterator[LiveServer]:
    """Another origin whose page posts a form to the live server."""

    @Request.application
    def evil_site(request: Request) -> Response:
        page = (
            "<!DOCTYPE html><title>free prizes</title>"
            f'<form method="post" action="{live_server.url}/api/keys">'
            '<input type="hidden" name="name" value="planted">'
            '<button id="win" type="submit">Win</button></form>'
        )
        return Response(page, mimetype="text/html")

    with serve(evil_site) as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's headless Chromium; fails when it is not installed."""
    reason = missing_browser()
    if reason:
        pytest.fail(reason)
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A tab of a fresh browser profile logged in with the mock credentials."""
    context = browser.new_context(http_credentials=CREDENTIALS, accept_downloads=True)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    try:
        yield tab
    finally:
        context.close()
