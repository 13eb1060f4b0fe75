"""Instances: virtual machines cloned from templates, powered on and off,
reset and destroyed.

vSphere's power states map onto the state machine: ``poweredOn`` is RUNNING,
``poweredOff`` and ``suspended`` are STOPPED. ``stop`` is a hard power-off and
``reboot`` a hard reset (a guest shutdown would need VMware Tools in the
guest); vCenter destroys only VMs that are not powered on. A launch clones
the template (powered off), resizes the clone to the hardware profile, then
powers it on; when any step fails or times out, every VM the launch made is
destroyed again before the error is answered.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Mapping
from typing import Any

from deltaflask.drivers import InstanceCreate
from deltaflask.drivers.base import as_list
from deltaflask.drivers.base import filter_on
from deltaflask.drivers.states import machine
from deltaflask.errors import Conflict
from deltaflask.errors import DeltaflaskError
from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ValidationFailure
from deltaflask.models import Instance
from deltaflask.models import InstanceAddress
from deltaflask.models import InstanceProfile
from deltaflask.models import InstanceState
from deltaflask.models import NetworkBinding
from deltaflask.plugins.vsphere.errors import vsphere_errors
from deltaflask.plugins.vsphere.images import VsphereImages
from deltaflask.plugins.vsphere.images import profile_id
from deltaflask.plugins.vsphere.images import size_of
from deltaflask.plugins.vsphere.inventory import Found
from deltaflask.plugins.vsphere.networks import VsphereNetworks
from deltaflask.plugins.vsphere.realms import Placement
from deltaflask.plugins.vsphere.realms import VsphereRealms

STATE_MACHINE = machine(
    (InstanceState.START, InstanceState.PENDING, None),
    (InstanceState.PENDING, InstanceState.RUNNING, None),
    (InstanceState.RUNNING, InstanceState.RUNNING, "reboot"),
    (InstanceState.RUNNING, InstanceState.STOPPED, "stop"),
    (InstanceState.STOPPED, InstanceState.RUNNING, "start"),
    (InstanceState.STOPPED, InstanceState.FINISH, "destroy"),
)

#: vSphere power state -> the contract's state
STATES = {
    "poweredOn": InstanceState.RUNNING,
    "poweredOff": InstanceState.STOPPED,
    "suspended": InstanceState.STOPPED,
}
VM_PATHS = (
    "name",
    "config.template",
    "config.hardware.numCPU",
    "config.hardware.memoryMB",
    "config.extraConfig",
    "runtime.powerState",
    "runtime.host",
    "runtime.bootTime",
    "guest.ipAddress",
    "network",
)
#: the extraConfig key a clone keeps its template's id in
IMAGE_KEY = "deltaflask.image_id"
MAX_INSTANCE_COUNT = 10
MAX_NAME_LENGTH = 80


class VsphereInstances(VsphereImages, VsphereRealms, VsphereNetworks):
    """Instance operations of the vsphere driver (mixed into ``VsphereDriver``)."""

    # -- reading ---------------------------------------------------------------
    def instances(self, filters: Mapping[str, Any]) -> list[Instance]:
        """Virtual machines (not templates) by ``id``, ``state`` and ``realm_id``."""
        from pyVmomi import vim

        wanted = as_list(filters["id"]) if filters.get("id") else None
        if wanted is not None:
            vms = [
                vm
                for vm_id in wanted
                if (vm := self.fetch_one(vim.VirtualMachine, vm_id, VM_PATHS))
            ]
        else:
            vms = self.fetch(vim.VirtualMachine, VM_PATHS)
        vms = [vm for vm in vms if not vm.get("config.template")]
        realms = self.realm_of_hosts() if vms else {}
        found = [to_instance(vm, realms) for vm in vms]
        return filter_on(found, filters, "state", "realm_id")

    def instance_actions(self, instance: Instance) -> list[str]:
        """The state machine's actions for the instance's state."""
        return STATE_MACHINE.actions_for(instance.state)

    # -- launching ---------------------------------------------------------------
    def create_instance(self, request: InstanceCreate) -> list[Instance]:
        """Clone ``instance_count`` VMs from the template ``image_id``."""
        count = request.instance_count
        if not 1 <= count <= MAX_INSTANCE_COUNT:
            raise ValidationFailure(
                f"instance_count must be between 1 and {MAX_INSTANCE_COUNT}"
            )
        template = self.template(request.image_id)
        if template is None:
            raise ValidationFailure(f"Image '{request.image_id}' does not exist.")
        if request.subnet_id:
            raise ValidationFailure("vSphere port groups have no subnets")
        size = self._checked_size(request)
        where = self._placement(request.realm_id, template)
        backing = self.nic_backing(request.network_id) if request.network_id else None
        names = self._free_names(request, template, where)
        power_on = request.initial_state is not InstanceState.STOPPED
        made: list[Any] = []
        try:
            for name in names:
                made.append(self._clone(template, name, where, size, backing, power_on))
        except DeltaflaskError:
            for vm in made:
                self._discard(vm)
            raise
        return self.instances({"id": [str(vm._moId) for vm in made]})

    def _checked_size(self, request: InstanceCreate) -> tuple[int, int] | None:
        """The (vCPUs, MB) of the asked profile; ``None`` keeps the template's."""
        if not request.hwp_id:
            if request.hwp_overrides:
                raise ValidationFailure("hwp_* values need a hwp_id")
            return None
        profile = self.hardware_profile(request.hwp_id)
        if profile is None:
            raise ValidationFailure(
                f"Hardware profile '{request.hwp_id}' does not exist."
            )
        for name, value in request.hwp_overrides.items():
            prop = profile.property(name)
            if prop is None or not prop.accepts(value):
                raise ValidationFailure(
                    f"hwp_{name}={value} is outside hardware profile '{profile.id}'"
                )
        cpu, memory = profile.property("cpu"), profile.property("memory")
        return (int(cpu.value), int(memory.value)) if cpu and memory else None

    def _placement(self, realm_id: str | None, template: Found) -> Placement:
        """The realm asked for, else the template's own."""
        if realm_id:
            return self.placement(realm_id)
        host = template.get("runtime.host")
        realm = self.realm_of_hosts().get(str(host._moId)) if host else None
        if realm is None:
            raise ValidationFailure(
                f"Image '{template.id}' is on no host: name a realm_id"
            )
        return self.placement(realm)

    def _free_names(
        self, request: InstanceCreate, template: Found, where: Placement
    ) -> list[str]:
        """The new VMs' names (``name``, or ``name-1`` ... for several), none
        of them in use in the destination folder (409 otherwise)."""
        count = request.instance_count
        if request.name:
            base = request.name.strip()
            names = (
                [base] if count == 1 else [f"{base}-{n}" for n in range(1, count + 1)]
            )
        else:
            names = [
                f"{template.get('name')}-{secrets.token_hex(4)}" for _ in range(count)
            ]
        for name in names:
            if not name or len(name) > MAX_NAME_LENGTH or not name.isprintable():
                raise ValidationFailure(
                    f"An instance name has 1 to {MAX_NAME_LENGTH} printable characters"
                )
            if self._named(where, name) is not None:
                raise Conflict(f"A virtual machine named '{name}' already exists")
        return names

    def _named(self, where: Placement, name: str) -> Any:
        with vsphere_errors():
            return self.session.content.searchIndex.FindChild(where.folder, name)

    def _clone(
        self,
        template: Found,
        name: str,
        where: Placement,
        size: tuple[int, int] | None,
        backing: Any,
        power_on: bool,
    ) -> Any:
        """One clone on the placement's host, resized, connected to a network
        card ``backing`` and powered on as asked;
        destroyed again if any step fails (a clone vCenter finished after the
        call failed included)."""
        from pyVmomi import vim

        spec = vim.vm.CloneSpec(
            location=vim.vm.RelocateSpec(pool=where.pool, host=where.host),
            powerOn=False,
            template=False,
            config=vim.vm.ConfigSpec(
                extraConfig=[vim.option.OptionValue(key=IMAGE_KEY, value=template.id)]
            ),
        )
        try:
            with vsphere_errors():
                task = template.obj.CloneVM_Task(
                    folder=where.folder, name=name, spec=spec
                )
            vm = self.wait(task)
        except DeltaflaskError:
            with contextlib.suppress(DeltaflaskError):
                left = self._named(where, name)
                if left is not None:
                    self._discard(left)
            raise
        try:
            with vsphere_errors():
                if vm.runtime.host != where.host:  # (vcsim keeps the template's)
                    moved = vim.vm.RelocateSpec(pool=where.pool, host=where.host)
                    self.wait(vm.RelocateVM_Task(spec=moved))
                if size is not None and size != size_of(template):
                    cpus, memory = size
                    config = vim.vm.ConfigSpec(numCPUs=cpus, memoryMB=memory)
                    self.wait(vm.ReconfigVM_Task(spec=config))
                if backing is not None:
                    self.wait(vm.ReconfigVM_Task(spec=_connected(vm, backing)))
                if power_on:
                    self.wait(vm.PowerOnVM_Task())
        except DeltaflaskError:
            self._discard(vm)
            raise
        return vm

    def _discard(self, vm: Any) -> None:
        """Power a VM this driver made off and destroy it (best effort: the
        error that made the launch fail is the one answered)."""
        with contextlib.suppress(DeltaflaskError):
            with contextlib.suppress(Conflict), vsphere_errors():
                self.wait(vm.PowerOffVM_Task())
            with vsphere_errors():
                self.wait(vm.Destroy_Task())

    # -- power -----------------------------------------------------------------
    def start_instance(self, instance_id: str) -> Instance:
        """Power a VM on."""
        return self._power(instance_id, "PowerOnVM_Task")

    def stop_instance(self, instance_id: str) -> Instance:
        """Power a VM off (hard)."""
        return self._power(instance_id, "PowerOffVM_Task")

    def reboot_instance(self, instance_id: str) -> Instance:
        """Reset a VM (hard)."""
        return self._power(instance_id, "ResetVM_Task")

    def destroy_instance(self, instance_id: str) -> None:
        """Destroy a VM that is not powered on (409 while it is)."""
        vm = self._vm(instance_id)
        with vsphere_errors():
            self.wait(vm.Destroy_Task())

    def _power(self, instance_id: str, method: str) -> Instance:
        vm = self._vm(instance_id)
        with vsphere_errors():
            self.wait(getattr(vm, method)())
        found = self.instances({"id": instance_id})
        if not found:
            raise ObjectNotFound(f"Instance '{instance_id}' not found")
        return found[0]

    def _vm(self, instance_id: str) -> Any:
        """The VM ``instance_id`` (404 when it is unknown or a template)."""
        from pyVmomi import vim

        found = self.fetch_one(vim.VirtualMachine, instance_id, ("config.template",))
        if found is None or found.get("config.template"):
            raise ObjectNotFound(f"Instance '{instance_id}' not found")
        return found.obj


