"""A real Swift all-in-one behind a real Keystone, on free loopback ports.

Keystone (SQLite, fernet tokens) serves identity and the service catalogue;
the Swift proxy checks tokens with keystonemiddleware's ``authtoken`` and
roles with ``keystoneauth``, so a client finds Swift through the catalogue
and authenticates as ``user+project`` like against any OpenStack cloud. One
account, container and object server (1-replica rings, SQLite and xattrs in a
private folder) and memcached (tokens and account info) complete it.

``make swift`` (``mk/swift.mk``) installs memcached from Debian and swift,
keystonemiddleware and keystone into ``.tools/swift-venv``; without them the
set-up fails with a message that says so. Everything runs as child processes
stopped by pid at the end; each test asks for a fresh project, so each gets
an empty Swift account.
"""

from __future__ import annotations

import getpass
import os
import secrets
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Any

from tests.support.moto_server import free_port
from tests.support.paths import REPO

VENV_BIN = REPO / ".tools" / "swift-venv" / "bin"
TEMPLATES = Path(__file__).with_name("swift_conf")
REGION = "RegionOne"
START_TIMEOUT = 120.0
#: every Swift process started, kept referenced so that none is collected
#: (which warns) while it runs: start_swift's may outlive their caller
_STARTED: list[Any] = []
STORAGE_SERVERS = ("account", "container", "object")
#: builds the three 1-replica rings in one interpreter (argv: etc, ports)
RINGS = """
import sys
from swift.common.ring import RingBuilder
etc = sys.argv[1]
for server, port in zip(("account", "container", "object"), sys.argv[2:]):
    builder = RingBuilder(8, 1, 1)
    builder.add_dev({"id": 0, "region": 1, "zone": 1, "ip": "127.0.0.1",
                     "port": int(port), "device": "d1", "weight": 100})
    builder.rebalance()
    builder.save(f"{etc}/{server}.builder")
    builder.get_ring().save(f"{etc}/{server}.ring.gz")
"""
#: serves Keystone's WSGI application with werkzeug (argv: port, which is
#: taken off before Keystone parses the command line)
KEYSTONE = """
import sys
port = int(sys.argv.pop(1))
from werkzeug.serving import run_simple
from keystone.wsgi.api import application
run_simple("127.0.0.1", port, application, threaded=True)
"""


@dataclass(frozen=True)
class Account:
    """A Keystone user with the ``member`` role on its own project."""

    user: str
    project: str
    password: str

    @property
    def username(self) -> str:
        """The Basic-auth user name the openstack driver takes: ``user+project``."""
        return f"{self.user}+{self.project}"


class SwiftCloud:
    """The running set: its identity URL and connections as its users."""

    def __init__(self, identity_url: str, password: str) -> None:
        self.identity_url = identity_url
        self._admin_password = password

    def admin(self) -> Any:
        """An openstacksdk connection as Keystone's bootstrap admin."""
        return self._connect("admin", "admin", self._admin_password)

    def connect(self, account: Account) -> Any:
        """An openstacksdk connection as ``account`` (to check what the
        driver did, as a user of the cloud would see it)."""
        return self._connect(account.user, account.project, account.password)

    def _connect(self, user: str, project: str, password: str) -> Any:
        import openstack.connection

        return openstack.connection.Connection(
            auth_type="v3password",
            auth={
                "auth_url": self.identity_url,
                "username": user,
                "password": password,
                "project_name": project,
                "user_domain_id": "default",
                "project_domain_id": "default",
            },
            region_name=REGION,
        )

    def new_account(self, role: str = "member") -> Account:
        """A fresh project and a user with ``role`` on it (with ``member``, the
        user may use the project's Swift account, empty at first)."""
        admin = self.admin()
        suffix = secrets.token_hex(4)
        account = Account(f"user-{suffix}", f"project-{suffix}", secrets.token_hex(16))
        project = admin.identity.create_project(
            name=account.project, domain_id="default"
        )
        user = admin.identity.create_user(
            name=account.user,
            password=account.password,
            domain_id="default",
            default_project_id=project.id,
        )
        granted = admin.identity.find_role(role, ignore_missing=False)
        admin.identity.assign_project_role_to_user(project, user, granted)
        return account


