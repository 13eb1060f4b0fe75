"""Instances from OpenNebula VMs: instantiate, poweroff/resume, reboot, terminate.

A VM's ``STATE`` and, while ACTIVE, its ``LCM_STATE`` map onto the original
driver's state machine; OpenNebula also terminates a VM that is pending or
powered off, so ``destroy`` is offered there too. Everything a launch names
(template, profile, cluster, network, address range) is checked before the
first VM is instantiated, and if a later one of several fails, those already
made are terminated: a refused launch leaves no VM behind.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from collections.abc import Mapping
from typing import Any

from deltaflask.drivers import InstanceCreate
from deltaflask.drivers.base import filter_on
from deltaflask.drivers.states import machine
from deltaflask.errors import Conflict
from deltaflask.errors import DeltaflaskError
from deltaflask.errors import MethodNotAllowed
from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ValidationFailure
from deltaflask.models import Instance
from deltaflask.models import InstanceAddress
from deltaflask.models import InstanceProfile
from deltaflask.models import InstanceState
from deltaflask.models import NetworkBinding
from deltaflask.plugins.opennebula.addressing import parse_subnet_id
from deltaflask.plugins.opennebula.addressing import ranges
from deltaflask.plugins.opennebula.addressing import subnet_id
from deltaflask.plugins.opennebula.base import ALL_VISIBLE
from deltaflask.plugins.opennebula.base import NOT_DONE
from deltaflask.plugins.opennebula.base import OneBase
from deltaflask.plugins.opennebula.base import one_id
from deltaflask.plugins.opennebula.base import pool_items
from deltaflask.plugins.opennebula.base import timestamp
from deltaflask.plugins.opennebula.base import vectors
from deltaflask.plugins.opennebula.base import wanted_ids
from deltaflask.plugins.opennebula.templates import capacity
from deltaflask.plugins.opennebula.templates import to_profile

S = InstanceState
STATE_MACHINE = machine(
    (S.START, S.PENDING, "create"),
    (S.PENDING, S.RUNNING, None),
    (S.PENDING, S.FINISH, "destroy"),
    (S.STOPPED, S.RUNNING, "start"),
    (S.RUNNING, S.RUNNING, "reboot"),
    (S.RUNNING, S.STOPPING, "stop"),
    (S.STOPPING, S.STOPPED, None),
    (S.RUNNING, S.STOPPING, "destroy"),
    (S.STOPPING, S.FINISH, None),
    (S.STOPPED, S.FINISH, "destroy"),
)
#: VM STATE -> the contract's state (ACTIVE is decided by LCM_STATE)
VM_STATES = {
    0: S.PENDING,  # INIT
    1: S.PENDING,  # PENDING
    2: S.PENDING,  # HOLD
    4: S.STOPPED,  # STOPPED
    5: S.STOPPED,  # SUSPENDED
    6: S.FINISH,  # DONE
    7: S.ERROR,  # FAILED
    8: S.STOPPED,  # POWEROFF
    9: S.STOPPED,  # UNDEPLOYED
    10: S.PENDING,  # CLONING
    11: S.ERROR,  # CLONING_FAILURE
}
ACTIVE = 3
#: LCM states of an ACTIVE VM that are not RUNNING
#: LCM_INIT, PROLOG, BOOT, PROLOG_RESUME, CLEANUP_RESUBMIT, BOOT_UNKNOWN,
#: BOOT_POWEROFF, BOOT_SUSPENDED, BOOT_STOPPED, PROLOG_UNDEPLOY, BOOT_UNDEPLOY,
#: BOOT_MIGRATE
LCM_PENDING = frozenset({0, 1, 2, 9, 15, 19, 20, 21, 22, 31, 32, 35})
#: SAVE_STOP, SAVE_SUSPEND, EPILOG_STOP, EPILOG, SHUTDOWN, CANCEL,
#: SHUTDOWN_POWEROFF, CLEANUP_DELETE, SHUTDOWN_UNDEPLOY, EPILOG_UNDEPLOY
LCM_STOPPING = frozenset({5, 6, 10, 11, 12, 13, 18, 23, 29, 30})
#: FAILURE, UNKNOWN and every *_FAILURE state
LCM_ERROR = frozenset({14, 16, 36, 37, 38, 39, 40, 41, 42, 44, 46, 47, 48, 49, 50, 61})
#: the contract's actions as ``one.vm.action`` names
ACTIONS = {
    "start": "resume",
    "stop": "poweroff",
    "reboot": "reboot",
    "destroy": "terminate",
}
MAX_INSTANCE_COUNT = 20
_CLUSTER_REQUIREMENT = re.compile(r'^CLUSTER_ID\s*=\s*"?(\d+)"?$')


def one_state(state: Any, lcm_state: Any) -> InstanceState:
    """The contract's state of a VM in ``STATE`` / ``LCM_STATE``."""
    state = int(state)
    if state != ACTIVE:
        return VM_STATES.get(state, S.PENDING)
    lcm = int(lcm_state)
    if lcm in LCM_PENDING:
        return S.PENDING
    if lcm in LCM_STOPPING:
        return S.STOPPING
    if lcm in LCM_ERROR:
        return S.ERROR
    return S.RUNNING


