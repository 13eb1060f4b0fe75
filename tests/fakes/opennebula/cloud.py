"""The state of the fake oned: users, clusters, hosts, templates, VMs, virtual
networks with address ranges, datastores and images, and the VM life cycle.

VM states follow OpenNebula 6.x: ``STATE`` (1 PENDING, 2 HOLD, 3 ACTIVE,
6 DONE, 8 POWEROFF ...) and, while ACTIVE, ``LCM_STATE`` (2 BOOT, 3 RUNNING,
11 EPILOG, 12 SHUTDOWN, 18 SHUTDOWN_POWEROFF, 20 BOOT_POWEROFF ...). A VM in
a transient state moves on when :meth:`Cloud.settle` runs; with
``auto_settle`` (the default) every call leaves VMs in a stable state, as if
the scheduler and drivers had finished.
"""

from __future__ import annotations

import hashlib
import ipaddress
import itertools
import re
import time
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from tests.fakes.opennebula.templates import Template
from tests.fakes.opennebula.templates import vectors

# error codes of OpenNebula's XML-RPC API (Request.h)
AUTHENTICATION = 0x0100
AUTHORIZATION = 0x0200
NO_EXISTS = 0x0400
ACTION = 0x0800
XML_RPC_API = 0x1000
INTERNAL = 0x2000
ALLOCATE = 0x4000

PENDING, HOLD, ACTIVE, DONE, POWEROFF = 1, 2, 3, 6, 8
LCM_INIT, BOOT, RUNNING, EPILOG, SHUTDOWN = 0, 2, 3, 11, 12
SHUTDOWN_POWEROFF, BOOT_POWEROFF = 18, 20
STATE_NAMES = {
    0: "INIT",
    1: "PENDING",
    2: "HOLD",
    3: "ACTIVE",
    4: "STOPPED",
    5: "SUSPENDED",
    6: "DONE",
    7: "FAILED",
    8: "POWEROFF",
    9: "UNDEPLOYED",
}
LCM_NAMES = {
    0: "LCM_INIT",
    2: "BOOT",
    3: "RUNNING",
    11: "EPILOG",
    12: "SHUTDOWN",
    18: "SHUTDOWN_POWEROFF",
    20: "BOOT_POWEROFF",
}
#: stable states an action may start from, and the state it moves the VM to
ACTIONS: dict[str, dict[tuple[int, int], tuple[int, int]]] = {
    "poweroff": {(ACTIVE, RUNNING): (ACTIVE, SHUTDOWN_POWEROFF)},
    "poweroff-hard": {(ACTIVE, RUNNING): (ACTIVE, SHUTDOWN_POWEROFF)},
    "resume": {(POWEROFF, LCM_INIT): (ACTIVE, BOOT_POWEROFF)},
    "reboot": {(ACTIVE, RUNNING): (ACTIVE, RUNNING)},
    "reboot-hard": {(ACTIVE, RUNNING): (ACTIVE, RUNNING)},
    "hold": {(PENDING, LCM_INIT): (HOLD, LCM_INIT)},
    "release": {(HOLD, LCM_INIT): (PENDING, LCM_INIT)},
    "terminate": {
        (ACTIVE, RUNNING): (ACTIVE, SHUTDOWN),
        (POWEROFF, LCM_INIT): (ACTIVE, EPILOG),
        (PENDING, LCM_INIT): (DONE, LCM_INIT),
        (HOLD, LCM_INIT): (DONE, LCM_INIT),
    },
}
ACTIONS["terminate-hard"] = ACTIONS["terminate"]
#: transient state -> the next one
NEXT = {
    (PENDING, LCM_INIT): (ACTIVE, BOOT),
    (ACTIVE, BOOT): (ACTIVE, RUNNING),
    (ACTIVE, BOOT_POWEROFF): (ACTIVE, RUNNING),
    (ACTIVE, SHUTDOWN_POWEROFF): (POWEROFF, LCM_INIT),
    (ACTIVE, SHUTDOWN): (DONE, LCM_INIT),
    (ACTIVE, EPILOG): (DONE, LCM_INIT),
}
_CLUSTER_REQUIREMENT = re.compile(r'CLUSTER_ID\s*=\s*"?(\d+)"?')


