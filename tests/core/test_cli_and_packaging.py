"""The ``deltaflask`` command, ``deltaflask.wsgi``, the Makefile and what a
non-editable install ships."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from deltaflask import __version__
from deltaflask.settings import ENVIRONMENT
from tests.support.live_servers import exchange
from tests.support.live_servers import free_port
from tests.support.live_servers import running
from tests.support.paths import REPO

ROOT = REPO


def private_env(tmp_path: Path) -> dict[str, str]:
    """An environment with only a PATH and this test's own folders."""
    return {
        "PATH": "/usr/bin:/bin",
        "DELTAFLASK_DATA": str(tmp_path / "data"),
        "DELTACLOUD_MOCK_STORAGE": str(tmp_path / "mock"),
    }


def deltaflask(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the command to completion."""
    return subprocess.run(
        [sys.executable, "-m", "deltaflask", *args],
        capture_output=True,
        text=True,
        env=private_env(tmp_path),
        cwd=ROOT,
        timeout=120,
    )


def serve(tmp_path: Path, *args: str, port: int | None = None):
    """The command serving on a free loopback port (a context manager)."""
    port = port or free_port()
    command = [sys.executable, "-m", "deltaflask", "-r", "127.0.0.1", "-p", str(port)]
    return running(
        [*command, *args], port, private_env(tmp_path), tmp_path / "server.log", ROOT
    )


def test_help_lists_the_original_options_and_the_environment(tmp_path):
    result = deltaflask(tmp_path, "--help")
    assert result.returncode == 0
    for option in (
        "--driver",
        "--provider",
        "--frontends",
        "--port",
        "--host",
        "--env",
        "--debug",
        "--data",
        "--reset-mock",
        "--version",
    ):
        assert option in result.stdout
    for variable, _default in ENVIRONMENT.values():
        assert variable in result.stdout, variable
    for variable in ("API_HOST", "API_PORT", "RACK_ENV"):
        assert variable in result.stdout


def test_version(tmp_path):
    result = deltaflask(tmp_path, "--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"deltaflask {__version__} (Deltacloud API 1.1.3)"


def test_unknown_frontend_exits_1(tmp_path):
    result = deltaflask(tmp_path, "-f", "nosuch", "-l")
    assert result.returncode == 1
    assert "Unknown frontend (nosuch)" in result.stderr


def test_unknown_driver_lists_the_drivers_that_exist(tmp_path):
    result = deltaflask(tmp_path, "-i", "nosuch")
    assert result.returncode == 1
    assert "unknown driver 'nosuch' (installed drivers: ec2, mock, openstack)" in result.stderr


def test_list_drivers(tmp_path):
    result = deltaflask(tmp_path, "--drivers")
    assert result.returncode == 0
    assert "mock" in result.stdout and "available" in result.stdout


def test_debug_is_refused_off_loopback(tmp_path):
    for host in ("0.0.0.0", "192.0.2.1", "example.org", "::"):
        result = deltaflask(tmp_path, "--debug", "-r", host, "-p", "1")
        assert result.returncode == 1, host
        assert "--debug" in result.stderr and host in result.stderr


def test_server_starts_with_a_banner_and_answers(tmp_path):
    with serve(tmp_path, "-i", "mock", "-f", "deltacloud,cimi,ec2") as server:
        answer = exchange(server.port, "/api")
        assert answer.status == 200 and b"<api driver='mock'" in answer.body
        banner = server.output()
    base = f"http://127.0.0.1:{server.port}"
    assert f"Starting Deltacloud API :: mock :: {base}/api" in banner
    for line in (
        f"deltacloud frontend  {base}/api",
        f"cimi frontend        {base}/cimi/cloudEntryPoint",
        f"ec2 frontend         {base}/ec2",
        "driver               mock (Mock)",
        "provider             the driver default",
        f"data folder          {tmp_path / 'data'}",
        f"mock cloud           {tmp_path / 'mock'}",
        "credentials          mockuser / mockpassword (HTTP Basic)",
    ):
        assert line in banner, line
    assert "Debug mode: off" in banner


def test_no_debugger_unless_asked_for(tmp_path):
    """A request that made the old server raise shows no debugger, in any
    environment; only --debug (on loopback) turns it on."""
    for environment in ("development", "production"):
        with serve(tmp_path, "-e", environment) as server:
            answer = exchange(server.port, "/api?api%5Bdriver%5D=%0D%0A")
            body = answer.body.decode()
            assert "Werkzeug Debugger" not in body and "Traceback" not in body
            for path in ("/nosuch", "/console"):
                assert b"Werkzeug Debugger" not in exchange(server.port, path).body
            assert "Debug mode: off" in server.output()
    with serve(tmp_path, "--debug") as server:
        assert "Debug mode: on" in server.output()


def test_one_server_header_under_werkzeug(tmp_path):
    with serve(tmp_path) as server:
        answer = exchange(server.port, "/api")
    assert answer.all("Server") == ["Apache-Deltacloud/1.1.3"]


def test_reset_mock_puts_the_seed_data_back(tmp_path):
    instance = tmp_path / "mock" / "instances" / "inst0.json"
    assert deltaflask(tmp_path, "--reset-mock").returncode == 0
    instance.unlink()
    (tmp_path / "mock" / "instances" / "inst9.json").write_text("{}")
    result = deltaflask(tmp_path, "--reset-mock")
    assert result.returncode == 0, result.stderr
    assert "back to its seed data" in result.stdout
    assert instance.is_file()
    assert not (tmp_path / "mock" / "instances" / "inst9.json").exists()


def test_reset_mock_refuses_a_folder_that_is_not_a_mock_cloud(tmp_path):
    precious = tmp_path / "mock" / "thesis.txt"
    precious.parent.mkdir()
    precious.write_text("years of work")
    result = deltaflask(tmp_path, "--reset-mock")
    assert result.returncode == 1
    assert "is not a mock cloud folder: not resetting it" in result.stderr
    assert precious.read_text() == "years of work"


def test_data_folder_and_secret_key_are_private(tmp_path):
    assert deltaflask(tmp_path, "--drivers").returncode == 0
    data = tmp_path / "data"
    assert data.stat().st_mode & 0o777 == 0o700
    assert (data / "secret_key").stat().st_mode & 0o777 == 0o600
    first = (data / "secret_key").read_text()
    assert deltaflask(tmp_path, "--drivers").returncode == 0
    assert (data / "secret_key").read_text() == first


def test_unusable_data_folder_is_a_clear_error(tmp_path):
    (tmp_path / "a-file").write_text("")
    result = deltaflask(tmp_path, "--data", str(tmp_path / "a-file" / "data"))
    assert result.returncode == 1
    assert result.stderr.startswith("ERROR: the data folder cannot be used: ")
    assert "--data or DELTAFLASK_DATA" in result.stderr
    assert "Traceback" not in result.stderr


def make_dry_run(target: str, tmp_path: Path) -> str:
    result = subprocess.run(
        ["make", "-n", target, f"VENV={tmp_path / 'venv'}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "CHROMIUM": "/usr/bin/chromium"},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_make_run_installs_the_runtime_only(tmp_path):
    run = make_dry_run("run", tmp_path)
    assert "install --disable-pip-version-check -q -e .\n" in run
    assert "[test]" not in run
    assert "deltaflask -i mock" in run
    assert "-e '.[test]'" in make_dry_run("test", tmp_path)


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
