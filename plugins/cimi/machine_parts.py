"""What the sub-collections of a machine (its MachineVolumes and
MachineNetworkInterfaces) share: listing the machine's members, finding one
(a 404 unless the machine exists and the member is that machine's) and reading
the body that adds one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Response

from deltaflask.context import current_driver
from deltaflask.drivers import BaseDriver
from deltaflask.plugins.cimi import parsing
from deltaflask.plugins.cimi.families import Data
from deltaflask.plugins.cimi.families import found
from deltaflask.plugins.cimi.query import apply
from deltaflask.plugins.cimi.render import Collection
from deltaflask.plugins.cimi.render import Entity
from deltaflask.plugins.cimi.render import respond


@dataclass(frozen=True)
class MachinePart:
    """A sub-collection at ``/machines/<machine_id>/<...>``.

    ``members`` lists a machine's members; ``lookup`` finds a driver entity
    (with an ``instance_id``) by id; ``data`` renders one as ``type_name``.
    """

    type_name: str
    members: Callable[[BaseDriver, str], Collection]
    lookup: Callable[[BaseDriver, str], Any]
    data: Callable[[str, Any], Data]

    def list(self, machine_id: str) -> Response:
        """GET the machine's members (with the collection queries)."""
        driver = current_driver()
        found(driver.instance(machine_id))
        return respond(apply(self.members(driver, machine_id)))

    def show(self, machine_id: str, member_id: str) -> Response:
        """GET one member of the machine."""
        member = self.member(current_driver(), machine_id, member_id)
        return respond(Entity(self.type_name, self.data(machine_id, member)))

    def member(self, driver: BaseDriver, machine_id: str, member_id: str) -> Any:
        """The driver entity ``member_id``: 404 unless it is the machine's."""
        member = found(self.lookup(driver, member_id))
        return found(member if member.instance_id == machine_id else None)

    def adding(
        self, schema: type[parsing.Base], machine_id: str
    ) -> tuple[BaseDriver, dict[str, Any]]:
        """The driver and the validated body that adds a member (404 for a
        machine that does not exist)."""
        driver = current_driver()
        body = parsing.load(schema)
        found(driver.instance(machine_id))
        return driver, body
