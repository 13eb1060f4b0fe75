"""Reading vCenter's inventory with few round trips, and waiting for tasks.

Listings ask the property collector for just the properties they show, for
every object of a kind at once (through a container view); a lookup by id
asks for that one managed object and finds nothing when vCenter does not know
it. Tasks are polled until they end or the time-out passes.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from deltaflask.errors import ProviderError
from deltaflask.errors import ProviderTimeout
from deltaflask.plugins.vsphere.connection import Session
from deltaflask.plugins.vsphere.errors import translate
from deltaflask.plugins.vsphere.errors import vsphere_errors

#: what a managed object id looks like (``vm-42``, ``domain-c7``, ``ha-host``);
#: pyvmomi writes ids into its SOAP requests unescaped, so nothing else is sent
MOREF_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,79}")
#: seconds between two looks at a running task: first, growth factor, most
POLL_FIRST, POLL_GROWTH, POLL_MOST = 0.02, 1.5, 1.0


@dataclass(slots=True)
class Found:
    """One managed object and the properties read from it."""

    obj: Any
    props: dict[str, Any]

    @property
    def id(self) -> str:
        """The managed object id (``vm-42``, ``domain-c7`` ...)."""
        return str(self.obj._moId)

    def get(self, path: str, default: Any = None) -> Any:
        """A property read, or ``default`` when vCenter did not set it."""
        return self.props.get(path, default)


def fetch(
    session: Session, kind: Any, paths: Iterable[str], root: Any = None
) -> list[Found]:
    """Every object of ``kind`` below ``root`` (the root folder by default)
    with the properties ``paths``."""
    from pyVmomi import vim
    from pyVmomi import vmodl

    collector = vmodl.query.PropertyCollector
    content = session.content
    with vsphere_errors():
        view = content.viewManager.CreateContainerView(
            root or content.rootFolder, [kind], True
        )
        try:
            traversal = collector.TraversalSpec(
                name="view", path="view", skip=False, type=vim.view.ContainerView
            )
            start = collector.ObjectSpec(obj=view, skip=True, selectSet=[traversal])
            return _retrieve(session, collector, start, kind, paths)
        finally:
            view.Destroy()


def fetch_one(
    session: Session, kind: Any, object_id: str, paths: Iterable[str]
) -> Found | None:
    """The object of ``kind`` with managed object id ``object_id``, or ``None``
    (also for a string that cannot be a managed object id)."""
    from pyVmomi import vmodl

    if not MOREF_ID.fullmatch(object_id):
        return None
    collector = vmodl.query.PropertyCollector
    start = collector.ObjectSpec(obj=kind(object_id, session.instance._stub))
    with vsphere_errors():
        found = _retrieve(session, collector, start, kind, paths)
    return found[0] if found else None


def _retrieve(
    session: Session, collector: Any, start: Any, kind: Any, paths: Iterable[str]
) -> list[Found]:
    from pyVmomi import vmodl

    spec = collector.FilterSpec(
        objectSet=[start],
        propSet=[collector.PropertySpec(type=kind, pathSet=list(paths))],
    )
    pc = session.content.propertyCollector
    try:
        result = pc.RetrievePropertiesEx([spec], collector.RetrieveOptions())
    except vmodl.fault.ManagedObjectNotFound:
        return []
    found: list[Found] = []
    while result is not None:
        found += [
            Found(item.obj, {p.name: p.val for p in item.propSet or ()})
            for item in result.objects or ()
        ]
        if not result.token:
            break
        result = pc.ContinueRetrievePropertiesEx(result.token)
    return found


def wait(task: Any, timeout: float) -> Any:
    """The result of a vCenter task once it succeeded; its fault as a typed
    error when it failed; a 504 (after asking vCenter to cancel it) when it
    is still running after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    pause = POLL_FIRST
    with vsphere_errors():
        while True:
            info = task.info
            if info.state == "success":
                return info.result
            if info.state == "error":
                raise translate(info.error) if info.error else _failed(info)
            if time.monotonic() >= deadline:
                _cancel(task)
                raise ProviderTimeout(
                    f"vCenter task {info.descriptionId or info.name} did not "
                    f"finish within {timeout:g} s"
                )
            time.sleep(pause)
            pause = min(pause * POLL_GROWTH, POLL_MOST)


def _failed(info: Any) -> ProviderError:
    return ProviderError(f"vCenter task {info.descriptionId} failed")


def _cancel(task: Any) -> None:
    """Ask vCenter to cancel ``task``; one that already ended, or cannot be
    cancelled, is left as it is."""
    from pyVmomi import vmodl

    with contextlib.suppress(vmodl.MethodFault):
        task.CancelTask()