def _tool(name: str) -> str:
    """A program of the swift venv (or on PATH), else a clear failure."""
    found = VENV_BIN / name
    if found.exists():
        return str(found)
    on_path = shutil.which(name)
    if on_path is None:
        raise RuntimeError(
            f"{name} is not installed: run `make swift` (mk/swift.mk installs "
            "memcached, swift, keystonemiddleware and keystone into .tools/)"
        )
    return on_path


def _write(template: str, target: Path, **values: object) -> None:
    text = Template((TEMPLATES / template).read_text(encoding="utf-8"))
    target.write_text(text.substitute(values), encoding="utf-8")
    target.chmod(0o600)


def _run(folder: Path, *commands: list[str]) -> None:
    """Run ``commands`` side by side; fail with the log of the first that fails."""
    running = []
    for number, command in enumerate(commands):
        log = folder / "log" / f"setup-{number}.log"
        with log.open("wb") as output:
            running.append(
                (
                    command,
                    log,
                    subprocess.Popen(
                        command, stdout=output, stderr=subprocess.STDOUT, cwd=folder
                    ),
                )
            )
    for command, log, process in running:
        if process.wait(timeout=START_TIMEOUT) != 0:
            raise RuntimeError(
                f"{Path(command[0]).name} failed:\n{log.read_text(errors='replace')}"
            )


def _spawn(folder: Path, name: str, command: list[str]) -> Any:
    """A child process in a session of its own, logging to ``log/<name>.log``."""
    env = {
        **os.environ,
        "OS_KEYSTONE_CONFIG_FILES": str(folder / "etc/keystone.conf"),
        "PYTHONUNBUFFERED": "1",
    }
    with (folder / "log" / f"{name}.log").open("wb") as output:
        return subprocess.Popen(
            command,
            stdout=output,
            stderr=subprocess.STDOUT,
            cwd=folder,
            env=env,
            start_new_session=True,
        )


def _stop(processes: list[Any]) -> None:
    """Stop ``processes`` by pid: TERM, then KILL after 10 s."""
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def _process(folder: Path, name: str, command: list[str]) -> Iterator[Any]:
    """A child process (see :func:`_spawn`) stopped by pid at the end."""
    process = _spawn(folder, name, command)
    try:
        yield process
    finally:
        _stop([process])


def _wait_for(url: str, processes: list[Any], folder: Path) -> None:
    """Wait until ``url`` answers (any HTTP status); fail if a child exits."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                logs = "\n".join(
                    f"{log.name}: {log.read_text(errors='replace')[-2000:]}"
                    for log in sorted((folder / "log").glob("*.log"))
                )
                raise RuntimeError(f"{process.args[0]} exited early\n{logs}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {START_TIMEOUT} s")


def _keystone_setup(folder: Path, port: int, password: str) -> None:
    manage = [
        _tool("keystone-manage"),
        "--config-file",
        str(folder / "etc/keystone.conf"),
    ]
    owner = ["--keystone-user", str(os.getuid()), "--keystone-group", str(os.getgid())]
    _run(
        folder,
        [*manage, "db_sync"],
        [*manage, "fernet_setup", *owner],
        [*manage, "credential_setup", *owner],
    )
    url = f"http://127.0.0.1:{port}/v3/"
    _run(
        folder,
        [
            *manage,
            "bootstrap",
            "--bootstrap-password",
            password,
            "--bootstrap-admin-url",
            url,
            "--bootstrap-internal-url",
            url,
            "--bootstrap-public-url",
            url,
            "--bootstrap-region-id",
            REGION,
        ],
    )


def _register_swift(admin: Any, storage_url: str, swift_password: str) -> None:
    """The ``swift`` service user (admin of the ``service`` project) and the
    object-store endpoints, ``/v1/AUTH_<project id>`` as usual."""
    service_project = admin.identity.find_project(
        "service", domain_id="default"
    ) or admin.identity.create_project(name="service", domain_id="default")
    user = admin.identity.create_user(
        name="swift", password=swift_password, domain_id="default"
    )
    role = admin.identity.find_role("admin", ignore_missing=False)
    admin.identity.assign_project_role_to_user(service_project, user, role)
    service = admin.identity.create_service(
        name="swift", type="object-store", description="Object Storage"
    )
    for interface in ("public", "internal", "admin"):
        admin.identity.create_endpoint(
            service_id=service.id,
            interface=interface,
            url=f"{storage_url}/v1/AUTH_$(project_id)s",
            region_id=REGION,
        )


def _private(folder: Path, *subfolders: str) -> None:
    """Make ``folder`` and ``subfolders`` of it, owner-only."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)
    for sub in subfolders:
        (folder / sub).mkdir(mode=0o700, parents=True, exist_ok=True)