def _connected(vm: Any, backing: Any) -> Any:
    """A config change putting the VM's first network card on ``backing``
    (a new card when it has none)."""
    from pyVmomi import vim

    change = vim.vm.device.VirtualDeviceSpec
    cards = [
        device
        for device in vm.config.hardware.device
        if isinstance(device, vim.vm.device.VirtualEthernetCard)
    ]
    if cards:
        card, operation = cards[0], change.Operation.edit
        card.backing = backing
    else:
        card = vim.vm.device.VirtualVmxnet3(backing=backing, addressType="generated")
        operation = change.Operation.add
    return vim.vm.ConfigSpec(deviceChange=[change(operation=operation, device=card)])


def to_instance(vm: Found, realms: Mapping[str, str]) -> Instance:
    """An instance from a VM's properties (``realms``: host id -> realm id)."""
    host = vm.get("runtime.host")
    booted = vm.get("runtime.bootTime")
    ip = vm.get("guest.ipAddress")
    extra = {o.key: o.value for o in vm.get("config.extraConfig") or ()}
    power = str(vm.get("runtime.powerState"))
    return Instance(
        id=vm.id,
        name=str(vm.get("name")),
        state=STATES.get(power, InstanceState.PENDING),
        image_id=extra.get(IMAGE_KEY),
        realm_id=realms.get(str(host._moId)) if host is not None else None,
        profile=InstanceProfile(profile_id(*size_of(vm))),
        launch_time=booted.isoformat() if booted else None,
        private_addresses=[InstanceAddress(ip)] if ip else [],
        network_bindings=[
            NetworkBinding(str(net._moId), None, None)
            for net in vm.get("network") or ()
        ],
        extra={"power_state": power},
    )
