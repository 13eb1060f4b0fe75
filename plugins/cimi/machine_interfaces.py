"""The MachineNetworkInterface sub-collection: the driver's network interfaces
of one machine. Adding one attaches the machine to a Network; deleting it
detaches the machine. Besides CIMI's attributes an interface shows the address
the cloud gave it as ``ip`` (an extension)."""

from __future__ import annotations

from flask import Blueprint
from flask import Response

from deltaflask.context import current_driver
from deltaflask.drivers import BaseDriver
from deltaflask.models import NetworkInterface
from deltaflask.plugins.cimi import parsing
from deltaflask.plugins.cimi.families import Data
from deltaflask.plugins.cimi.families import created
from deltaflask.plugins.cimi.machine_parts import MachinePart
from deltaflask.plugins.cimi.network_ports import network_id
from deltaflask.plugins.cimi.render import Collection
from deltaflask.plugins.cimi.render import compact
from deltaflask.plugins.cimi.render import empty
from deltaflask.plugins.cimi.render import operation
from deltaflask.plugins.cimi.render import ref
from deltaflask.plugins.cimi.render import url

PATH = "network_interfaces"


def register(bp: Blueprint) -> None:
    """Add the machine network interface routes."""
    own = f"/machines/<machine_id>/{PATH}"
    bp.add_url_rule(own, "machine_interfaces", PART.list)
    bp.add_url_rule(own, "add_machine_interface", add_interface, methods=["POST"])
    bp.add_url_rule(f"{own}/<member_id>", "machine_interface", PART.show)
    bp.add_url_rule(
        f"{own}/<member_id>",
        "remove_machine_interface",
        remove_interface,
        methods=["DELETE"],
    )


def interface_data(machine_id: str, nic: NetworkInterface) -> Data:
    """A network interface of ``machine_id`` as a MachineNetworkInterface."""
    own = url("machines", machine_id, PATH, nic.id)
    return compact(
        {
            "id": own,
            "name": nic.name,
            "description": f"Network interface {nic.id} of Machine {machine_id}",
            "network": ref("networks", nic.subnet_id or nic.network_id or ""),
            "state": "ACTIVE",
            "ip": nic.ip_address,
            "operations": [operation("delete", own)],
        }
    )


def interfaces(driver: BaseDriver, machine_id: str) -> Collection:
    """The interfaces of a machine."""
    entries = [
        interface_data(machine_id, nic)
        for nic in driver.network_interfaces({"instance_id": machine_id})
    ]
    own = url("machines", machine_id, PATH)
    ops = [operation("add", own)] if driver.supports("create_network_interface") else []
    return Collection(
        "MachineNetworkInterface", own, "machineNetworkInterfaces", entries, ops
    )


PART = MachinePart(
    "MachineNetworkInterface",
    interfaces,
    lambda driver, nic_id: driver.network_interface(nic_id),
    interface_data,
)


def add_interface(machine_id: str) -> Response:
    """POST a MachineNetworkInterface naming the Network to attach to."""
    driver, body = PART.adding(parsing.MachineNetworkInterface, machine_id)
    subnet_id = network_id(driver, body["network"])
    nic = driver.create_network_interface(machine_id, subnet_id, None)
    return created("MachineNetworkInterface", interface_data(machine_id, nic))


def remove_interface(machine_id: str, member_id: str) -> Response:
    """DELETE /machines/<id>/network_interfaces/<nic>: detach."""
    driver = current_driver()
    PART.member(driver, machine_id, member_id)
    driver.destroy_network_interface(member_id)
    return empty(200)