def realm_of(vm: Any) -> str | None:
    """The cluster a VM runs in (its last host's), else the one it asked for."""
    history = getattr(vm.HISTORY_RECORDS, "HISTORY", None) or []
    if history:
        return str(history[-1].CID)
    asked = _CLUSTER_REQUIREMENT.match(
        str((vm.USER_TEMPLATE or {}).get("SCHED_REQUIREMENTS", "")).strip()
    )
    return asked.group(1) if asked else None


def to_instance(vm: Any) -> Instance:
    """An instance from a ``VM`` document."""
    template = vm.TEMPLATE or {}
    nics = vectors(template, "NIC")
    image_id = template.get("TEMPLATE_ID")
    profile = {"cpu": str(template.get("VCPU", 1))}
    if template.get("MEMORY"):
        profile["memory"] = str(template["MEMORY"])
    return Instance(
        id=str(vm.ID),
        name=str(vm.NAME),
        state=one_state(vm.STATE, vm.LCM_STATE),
        owner_id=str(vm.UNAME),
        image_id=str(image_id) if image_id is not None else None,
        realm_id=realm_of(vm),
        profile=InstanceProfile(str(image_id or ""), profile),
        launch_time=timestamp(vm.STIME),
        public_addresses=[InstanceAddress(str(n["IP"])) for n in nics if n.get("IP")],
        storage_volumes=[
            (str(d["IMAGE_ID"]), f"/dev/{d['TARGET']}" if d.get("TARGET") else None)
            for d in vectors(template, "DISK")
            if d.get("PERSISTENT") == "YES" and d.get("IMAGE_ID") is not None
        ],
        network_bindings=[
            NetworkBinding(
                str(n["NETWORK_ID"]),
                subnet_id(n["NETWORK_ID"], n["AR_ID"]) if "AR_ID" in n else None,
                str(n["IP"]) if n.get("IP") else None,
            )
            for n in nics
            if n.get("NETWORK_ID") is not None
        ],
    )


def decode_user_data(value: str) -> str:
    """The classic API's base64 user data, checked (OpenNebula takes it encoded)."""
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailure("user_data must be base64 encoded") from None
    return value


