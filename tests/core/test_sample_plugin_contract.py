"""A third-party driver proves itself with ``deltaflask.testing``.

The sample plugin (``tests/sample_plugin``) is installed with pip into a
folder of its own, as a user would install a driver package, and its own test
suite, which only subclasses :class:`deltaflask.testing.DriverContract` and
names its driver in one fixture, runs there in a separate pytest.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from deltaflask.testing import DriverContract
from tests.support.paths import SAMPLE_PLUGIN

#: builds from the checkout (setuptools' build/ folder): one worker at a time
pytestmark = pytest.mark.xdist_group("wheel")

SAMPLE = SAMPLE_PLUGIN


def test_sample_plugin_passes_the_contract_suite(tmp_path: Path) -> None:
    package = tmp_path / "deltaflask-sample"
    shutil.copytree(
        SAMPLE, package, ignore=shutil.ignore_patterns("build", "*.egg-info")
    )
    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(site),
            str(package),
        ],
        check=True,
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=package,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    scenarios = [name for name in dir(DriverContract) if name.startswith("test_")]
    assert f"{len(scenarios)} passed in" in done.stdout, done.stdout
