"""The README's client examples, run as written against a live mock: the
Python block and the ``deltaflask-cli`` block of "Python client and command
line" (each marked ``<!-- client example runs on: -i mock -->``)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.client.support import Api
from tests.support.readme import README
from tests.support.readme import README_ADDRESS

MARKED = re.compile(
    r"<!-- client example runs on: -i mock -->\n```(python|sh)\n(.*?)```", re.S
)
BIN = Path(sys.executable).parent


def blocks() -> dict[str, str]:
    found = {
        kind: body for kind, body in MARKED.findall(README.read_text(encoding="utf-8"))
    }
    assert set(found) == {"python", "sh"}, "the README's client examples are missing"
    return found


def test_readme_python_example_runs(mock_api: Api, tmp_path: Path) -> None:
    code = blocks()["python"].replace(README_ADDRESS, mock_api.url.removesuffix("/api"))
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env=mock_api.env,
    )
    assert done.returncode == 0, done.stderr
    assert "404 Instance 'nope' not found" in done.stdout
    assert "offers no 'stop' in state STOPPED" in done.stdout


def test_readme_cli_example_runs(mock_api: Api, tmp_path: Path) -> None:
    script = blocks()["sh"].replace(README_ADDRESS, mock_api.url.removesuffix("/api"))
    env = {**mock_api.env, "XDG_STATE_HOME": str(tmp_path / "state")}
    for command in script.strip().splitlines():
        done = subprocess.run(
            ["bash", "-c", f"set -o pipefail; {command} | cat"],
            cwd=tmp_path,
            capture_output=True,
            timeout=300,
            env=env,
        )
        assert done.returncode == 0, (command, done.stderr)
        if command.startswith("export"):
            env.update(dict(pair.split("=", 1) for pair in command.split()[1:]))
    assert (tmp_path / "copy.bin").read_bytes() == (tmp_path / "big.bin").read_bytes()
