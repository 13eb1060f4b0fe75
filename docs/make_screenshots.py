"""Save screenshots of the main pages of the HTML interface into docs/screenshots.

Run from the repository root: ``.venv/bin/python docs/make_screenshots.py``.
It serves the mock cloud from a temporary folder and drives Debian's headless
Chromium (``/usr/bin/chromium``) with Playwright, like ``tests/browser``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.live import CREDENTIALS  # noqa: E402
from tests.browser.live import chromium  # noqa: E402
from tests.browser.live import deltaflask_server  # noqa: E402
from tests.browser.live import missing_browser  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
#: file name -> page path under the server
PAGES = {
    "entry-point": "/api",
    "instances": "/api/instances",
    "instance": "/api/instances/inst0",
    "launch-form": "/api/instances/new?image_id=img1&hwp_id=m1-large",
    "hardware-profile": "/api/hardware_profiles/m1-xlarge",
    "blob": "/api/buckets/bucket1/blob1",
    "error-page": "/api/instances/nosuch",
    "drivers": "/api/drivers",
    "load-balancer": "/api/load_balancers/lb1",
}


def main() -> int:
    """Write one PNG per page of :data:`PAGES`, plus a form with an error."""
    reason = missing_browser()
    if reason:
        print(reason, file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory() as tmp,
        deltaflask_server(Path(tmp) / "mock") as server,
        chromium() as browser,
    ):
        context = browser.new_context(
            http_credentials=CREDENTIALS, viewport={"width": 1200, "height": 800}
        )
        page = context.new_page()
        for name, path in PAGES.items():
            page.goto(server.url + path)
            page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
        page.goto(server.url + PAGES["launch-form"])
        page.get_by_label("Memory (MB)").fill("99999")
        page.get_by_role("button", name="Launch instance").click()
        page.locator("#field-hwp_memory-error").wait_for()
        page.screenshot(path=str(OUT / "form-error.png"), full_page=True)
        context.close()
    for png in sorted(OUT.glob("*.png")):
        print(png.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
