"""The client starts without loading the server: ``deltaflask-cli`` start-up
time counts in every command and in the blob benchmarks."""

from __future__ import annotations

import subprocess
import sys


def test_the_client_does_not_import_flask_or_the_server() -> None:
    probe = (
        "import sys, deltaflask.client.cli; "
        "print(sorted(m for m in ('flask', 'werkzeug', 'deltaflask.app') "
        "if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