def start_swift(
    folder: Path, identity_url: str, admin: Any, run: Path
) -> tuple[str, list[Any]]:
    """Start memcached and a Swift all-in-one in ``folder`` whose proxy takes
    the tokens of the Keystone at ``identity_url``, registered in its
    catalogue through ``admin`` (an openstacksdk connection with the admin
    role). Each process runs in a session of its own whose id is written to
    ``run/swift-<name>.pid`` (as tests/support/openstack/stop.sh expects).
    Returns the proxy's URL and the processes."""
    memcached = shutil.which("memcached")
    if memcached is None:
        raise RuntimeError("memcached is not installed: run `make swift`")
    python = _tool("python")
    _private(folder, "etc", "log", "srv/d1")
    ports = {name: free_port() for name in ("memcached", "proxy", *STORAGE_SERVERS)}
    swift_password = secrets.token_hex(16)
    etc = folder / "etc"
    _write("swift.conf", etc / "swift.conf")
    for server in STORAGE_SERVERS:
        _write(
            "storage-server.conf",
            etc / f"{server}-server.conf",
            folder=folder,
            server=server,
            port=ports[server],
        )
    _write(
        "proxy-server.conf",
        etc / "proxy-server.conf",
        folder=folder,
        port=ports["proxy"],
        identity=identity_url,
        password=swift_password,
        memcached=ports["memcached"],
    )
    _run(
        folder,
        [python, "-c", RINGS, str(etc), *(str(ports[s]) for s in STORAGE_SERVERS)],
    )
    storage_url = f"http://127.0.0.1:{ports['proxy']}"
    _register_swift(admin, storage_url, swift_password)
    cache = [memcached, "-u", getpass.getuser(), "-l", "127.0.0.1"]
    cache += ["-p", str(ports["memcached"]), "-m", "32", "-U", "0"]
    commands = {"memcached": cache}
    for server in (*STORAGE_SERVERS, "proxy"):
        program = _tool(f"swift-{server}-server")
        commands[server] = [python, program, str(etc / f"{server}-server.conf"), "-v"]
    started = []
    try:
        for name, command in commands.items():
            started.append(_spawn(folder, name, command))
            _STARTED.append(started[-1])
            pid_file = run / f"swift-{name}.pid"
            pid_file.write_text(str(started[-1].pid))
            pid_file.chmod(0o600)
        _wait_for(f"{storage_url}/healthcheck", started, folder)
    except BaseException:
        _stop(started)
        raise
    return storage_url, started


@contextmanager
def swift_service(folder: Path, identity_url: str, admin: Any) -> Iterator[str]:
    """:func:`start_swift` while the block runs (pid files in ``folder/run``);
    yields the proxy's URL and stops the processes by pid afterwards."""
    _private(folder, "run")
    storage_url, started = start_swift(folder, identity_url, admin, folder / "run")
    try:
        yield storage_url
    finally:
        _stop(started)


@contextmanager
def swift_cloud(folder: Path) -> Iterator[SwiftCloud]:
    """Start Keystone in ``folder`` and Swift in ``folder/swift`` (see
    :func:`swift_service`); stop them afterwards."""
    python = _tool("python")
    _private(folder, "etc", "log", "keystone")
    port, admin_password = free_port(), secrets.token_hex(16)
    _write("keystone.conf", folder / "etc" / "keystone.conf", folder=folder)
    _keystone_setup(folder, port, admin_password)
    cloud = SwiftCloud(f"http://127.0.0.1:{port}/v3", admin_password)
    command = [python, "-c", KEYSTONE, str(port)]
    with _process(folder, "keystone", command) as keystone:
        _wait_for(cloud.identity_url, [keystone], folder)
        with swift_service(folder / "swift", cloud.identity_url, cloud.admin()):
            yield cloud
