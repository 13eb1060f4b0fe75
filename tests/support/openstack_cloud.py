"""A real, minimal OpenStack on loopback for the openstack driver's tests.

``tests/support/openstack/start.sh`` starts Keystone, Glance, Placement, Nova
(fake virt driver), Cinder (fake volume driver) and Neutron (ML2 with a fake
binding driver, no agents) from the venv ``make openstack`` builds, on SQLite,
with RabbitMQ from Debian, in a private folder on free loopback ports. It
takes about a minute, so one set serves the whole test session; a set that
cannot start fails the tests (never skips them). ``stop.sh`` stops exactly
the processes ``start.sh`` started.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.paths import REPO
from tests.support.swift import start_swift

HARNESS = Path(__file__).resolve().parent / "openstack"
VENV = REPO / ".tools" / "openstack-venv"
RABBITMQ = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")
#: on a loaded 2-core machine the database set-up alone has taken 8 minutes
START_TIMEOUT = 1500
REGION = "RegionOne"


class OpenStackUnavailable(RuntimeError):
    """The local OpenStack could not start (the tests then fail)."""


@dataclass(frozen=True)
class OpenStackCloud:
    """A running set: where its identity service is and who may log in.

    ``admin`` and ``demo`` are users with the same password, each in the
    project of the same name (domain ``Default``).
    """

    folder: Path
    ports: dict[str, int]
    password: str

    @property
    def identity_url(self) -> str:
        """The Keystone v3 URL (the provider of the openstack driver)."""
        return f"http://127.0.0.1:{self.ports['KEYSTONE_PORT']}/v3"

    @property
    def provider(self) -> str:
        """The provider naming the region: ``URL;RegionOne``."""
        return f"{self.identity_url};{REGION}"

    def credentials(self, user: str = "demo") -> tuple[str, str]:
        """HTTP Basic user and password in the original's ``user+project`` form."""
        return (f"{user}+{user}", self.password)

    def sdk(self, user: str = "admin") -> Any:
        """An openstacksdk connection made directly (for set-up and checks)."""
        import openstack

        return openstack.connect(
            auth_url=self.identity_url,
            username=user,
            password=self.password,
            project_name=user,
            user_domain_name="Default",
            project_domain_name="Default",
            region_name=REGION,
        )


def _check_tools(venv: Path) -> None:
    if not (venv / "bin" / "nova-manage").exists():
        raise OpenStackUnavailable(
            f"no OpenStack services venv at {venv}: run `make openstack`"
        )
    if not RABBITMQ.exists():
        raise OpenStackUnavailable(
            f"RabbitMQ is not installed ({RABBITMQ}): run `make openstack`"
        )


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def start_cloud(folder: Path, venv: Path = VENV) -> OpenStackCloud:
    """Start a fresh set under ``folder`` (made owner-only); what a failed
    start left running is stopped."""
    _check_tools(venv)
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    password = secrets.token_urlsafe(16)
    env = {
        **os.environ,
        "OSL_VENV": str(venv),
        "OSL_PASSWORD": password,
        "OSL_PORT_MIN": os.environ.get("OSL_PORT_MIN", "27400"),
        "OSL_PORT_MAX": os.environ.get("OSL_PORT_MAX", "27999"),
    }
    log = folder / "start.log"
    try:
        with log.open("wb") as out:
            started = subprocess.run(
                [str(HARNESS / "start.sh"), str(folder)],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                timeout=START_TIMEOUT,
                check=False,
            )
    except BaseException:
        _stop(folder)
        raise
    if started.returncode != 0:
        _stop(folder)
        raise OpenStackUnavailable(
            f"the local OpenStack did not start (see {folder}/log):\n{_tail(log)}"
        )
    cloud = OpenStackCloud(folder, _ports(folder / "ports.env"), password)
    try:  # Swift in the same catalogue; its pid files let stop.sh stop it too
        start_swift(folder / "swift", cloud.identity_url, cloud.sdk(), folder / "run")
    except BaseException:
        _stop(folder)
        raise
    return cloud


@contextmanager
def openstack_cloud(folder: Path, venv: Path = VENV) -> Iterator[OpenStackCloud]:
    """A fresh set under ``folder`` while the block runs."""
    cloud = start_cloud(folder, venv)
    try:
        yield cloud
    finally:
        _stop(folder)


def _stop(folder: Path) -> None:
    subprocess.run(
        [str(HARNESS / "stop.sh"), str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )


def _ports(path: Path) -> dict[str, int]:
    ports = {}
    for line in path.read_text().splitlines():
        name, _, value = line.partition("=")
        if value:
            ports[name.strip()] = int(value)
    return ports


@contextmanager
def shared_cloud(root: Path) -> Iterator[OpenStackCloud]:
    """One set for every pytest-xdist worker of a run, under ``root`` (the
    run's own temporary folder): the first worker starts it, the others wait
    for it and use it, the last one to finish stops it. (``xdist_group``
    alone did not keep the modules on one worker.)"""
    folder = root / "openstack"
    state = root / "openstack.json"
    with _locked(root):
        users = json.loads(state.read_text()) if state.exists() else None
        if users is None:
            try:
                cloud = start_cloud(folder)
            except OpenStackUnavailable as exc:
                state.write_text(json.dumps({"error": str(exc), "users": 0}))
                raise
            users = {"password": cloud.password, "users": 0}
        if "error" in users:
            raise OpenStackUnavailable(users["error"])
        users["users"] += 1
        state.write_text(json.dumps(users))
    try:
        yield OpenStackCloud(folder, _ports(folder / "ports.env"), users["password"])
    finally:
        with _locked(root):
            users = json.loads(state.read_text())
            users["users"] -= 1
            state.write_text(json.dumps(users))
            if users["users"] == 0:  # a worker coming later starts a fresh set
                _stop(folder)
                state.unlink()


@contextmanager
def _locked(root: Path) -> Iterator[None]:
    with (root / "openstack.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def openstack(
    tmp_path_factory: pytest.TempPathFactory, worker_id: str
) -> Iterator[OpenStackCloud]:
    """One local OpenStack for the whole run, shared by pytest-xdist workers
    (modules using it are also marked ``xdist_group("openstack")``)."""
    try:
        if worker_id == "master":
            with openstack_cloud(tmp_path_factory.mktemp("openstack")) as cloud:
                yield cloud
        else:
            root = tmp_path_factory.getbasetemp().parent
            with shared_cloud(root) as cloud:
                yield cloud
    except OpenStackUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
