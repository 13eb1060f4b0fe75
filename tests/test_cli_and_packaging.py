"""The ``deltaflask`` command, ``deltaflask.wsgi`` and what a non-editable install ships."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_help_lists_the_original_options():
    result = subprocess.run(
        [sys.executable, "-m", "deltaflask", "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0
    for option in (
        "--driver",
        "--provider",
        "--frontends",
        "--port",
        "--host",
        "--env",
    ):
        assert option in result.stdout


def test_unknown_frontend_exits_1(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "deltaflask", "-f", "nosuch", "-l"],
        capture_output=True,
        text=True,
        env={"DELTACLOUD_MOCK_STORAGE": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 1
    assert "Unknown frontend (nosuch)" in result.stderr


def test_list_drivers():
    result = subprocess.run(
        [sys.executable, "-m", "deltaflask", "--drivers"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0
    assert "mock" in result.stdout and "available" in result.stdout


def test_server_starts_and_answers(tmp_path):
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "deltaflask",
            "-i",
            "mock",
            "-r",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        env={"DELTACLOUD_MOCK_STORAGE": str(tmp_path), "PATH": "/usr/bin:/bin"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api") as response:
                    body = response.read()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("server did not start")
                time.sleep(0.2)
        assert b"<api driver='mock'" in body
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0]
    assert f"Starting Deltacloud API :: mock :: http://127.0.0.1:{port}/api" in output


def test_wsgi_module_exposes_the_app(monkeypatch, tmp_path):
    monkeypatch.setenv("DELTACLOUD_MOCK_STORAGE", str(tmp_path))
    monkeypatch.syspath_prepend(str(ROOT))
    import deltaflask.wsgi
    import wsgi

    assert wsgi.app is deltaflask.wsgi.app
    assert wsgi.app.test_client().get("/api").status_code == 200


def test_wheel_ships_templates_mock_data_and_plugins(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
    )
    wheel = next(tmp_path.glob("deltaflask-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "deltaflask/app.py",
        "deltaflask/wsgi.py",
        "deltaflask/templates/api/instances/_instance.xml",
        "deltaflask/templates/static/deltaflask.css",
        "deltaflask/mock/instances/inst0.json",
        "deltaflask/mock/blobs/bucket1/blob1.data",
        "deltaflask/plugins/mock/driver.py",
        "deltaflask/plugins/deltacloud/views/instances.py",
    ):
        assert expected in names, expected
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "mock = deltaflask.plugins.mock" in text
