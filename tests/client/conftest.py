"""Live servers for the client's tests: deltaflask on the mock, on the ec2
driver against a moto server, and on the mock under gunicorn (for the large
uploads), each started as a user would on a free loopback port."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.client.support import EC2_USER
from tests.client.support import MOCK_USER
from tests.client.support import Api
from tests.support.moto_server import free_port
from tests.support.readme import live_server
from tests.support.readme import wait_until_serving

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def mock_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """``deltaflask -i mock`` on a fresh mock store."""
    home = tmp_path_factory.mktemp("mock-home")
    with live_server("-i mock", home) as (address, env):
        yield Api(f"{address}/api", *MOCK_USER, env, home)


@pytest.fixture(scope="module")
def ec2_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """``deltaflask -i ec2 -P us-east-1`` against a moto server."""
    home = tmp_path_factory.mktemp("ec2-home")
    with live_server("-i ec2 -P us-east-1 moto", home) as (address, env):
        yield Api(f"{address}/api", *EC2_USER, env, home)


@pytest.fixture(scope="module")
def gunicorn_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """``gunicorn deltaflask.wsgi:app`` (4 sync workers) on the mock."""
    home = tmp_path_factory.mktemp("gunicorn-home")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("API_", "AWS_"))},
        "HOME": str(home),
        "TMPDIR": str(home),
        "XDG_STATE_HOME": str(home / "state"),
        "DELTACLOUD_MOCK_STORAGE": str(home / "mock"),
        "API_DRIVER": "mock",
    }
    port = free_port()
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--workers",
            "4",
            "--timeout",
            "300",
            "--bind",
            f"127.0.0.1:{port}",
            "deltaflask.wsgi:app",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        address = f"http://127.0.0.1:{port}"
        wait_until_serving(f"{address}/api", process)
        yield Api(f"{address}/api", *MOCK_USER, env, home)
    finally:
        process.terminate()
        process.wait(timeout=30)
