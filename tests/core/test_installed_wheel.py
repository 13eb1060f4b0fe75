"""The production command from an installed wheel: ``gunicorn -c python:deltaflask.gunicorn_conf deltaflask.wsgi:app``.

The wheel is built from this checkout and installed with its ``server`` extra
into a fresh virtual environment (pip's configured indexes), without the
``ec2`` extra: boto3 is really missing there. gunicorn runs from a folder
outside the checkout, so only the installed package can be imported.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import defusedxml.ElementTree as SafeET
import pytest

from tests.support.live_servers import Running
from tests.support.live_servers import exchange
from tests.support.live_servers import free_port
from tests.support.live_servers import running
from tests.support.paths import REPO

#: builds from the checkout (setuptools' build/ folder): one worker at a time
pytestmark = pytest.mark.xdist_group("wheel")

ROOT = REPO
EC2_REASON = (
    "its SDK is not installed: no module boto3, botocore "
    "(pip install 'deltaflask[ec2]')"
)
MOCK_AUTH = {"Authorization": "Basic bW9ja3VzZXI6bW9ja3Bhc3N3b3Jk"}


class Install:
    """A virtual environment holding the wheel, and a folder to run from."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.bin = folder / "venv" / "bin"
        self.outside = folder / "outside"

    def env(self, data: Path) -> dict[str, str]:
        """A bare environment: this venv's PATH and a private data folder."""
        return {"PATH": f"{self.bin}:/usr/bin:/bin", "DELTAFLASK_DATA": str(data)}

    def run(self, data: Path, *command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.bin / command[0]), *command[1:]],
            capture_output=True,
            text=True,
            cwd=self.outside,
            env=self.env(data),
            timeout=120,
        )

    def gunicorn(
        self, data: Path, workers: int, log: Path, configured: bool = True
    ) -> Iterator[Running]:
        """gunicorn serving the wheel; ``configured``: with the shipped
        production configuration (threads), else sync workers."""
        port = free_port()
        config = ["-c", "python:deltaflask.gunicorn_conf"] if configured else []
        command = [
            str(self.bin / "gunicorn"),
            *config,
            f"-w{workers}",
            f"-b127.0.0.1:{port}",
            f"--access-logfile={log}",
            "--access-logformat=%(p)s %(s)s %(r)s",
            "deltaflask.wsgi:app",
        ]
        return running(
            command, port, self.env(data), log.with_suffix(".out"), self.outside
        )


@pytest.fixture(scope="module")
def install(tmp_path_factory: pytest.TempPathFactory) -> Install:
    folder = tmp_path_factory.mktemp("installed")
    pip = ["-m", "pip", "--disable-pip-version-check", "-q"]
    build = ["wheel", "--no-deps", "--no-build-isolation", "-w", str(folder)]
    subprocess.run([sys.executable, *pip, *build, str(ROOT)], check=True)
    wheel = next(folder.glob("deltaflask-*.whl"))
    subprocess.run([sys.executable, "-m", "venv", str(folder / "venv")], check=True)
    installed = Install(folder)
    subprocess.run(
        [str(installed.bin / "python"), *pip, "install", f"{wheel}[server]"],
        check=True,
    )
    installed.outside.mkdir()
    return installed


@pytest.fixture(scope="module")
def served(install: Install, tmp_path_factory) -> Iterator[Running]:
    folder = tmp_path_factory.mktemp("served")
    with install.gunicorn(folder / "data", 2, folder / "access.log") as server:
        yield server


def test_the_installed_package_is_what_runs(install, tmp_path):
    where = install.run(
        tmp_path, "python", "-c", "import deltaflask.wsgi; print(deltaflask.__file__)"
    )
    assert where.returncode == 0, where.stderr
    assert where.stdout.startswith(str(install.folder / "venv" / "lib"))
    assert install.run(tmp_path, "python", "-c", "import boto3").returncode == 1


