"""The MachineVolume sub-collection: volumes attached to a machine."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import Response

from deltaflask.context import current_driver
from deltaflask.drivers import BaseDriver
from deltaflask.models import StorageVolume
from deltaflask.plugins.cimi import parsing
from deltaflask.plugins.cimi.families import created
from deltaflask.plugins.cimi.families import referenced
from deltaflask.plugins.cimi.machine_parts import MachinePart
from deltaflask.plugins.cimi.render import Collection
from deltaflask.plugins.cimi.render import compact
from deltaflask.plugins.cimi.render import operation
from deltaflask.plugins.cimi.render import ref
from deltaflask.plugins.cimi.render import respond
from deltaflask.plugins.cimi.render import url
from deltaflask.plugins.cimi.times import iso


def register(bp: Blueprint) -> None:
    """Add the machine volume routes (attach: POST to the add URI or collection,
    or PUT to the add URI as the seed post's curl does)."""
    bp.add_url_rule("/machines/<machine_id>/volumes", "machine_volumes", PART.list)
    for rule, endpoint, methods in (
        ("volume_attach", "attach_volume", ["POST", "PUT"]),
        ("volumes", "attach_volume_to_collection", ["POST"]),
    ):
        bp.add_url_rule(
            f"/machines/<machine_id>/{rule}", endpoint, attach_volume, methods=methods
        )
    bp.add_url_rule(
        "/machines/<machine_id>/volumes/<member_id>", "machine_volume", PART.show
    )
    bp.add_url_rule(
        "/machines/<machine_id>/volumes/<member_id>",
        "detach_volume",
        detach_volume,
        methods=["DELETE"],
    )


def machine_volume_data(machine_id: str, volume: StorageVolume) -> dict[str, Any]:
    """The CIMI attributes of a volume attached to ``machine_id``."""
    own = url("machines", machine_id, "volumes", volume.id)
    return compact(
        {
            "id": own,
            "name": volume.name or volume.id,
            "description": f"MachineVolume {volume.id} for Machine {machine_id}",
            "created": iso(volume.created),
            "initialLocation": volume.device,
            "volume": ref("volumes", volume.id),
            "operations": [operation("delete", own)],
        }
    )


def machine_volumes(driver: BaseDriver, machine_id: str) -> Collection:
    """The volumes attached to a machine."""
    attached = [v for v in driver.storage_volumes({}) if v.instance_id == machine_id]
    own = url("machines", machine_id, "volumes")
    ops = (
        [operation("add", url("machines", machine_id, "volume_attach"))]
        if driver.supports("attach_storage_volume")
        else []
    )
    entries = [machine_volume_data(machine_id, volume) for volume in attached]
    return Collection("MachineVolume", own, "machineVolumes", entries, ops)


PART = MachinePart(
    "MachineVolume",
    machine_volumes,
    lambda driver, volume_id: driver.storage_volume(volume_id),
    machine_volume_data,
)


def attach_volume(machine_id: str) -> Response:
    """POST a MachineVolume: attach the volume at ``initialLocation``.

    Attaching a volume again to the machine it is attached to changes nothing
    and answers the existing MachineVolume, as the original's re-attach did.
    """
    driver, body = PART.adding(parsing.MachineVolume, machine_id)
    volume_id = referenced(body["volume"], "volume", driver.storage_volume)
    volume = driver.storage_volume(volume_id)
    if volume is None or volume.instance_id != machine_id:
        volume = driver.attach_storage_volume(
            volume_id, machine_id, body["initialLocation"]
        )
    return created("MachineVolume", machine_volume_data(machine_id, volume))


def detach_volume(machine_id: str, member_id: str) -> Response:
    """DELETE /machines/<id>/volumes/<vol>: detach; answer the remaining collection."""
    driver = current_driver()
    PART.member(driver, machine_id, member_id)
    driver.detach_storage_volume(member_id)
    return respond(machine_volumes(driver, machine_id))
