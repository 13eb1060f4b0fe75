"""A real vcsim (govmomi's vSphere simulator) on a free loopback port, for tests.

``make vcsim`` (part of ``make test``, mk/vsphere.mk) builds it into
``.tools/vcsim`` from Debian's govmomi source; a ``vcsim`` on PATH is used
otherwise. Failing to start is an error, never a skip. vcsim serves HTTPS
with a self-signed certificate and, started here, accepts one user and
password only. Its inventory has no templates, so :func:`make_templates`
turns two of its VMs into templates (one resized) through pyvmomi.
"""

from __future__ import annotations

import re
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.moto_server import free_port
from tests.support.paths import REPO
from tests.support.processes import stop
from tests.support.processes import wait_until_up

START_TIMEOUT = 20.0
USER = "vcuser"
PASSWORD = "vcsim-secret"
#: the VMs of vcsim's default inventory made templates, and their sizes
TEMPLATES = {"DC0_H0_VM1": (1, 32), "DC0_C0_RP0_VM1": (2, 64)}


@dataclass(frozen=True)
class Vcsim:
    """A running vcsim and how to reach it."""

    host: str
    port: int
    process: subprocess.Popen[bytes]

    @property
    def provider(self) -> str:
        """The provider naming this vCenter (``127.0.0.1:port``)."""
        return f"{self.host}:{self.port}"

    def connect(self):  # type: ignore[no-untyped-def]
        """A pyvmomi ServiceInstance logged in as the test user (for set-up
        and for checking what the driver did, never in place of it)."""
        from pyVim.connect import SmartConnect

        return SmartConnect(
            host=self.host,
            port=self.port,
            user=USER,
            pwd=PASSWORD,
            sslContext=ssl._create_unverified_context(),
        )


def vcsim_binary() -> str:
    """``.tools/vcsim`` (built by ``make vcsim``), else ``vcsim`` on PATH."""
    built = REPO / ".tools" / "vcsim"
    found = str(built) if built.exists() else shutil.which("vcsim")
    if found is None:
        raise RuntimeError(
            "vcsim is not installed: run `make vcsim` (mk/vsphere.mk builds it "
            "from Debian's golang-github-vmware-govmomi-dev into .tools/vcsim)"
        )
    return found


@contextmanager
def vcsim_server(folder: Path, *extra: str) -> Iterator[Vcsim]:
    """Start vcsim on a free port with its files in ``folder``; stop it after."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    port = free_port()
    log = folder / "vcsim.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                vcsim_binary(),
                "-l",
                f"127.0.0.1:{port}",
                "-username",
                USER,
                "-password",
                PASSWORD,
                *extra,
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
            cwd=folder,
            env={"TMPDIR": str(folder), "PATH": "/usr/bin:/bin"},
        )
    server = Vcsim("127.0.0.1", port, process)
    try:
        wait_until_up(
            "vcsim",
            process,
            lambda: bool(re.search(r"GOVC_URL=\S+", log.read_text())),
            START_TIMEOUT,
            log,
            interval=0.05,
        )
        yield server
    finally:
        stop(process)


def make_templates(server: Vcsim) -> dict[str, str]:
    """Power off, resize and mark :data:`TEMPLATES` as templates; their ids by name."""
    from pyVim.connect import Disconnect
    from pyVmomi import vim

    instance = server.connect()
    try:
        content = instance.RetrieveContent()
        view = content.viewManager.CreateContainerView(
            content.rootFolder, [vim.VirtualMachine], True
        )
        by_name = {vm.name: vm for vm in view.view}
        view.Destroy()
        ids = {}
        for name, (cpus, memory) in TEMPLATES.items():
            vm = by_name[name]
            _done(vm.PowerOffVM_Task())
            _done(
                vm.ReconfigVM_Task(
                    spec=vim.vm.ConfigSpec(numCPUs=cpus, memoryMB=memory)
                )
            )
            vm.MarkAsTemplate()
            ids[name] = str(vm._moId)
        return ids
    finally:
        Disconnect(instance)


def _done(task) -> None:  # type: ignore[no-untyped-def]
    if task.info.state != "success":
        raise RuntimeError(f"vcsim set-up task failed: {task.info.error}")


def vsphere_config(server: Vcsim, **settings: Any) -> dict[str, Any]:
    """App settings whose default driver is vsphere on ``server``."""
    return {
        "TESTING": True,
        "DRIVER": "vsphere",
        "PROVIDER": server.provider,
        "VSPHERE_INSECURE": "1",
        **settings,
    }


def vm_names(server: Vcsim) -> set[str]:
    """The names of every VM and template vcsim holds, read with pyvmomi."""
    from pyVim.connect import Disconnect
    from pyVmomi import vim

    instance = server.connect()
    try:
        content = instance.RetrieveContent()
        view = content.viewManager.CreateContainerView(
            content.rootFolder, [vim.VirtualMachine], True
        )
        names = {vm.name for vm in view.view}
        view.Destroy()
        return names
    finally:
        Disconnect(instance)