def test_gunicorn_serves_the_wheel_with_one_server_header(served):
    answer = exchange(served.port, "/api")
    assert answer.status == 200
    assert b"<api driver='mock'" in answer.body
    assert answer.all("Server") == ["Apache-Deltacloud/1.1.3"]


def test_driver_without_its_sdk_is_listed_with_the_reason(install, served, tmp_path):
    listing = install.run(tmp_path, "deltaflask", "--drivers")
    assert listing.returncode == 0
    assert f"unavailable: {EC2_REASON}" in listing.stdout
    assert re.search(r"^mock +Mock +available$", listing.stdout, re.M)
    xml = SafeET.fromstring(exchange(served.port, "/api/drivers").body)
    ec2 = xml.find("driver[@id='ec2']")
    assert ec2.get("available") == "false" and ec2.findtext("reason") == EC2_REASON
    as_json = json.loads(exchange(served.port, "/api/drivers?format=json").body)
    assert as_json["ec2"] == {"name": "Amazon EC2", "available": False} | {
        "reason": EC2_REASON
    }
    page = exchange(served.port, "/api/drivers", headers={"Accept": "text/html"})
    assert EC2_REASON in page.body.decode().replace("&#39;", "'")


def test_driver_without_its_sdk_is_refused(install, served, tmp_path):
    started = install.run(tmp_path, "deltaflask", "-i", "ec2", "-p", "1")
    assert started.returncode == 1
    assert f"ERROR: driver 'ec2' is unavailable: {EC2_REASON}" in started.stderr
    answer = exchange(
        served.port,
        "/api/instances",
        headers={**MOCK_AUTH, "X-Deltacloud-Driver": "ec2"},
    )
    assert answer.status == 404
    assert EC2_REASON in SafeET.fromstring(answer.body).findtext("message")


def held_post(port: int, body: bytes, headers: dict[str, str]) -> socket.socket:
    """A POST whose last body byte is not sent yet: a sync worker that accepts
    it waits for that byte, so the next connection goes to another worker."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    request = (
        f"POST /api/drivers/mock/use HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{head}"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    sock.sendall(request.encode() + body[:-1])
    return sock


def finish(sock: socket.socket, body: bytes) -> str:
    sock.sendall(body[-1:])
    answer = b""
    while chunk := sock.recv(65536):
        answer += chunk
    sock.close()
    return answer.split(b"\r\n", 1)[0].decode()


def test_workers_share_the_generated_secret_key(install, tmp_path):
    """No DELTAFLASK_SECRET_KEY: four workers starting at once generate one
    key, so a form (cookie and CSRF token from one worker) posts to them all."""
    data = tmp_path / "data"
    log = tmp_path / "access.log"
    # sync workers: one held request occupies a worker, so posts spread over all
    with install.gunicorn(data, 4, log, configured=False) as server:
        page = exchange(server.port, "/api/drivers", headers={"Accept": "text/html"})
        cookie = page.all("Set-Cookie")[0].split(";", 1)[0]
        token = re.search(r'name="_csrf_token" value="([^"]+)"', page.body.decode())
        assert token is not None
        body = f"_csrf_token={token.group(1)}&provider=".encode()
        headers = {
            "Cookie": cookie,
            "Origin": f"http://127.0.0.1:{server.port}",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        statuses = []
        for _round in range(3):
            held = [held_post(server.port, body, headers) for _ in range(4)]
            time.sleep(1.0)  # each idle worker accepts one held connection
            statuses += [finish(sock, body) for sock in held]
        served = log.read_text().splitlines()
    assert [status.split()[1] for status in statuses] == ["303"] * 12, statuses
    posts = [line.split()[0] for line in served if "POST /api/drivers/mock/use" in line]
    assert len(posts) == 12 and len(set(posts)) == 4, served
    assert data.stat().st_mode & 0o777 == 0o700
    assert (data / "secret_key").stat().st_mode & 0o777 == 0o600
    assert {p.name for p in data.iterdir()} <= {"mock", "secret_key"}