class OneInstances(OneBase):
    """Instance operations of the opennebula driver."""

    def instances(self, filters: Mapping[str, Any]) -> list[Instance]:
        """VMs by ``id`` (a terminated one shows as FINISH), ``state`` and
        ``realm_id``; the listing leaves out terminated VMs, as oned does."""
        ids = wanted_ids(filters)
        if ids:
            vms = [vm for i in ids if (vm := self.info("vm.info", i)) is not None]
        else:
            pool = self.call("vmpool.infoextended", ALL_VISIBLE, -1, -1, NOT_DONE)
            vms = pool_items(pool, "VM")
        found = [to_instance(vm) for vm in vms]
        return filter_on(found, filters, "state", "realm_id")

    def create_instance(self, request: InstanceCreate) -> list[Instance]:
        """Instantiate the template ``image_id`` ``instance_count`` times."""
        if not 1 <= request.instance_count <= MAX_INSTANCE_COUNT:
            raise ValidationFailure(
                f"instance_count must be between 1 and {MAX_INSTANCE_COUNT}"
            )
        if request.keyname or request.password:
            raise ValidationFailure(
                "opennebula takes no key or password at launch: put SSH_PUBLIC_KEY "
                "in the template's CONTEXT"
            )
        if request.initial_state is InstanceState.STOPPED:
            raise ValidationFailure("opennebula launches instances running only")
        template = self.info("template.info", request.image_id)
        if template is None:
            raise ValidationFailure(f"Image '{request.image_id}' does not exist.")
        extras = self._extra_templates(request, template.TEMPLATE or {})
        made: list[int] = []
        try:
            for extra in extras:
                made.append(
                    self.call(
                        "template.instantiate",
                        int(template.ID),
                        request.name or "",
                        False,
                        {"TEMPLATE": extra} if extra else "",
                        False,
                    )
                )
        except DeltaflaskError as exc:
            left = self._terminate_all(made)
            if left:
                exc.message += f" (VMs {left} of this launch could not be terminated)"
            raise
        return [to_instance(self.call("vm.info", vm_id)) for vm_id in made]

    def _terminate_all(self, vm_ids: list[int]) -> list[int]:
        """Take back the VMs of a launch that failed part way; those oned
        would not terminate."""
        left = []
        for vm_id in vm_ids:
            try:
                self.call("vm.action", "terminate-hard", vm_id)
            except DeltaflaskError:
                left.append(vm_id)
        return left

    def _extra_templates(
        self, request: InstanceCreate, template: Mapping[str, Any]
    ) -> list[dict[str, Any]]:
        """What instantiate merges into the template, for each instance: the
        profile's capacity, the cluster requirement, the user data and the
        NIC (with an address of its own when a subnet is asked for)."""
        extra: dict[str, Any] = {}
        if request.hwp_id or request.hwp_overrides:
            extra.update(self._profile_capacity(request))
        if request.realm_id:
            extra["SCHED_REQUIREMENTS"] = self._realm_requirement(
                request.realm_id, template
            )
        if request.user_data:
            context = template.get("CONTEXT")
            extra["CONTEXT"] = {
                **(dict(context) if isinstance(context, Mapping) else {}),
                "USER_DATA": decode_user_data(request.user_data),
                "USERDATA_ENCODING": "base64",
            }
        count = request.instance_count
        if not (request.network_id or request.subnet_id):
            return [extra] * count
        nic, addresses = self._nic(request)
        if not addresses:
            return [{**extra, "NIC": nic}] * count
        return [{**extra, "NIC": {**nic, "IP": ip}} for ip in addresses]

    def _profile_capacity(self, request: InstanceCreate) -> dict[str, str]:
        profile_id = request.hwp_id or request.image_id
        source = self.info("template.info", profile_id)
        if source is None:
            raise ValidationFailure(f"Hardware profile '{profile_id}' does not exist.")
        profile = to_profile(source)
        for name, value in request.hwp_overrides.items():
            prop = profile.property(name)
            if prop is None or not prop.accepts(value):
                raise ValidationFailure(
                    f"hwp_{name}={value} is outside hardware profile '{profile_id}'"
                )
        return capacity(source.TEMPLATE or {})

    def _realm_requirement(self, realm_id: str, template: Mapping[str, Any]) -> str:
        if self.info("cluster.info", realm_id) is None:
            raise ValidationFailure(f"Realm '{realm_id}' does not exist.")
        requirement = f'CLUSTER_ID = "{int(realm_id)}"'
        own = str(template.get("SCHED_REQUIREMENTS", "")).strip()
        return f"({own}) & {requirement}" if own else requirement

    def _nic(self, request: InstanceCreate) -> tuple[dict[str, str], list[str]]:
        """A NIC on the network and, when a subnet is asked for, a free
        address of it for each instance."""
        where = parse_subnet_id(request.subnet_id) if request.subnet_id else None
        if request.subnet_id and where is None:
            raise ValidationFailure(f"Subnet '{request.subnet_id}' does not exist.")
        network_id = request.network_id or str(where[0] if where else "")
        vnet = self.info("vn.info", network_id)
        if vnet is None:
            raise ValidationFailure(f"Network '{network_id}' does not exist.")
        nic = {"NETWORK_ID": str(vnet.ID)}
        if where is None:
            return nic, []
        if where[0] != int(vnet.ID):
            raise ValidationFailure(
                f"Subnet '{request.subnet_id}' is not in network '{network_id}'"
            )
        ar = next((a for a in ranges(vnet) if int(a.AR_ID) == where[1]), None)
        if ar is None:
            raise ValidationFailure(f"Subnet '{request.subnet_id}' does not exist.")
        free = _free_addresses(ar, request.subnet_id, request.instance_count)
        return nic, free

    def start_instance(self, instance_id: str) -> Instance:
        """Resume a powered-off VM."""
        return self._act("start", instance_id)

    def stop_instance(self, instance_id: str) -> Instance:
        """Power a running VM off."""
        return self._act("stop", instance_id)

    def reboot_instance(self, instance_id: str) -> Instance:
        """Reboot a running VM."""
        return self._act("reboot", instance_id)

    def destroy_instance(self, instance_id: str) -> None:
        """Terminate a VM."""
        self._act("destroy", instance_id)

    def _act(self, action: str, instance_id: str) -> Instance:
        number = one_id(instance_id)
        if number is None:
            raise ObjectNotFound(f"Instance '{instance_id}' not found")
        self.call("vm.action", ACTIONS[action], number, action_error=MethodNotAllowed)
        return to_instance(self.call("vm.info", number))


def _free_addresses(ar: Any, subnet: str, count: int) -> list[str]:
    """The first ``count`` addresses of an AR no lease holds (409 if fewer)."""
    used = {str(lease.IP) for lease in (getattr(ar.LEASES, "LEASE", None) or [])}
    first = ipaddress.IPv4Address(str(ar.IP))
    free = [
        address
        for index in range(int(ar.SIZE))
        if (address := str(first + index)) not in used
    ][:count]
    if len(free) < count:
        raise Conflict(f"Subnet '{subnet}' has no free address for {count} instances")
    return free