class OneError(Exception):
    """A failed call: oned answers ``[false, message, code]``."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def missing(method: str, kind: str, object_id: Any) -> OneError:
    """oned's NO_EXISTS answer: ``Error getting <kind> [<id>].``"""
    return OneError(NO_EXISTS, f"[{method}] Error getting {kind} [{object_id}].")


@dataclass
class AddressRange:
    """An IPv4 address range of a virtual network and its leases (index -> VM)."""

    id: int
    first: int
    size: int
    leases: dict[int, int] = field(default_factory=dict)

    def ip(self, index: int) -> str:
        return str(ipaddress.IPv4Address(self.first + index))

    def mac(self, index: int) -> str:
        octets = (self.first + index).to_bytes(4, "big")
        return "02:00:" + ":".join(f"{b:02x}" for b in octets)

    def index_of(self, ip: str) -> int | None:
        try:
            index = int(ipaddress.IPv4Address(ip)) - self.first
        except ValueError:
            return None
        return index if 0 <= index < self.size else None

    def free_index(self) -> int | None:
        return next((i for i in range(self.size) if i not in self.leases), None)


def password_hash(password: str) -> str:
    return hashlib.sha256(password.encode()).hexdigest()


@dataclass
class Cloud:
    """Everything oned keeps (``seed.seeded`` makes the cloud tests start from)."""

    auto_settle: bool = True
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    clusters: dict[int, dict[str, Any]] = field(default_factory=dict)
    hosts: dict[int, dict[str, Any]] = field(default_factory=dict)
    templates: dict[int, dict[str, Any]] = field(default_factory=dict)
    vms: dict[int, dict[str, Any]] = field(default_factory=dict)
    vnets: dict[int, dict[str, Any]] = field(default_factory=dict)
    datastores: dict[int, dict[str, Any]] = field(default_factory=dict)
    images: dict[int, dict[str, Any]] = field(default_factory=dict)
    ids: dict[str, itertools.count[int]] = field(default_factory=dict)

    # -- authentication ----------------------------------------------------------
    def authenticate(self, method: str, session: Any) -> dict[str, Any]:
        """The user a ``user:password`` session string names (401 otherwise)."""
        name, _, password = str(session).partition(":")
        found = self.users.get(name)
        if found is None or found["password_hash"] != password_hash(password):
            raise OneError(
                AUTHENTICATION,
                f"[{method}] User couldn't be authenticated, aborting call.",
            )
        return found

    # -- the VM life cycle ---------------------------------------------------------
    def settle(self) -> None:
        """Move every VM in a transient state one step on."""
        for vm in list(self.vms.values()):
            self.step(vm)

    def step(self, vm: dict[str, Any]) -> bool:
        """Move ``vm`` one step on; whether it moved."""
        current = (vm["state"], vm["lcm_state"])
        following = NEXT.get(current)
        if following is None:
            return False
        if current == (PENDING, LCM_INIT):
            self.deploy(vm)
        self.move(vm, following)
        return True

    def finish(self, vm: dict[str, Any]) -> None:
        """Run ``vm`` to a stable state when ``auto_settle`` is on."""
        while self.auto_settle and self.step(vm):
            pass

    def move(self, vm: dict[str, Any], state: tuple[int, int]) -> None:
        vm["prev_state"], vm["prev_lcm_state"] = vm["state"], vm["lcm_state"]
        vm["state"], vm["lcm_state"] = state
        if vm["state"] == DONE:
            vm["etime"] = int(time.time())
            self.release(vm)

    def deploy(self, vm: dict[str, Any]) -> None:
        """The scheduler's part: a host of the cluster ``SCHED_REQUIREMENTS`` names."""
        wanted = _CLUSTER_REQUIREMENT.search(
            vm["user_template"].get("SCHED_REQUIREMENTS", "")
        )
        hosts = [
            h
            for h in self.hosts.values()
            if wanted is None or h["cluster_id"] == int(wanted.group(1))
        ]
        chosen = hosts[0]
        chosen["vms"].append(vm["id"])
        vm["deploy_id"] = f"one-{vm['id']}"
        vm["history"].append(
            {
                "hostname": chosen["name"],
                "hid": chosen["id"],
                "cid": chosen["cluster_id"],
                "stime": int(time.time()),
            }
        )

    def release(self, vm: dict[str, Any]) -> None:
        """Give back what a finished VM held: leases, host, persistent images."""
        for vnet in self.vnets.values():
            for ar in vnet["ars"]:
                ar.leases = {i: v for i, v in ar.leases.items() if v != vm["id"]}
        for host in self.hosts.values():
            if vm["id"] in host["vms"]:
                host["vms"].remove(vm["id"])
        for disk in vectors(vm["template"], "DISK"):
            self.unuse_image(int(disk.get("IMAGE_ID", -1)), vm["id"])

    def unuse_image(self, image_id: int, vm_id: int) -> None:
        found = self.images.get(image_id)
        if found is not None and vm_id in found["vms"]:
            found["vms"].remove(vm_id)
            if not found["vms"]:
                found["state"] = 1  # READY

    # -- leases ----------------------------------------------------------------------
    def lease(
        self, method: str, nic: dict[str, Any], vm_id: int, nic_id: int
    ) -> dict[str, Any]:
        """A NIC with an address from its network (the one asked for, if any)."""
        vnet = self.vnet_for(method, nic)
        wanted = nic.get("IP")
        for ar in vnet["ars"]:
            index = ar.index_of(wanted) if wanted else ar.free_index()
            if index is None:
                continue
            if index in ar.leases:
                raise OneError(
                    ALLOCATE,
                    f"[{method}] Error allocating a new virtual machine. "
                    f"IP {wanted} is already in use in network {vnet['id']}.",
                )
            ar.leases[index] = vm_id
            return {
                "AR_ID": str(ar.id),
                "BRIDGE": vnet["bridge"],
                "IP": ar.ip(index),
                "MAC": ar.mac(index),
                "NETWORK": vnet["name"],
                "NETWORK_ID": str(vnet["id"]),
                "NIC_ID": str(nic_id),
                "SECURITY_GROUPS": "0",
                "TARGET": f"one-{vm_id}-{nic_id}",
                "VN_MAD": vnet["vn_mad"],
            }
        raise OneError(
            ALLOCATE,
            f"[{method}] Error allocating a new virtual machine. "
            f"Cannot get IP/MAC lease from virtual network {vnet['id']}.",
        )

    def vnet_for(self, method: str, nic: dict[str, Any]) -> dict[str, Any]:
        if "NETWORK_ID" in nic:
            found = (
                self.vnets.get(int(nic["NETWORK_ID"]))
                if str(nic["NETWORK_ID"]).isdigit()
                else None
            )
        else:
            found = next(
                (v for v in self.vnets.values() if v["name"] == nic.get("NETWORK")),
                None,
            )
        if found is None:
            raise OneError(
                ALLOCATE,
                f"[{method}] Error allocating a new virtual machine. "
                f"Virtual network {nic.get('NETWORK_ID', nic.get('NETWORK'))} does not exist.",
            )
        return found

    def state_error(self, method: str, action: str, vm: dict[str, Any]) -> OneError:
        name = STATE_NAMES.get(vm["state"], str(vm["state"]))
        if vm["state"] == ACTIVE:
            name = LCM_NAMES.get(vm["lcm_state"], str(vm["lcm_state"]))
        return OneError(
            ACTION,
            f'[{method}] Error performing action "{action}": '
            f"This action is not available for state {name}",
        )

    def next_id(self, kind: str) -> int:
        return next(self.ids[kind])


def disk_targets(template: Template) -> set[str]:
    return {d.get("TARGET", "") for d in vectors(template, "DISK")}
