"""Shared test helpers taken from test_readme_examples.py."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack
from contextlib import contextmanager
from pathlib import Path

from tests.support.moto_server import free_port
from tests.support.moto_server import moto_server
from tests.support.paths import REPO

README = REPO / "README.md"


BIN = Path(sys.executable).parent


README_ADDRESS = "http://localhost:3001"


def wait_until_serving(url: str, process: subprocess.Popen[bytes]) -> None:
    """Poll ``url`` until the server answers (any status) or give up."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"deltaflask exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"deltaflask did not answer at {url}")


@contextmanager
def live_server(args: str, home: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """``deltaflask ARGS`` on a free port, with the environment to reach it."""
    words = shlex.split(args)
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_STATE_HOME": str(home / "state"),
        "TMPDIR": str(home),
        "DELTACLOUD_MOCK_STORAGE": str(home / "mock"),
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    for name in [name for name in env if name.startswith(("API_", "AWS_"))]:
        del env[name]
    with ExitStack() as stack:
        if "moto" in words:
            words.remove("moto")
            moto = stack.enter_context(moto_server())
            env["AWS_ENDPOINT_URL"] = moto.endpoint
        port = free_port()
        process = subprocess.Popen(
            [str(BIN / "deltaflask"), *words, "-r", "127.0.0.1", "-p", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        stack.callback(process.wait, timeout=10)
        stack.callback(process.terminate)
        address = f"http://127.0.0.1:{port}"
        wait_until_serving(f"{address}/", process)
        yield address, env
