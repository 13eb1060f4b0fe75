"""Instances: VMs created from a template in a cluster, started, stopped,
rebooted and removed.

The state machine is the original rhevm driver's: a new VM is created down
(STOPPED), ``stop`` of a RUNNING VM asks the guest to shut down (STOPPING until
it has), and ``stop`` of a STOPPING VM powers it off. ``reboot`` is the
engine's reboot action. A create that fails part-way removes every VM it made,
also one the engine made but never confirmed (a time-out), found by its name.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Mapping
from typing import Any

from deltaflask.drivers import InstanceCreate
from deltaflask.drivers.base import filter_on
from deltaflask.drivers.states import machine
from deltaflask.errors import DeltaflaskError
from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ValidationFailure
from deltaflask.models import Instance
from deltaflask.models import InstanceAddress
from deltaflask.models import InstanceProfile
from deltaflask.models import InstanceState
from deltaflask.models import NetworkBinding
from deltaflask.plugins.rhevm.base import RhevmBase
from deltaflask.plugins.rhevm.calls import ids_of
from deltaflask.plugins.rhevm.calls import listed
from deltaflask.plugins.rhevm.calls import mib
from deltaflask.plugins.rhevm.calls import timestamp
from deltaflask.plugins.rhevm.calls import value_of
from deltaflask.plugins.rhevm.catalogue import TEMPLATE_PROFILE
from deltaflask.plugins.rhevm.catalogue import cpu_count

STATE_MACHINE = machine(
    (InstanceState.START, InstanceState.PENDING, None),
    (InstanceState.PENDING, InstanceState.STOPPED, None),
    (InstanceState.STOPPED, InstanceState.RUNNING, "start"),
    (InstanceState.RUNNING, InstanceState.RUNNING, "reboot"),
    (InstanceState.RUNNING, InstanceState.STOPPING, "stop"),
    (InstanceState.STOPPING, InstanceState.STOPPED, "stop"),
    (InstanceState.STOPPED, InstanceState.FINISH, "destroy"),
)

#: engine VM status -> the contract's state (the original's mapping)
STATES = {
    "wait_for_launch": InstanceState.PENDING,
    "reboot_in_progress": InstanceState.PENDING,
    "saving_state": InstanceState.PENDING,
    "restoring_state": InstanceState.PENDING,
    "powering_up": InstanceState.PENDING,
    "image_locked": InstanceState.PENDING,
    "powering_down": InstanceState.STOPPING,
    "unassigned": InstanceState.STOPPED,
    "down": InstanceState.STOPPED,
    "paused": InstanceState.STOPPED,
    "not_responding": InstanceState.STOPPED,
    "suspended": InstanceState.STOPPED,
    "unknown": InstanceState.STOPPED,
    "up": InstanceState.RUNNING,
    "migrating": InstanceState.RUNNING,
}
#: the original's user_name constraint
NAME_MAX = 50
MAX_INSTANCE_COUNT = 20
#: sub-collections read with each VM (one request for the whole listing)
FOLLOW = "nics,disk_attachments"


class RhevmInstances(RhevmBase):
    """Instance operations of the rhevm driver (mixed into ``RhevmDriver``)."""

    def instances(self, filters: Mapping[str, Any]) -> list[Instance]:
        """VMs by ``id``, ``state`` and ``realm_id`` (cluster)."""
        service = self.system.vms_service()
        wanted = ids_of(filters)
        if wanted:
            vms = [
                vm
                for vm in (
                    self.fetched(lambda i=i: service.vm_service(i).get(follow=FOLLOW))
                    for i in wanted
                )
                if vm is not None
            ]
        else:
            vms = listed(self, service, follow=FOLLOW)
        if not vms:
            return []
        networks = self.profile_networks()
        kinds = {
            k.id: str(k.name)
            for k in listed(self, self.system.instance_types_service())
        }
        found = [to_instance(vm, networks, kinds) for vm in vms]
        return filter_on(found, filters, "state", "realm_id")

    def profile_networks(self) -> dict[str, str]:
        """vNIC profile id -> the id of its logical network."""
        profiles = listed(self, self.system.vnic_profiles_service())
        return {p.id: p.network.id for p in profiles if p.network is not None}

    # -- create ---------------------------------------------------------------------
    def create_instance(self, request: InstanceCreate) -> list[Instance]:
        """``instance_count`` VMs from the template, down (STOPPED), each with
        a NIC on ``network_id`` when given; all or none."""
        import ovirtsdk4.types as types

        vm = self._vm_request(request, types)
        profile = self._network_profile(request.network_id)
        names = self._names(request)
        made: list[str] = []
        try:
            for name in names:
                vm.name = name
                with self.engine():
                    created = self.system.vms_service().add(vm)
                made.append(created.id)
                if profile is not None:
                    with self.engine():
                        self.system.vms_service().vm_service(
                            created.id
                        ).nics_service().add(
                            types.Nic(
                                name="nic1", vnic_profile=types.VnicProfile(id=profile)
                            )
                        )
                if request.initial_state is InstanceState.RUNNING:
                    with self.engine():
                        self.system.vms_service().vm_service(created.id).start()
        except DeltaflaskError:
            self._remove_made(made, names)
            raise
        return [self._found(vm_id) for vm_id in made]

    def _vm_request(self, request: InstanceCreate, types: Any) -> Any:
        """The SDK ``Vm`` to add, after checking every part of the request."""
        for value, what in (
            (request.keyname, "key pairs (keyname)"),
            (request.password, "passwords"),
            (request.firewalls, "firewalls"),
            (request.load_balancer_id, "load balancers"),
            (request.snapshot_id, "snapshots"),
            (request.subnet_id, "subnets: place instances with network_id"),
        ):
            if value:
                raise ValidationFailure(f"rhevm has no {what}")
        if not 1 <= request.instance_count <= MAX_INSTANCE_COUNT:
            raise ValidationFailure(
                f"instance_count must be between 1 and {MAX_INSTANCE_COUNT}"
            )
        if request.name and len(request.name) > NAME_MAX:
            raise ValidationFailure(f"name must be {NAME_MAX} characters or less")
        template = self.fetched(
            self.system.templates_service().template_service(request.image_id).get
        )
        if template is None:
            raise ValidationFailure(f"Image '{request.image_id}' does not exist.")
        vm = types.Vm(
            cluster=types.Cluster(id=self._cluster(request.realm_id)),
            template=types.Template(id=template.id),
        )
        kind = self._instance_type(request)
        if kind is not None:
            vm.instance_type = types.InstanceType(id=kind)
        if request.user_data:
            vm.initialization = types.Initialization(
                custom_script=decode_user_data(request.user_data)
            )
        return vm

    def _cluster(self, realm_id: str | None) -> str:
        """``realm_id`` if it is a realm, else the first realm."""
        realms = self.realms({})
        if realm_id:
            if realm_id not in {r.id for r in realms}:
                raise ValidationFailure(f"Realm '{realm_id}' does not exist.")
            return realm_id
        if not realms:
            raise ValidationFailure("The engine has no cluster to place instances in")
        return realms[0].id

    def _instance_type(self, request: InstanceCreate) -> str | None:
        """The instance type id of ``hwp_id`` (``None``: the template's sizing)."""
        profile_id = request.hwp_id or TEMPLATE_PROFILE
        profile = self.hardware_profile(profile_id)
        if profile is None:
            raise ValidationFailure(f"Hardware profile '{profile_id}' does not exist.")
        for name, value in request.hwp_overrides.items():
            prop = profile.property(name)
            if prop is None or not prop.accepts(value):
                raise ValidationFailure(
                    f"hwp_{name}={value} is outside hardware profile '{profile_id}'"
                )
        if profile_id == TEMPLATE_PROFILE:
            return None
        kinds = listed(self, self.system.instance_types_service())
        found = next((str(k.id) for k in kinds if k.name == profile_id), None)
        if found is None:
            raise ValidationFailure(f"Hardware profile '{profile_id}' does not exist.")
        return found

    def _network_profile(self, network_id: str | None) -> str | None:
        """The vNIC profile that puts a NIC on ``network_id`` (400 if none)."""
        if not network_id:
            return None
        return self.vnic_profile_for(network_id)

    def vnic_profile_for(self, network_id: str) -> str:
        """The id of a vNIC profile of network ``network_id`` (400 if none)."""
        for profile_id, network in self.profile_networks().items():
            if network == network_id:
                return profile_id
        raise ValidationFailure(f"Network '{network_id}' does not exist.")

    def _names(self, request: InstanceCreate) -> list[str]:
        base = request.name or f"deltaflask-{secrets.token_hex(4)}"
        if request.instance_count == 1:
            return [base]
        return [f"{base}-{n}" for n in range(1, request.instance_count + 1)]

    def _remove_made(self, made: list[str], names: list[str]) -> None:
        """Remove what a failed create made: the VMs it knows of, and any VM
        the engine made under one of ``names`` without confirming it."""
        service = self.system.vms_service()
        ids = list(made)
        for name in names:
            try:
                ids += [vm.id for vm in listed(self, service, search=f"name={name}")]
            except DeltaflaskError:
                continue
        for vm_id in dict.fromkeys(ids):
            try:
                with self.engine():
                    vm = service.vm_service(vm_id)
                    if value_of(vm.get().status) != "down":
                        vm.stop()
                    vm.remove()
            except DeltaflaskError:
                continue

    # -- actions --------------------------------------------------------------------
    def start_instance(self, instance_id: str) -> Instance:
        """Start a down VM."""
        with self.engine():
            self.vm_service(instance_id).start()
        return self._found(instance_id)

    def stop_instance(self, instance_id: str) -> Instance:
        """Shut a running VM down; power off one that is shutting down."""
        service = self.vm_service(instance_id)
        with self.engine():
            if value_of(service.get().status) == "powering_down":
                service.stop()
            else:
                service.shutdown()
        return self._found(instance_id)

    def reboot_instance(self, instance_id: str) -> Instance:
        """Reboot a running VM."""
        with self.engine():
            self.vm_service(instance_id).reboot()
        return self._found(instance_id)

    def destroy_instance(self, instance_id: str) -> None:
        """Remove a down VM with its own disks; volumes attached to it are
        detached first and kept."""
        service = self.vm_service(instance_id)
        with self.engine():
            attachments = service.disk_attachments_service()
            for attachment in attachments.list():
                if not attachment.bootable:
                    attachments.attachment_service(attachment.id).remove(
                        detach_only=True
                    )
            service.remove()

    def _found(self, instance_id: str) -> Instance:
        found = self.instances({"id": instance_id})
        if not found:
            raise ObjectNotFound(f"Instance '{instance_id}' not found")
        return found[0]


def decode_user_data(value: str) -> str:
    """The classic API's base64 user data as the cloud-init text it holds."""
    try:
        return base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise ValidationFailure("user_data must be base64 encoded text") from None


def to_instance(
    vm: Any, networks: Mapping[str, str], kinds: Mapping[str, str]
) -> Instance:
    """An instance from an engine VM read with its NICs and disk attachments."""
    nics = list(vm.nics or [])
    kind = kinds.get(vm.instance_type.id) if vm.instance_type is not None else None
    return Instance(
        id=str(vm.id),
        name=vm.name,
        state=STATES.get(value_of(vm.status) or "", InstanceState.ERROR),
        image_id=vm.template.id if vm.template is not None else None,
        realm_id=vm.cluster.id if vm.cluster is not None else None,
        profile=InstanceProfile(
            kind or TEMPLATE_PROFILE,
            {"cpu": str(cpu_count(vm.cpu)), "memory": str(mib(vm.memory))},
        ),
        launch_time=timestamp(vm.creation_time),
        public_addresses=[
            InstanceAddress(nic.mac.address, "mac")
            for nic in nics
            if nic.mac is not None
        ],
        storage_volumes=[
            (str(a.id), a.logical_name) for a in vm.disk_attachments or []
        ],
        network_interfaces=[str(nic.id) for nic in nics],
        network_bindings=[
            NetworkBinding(networks[nic.vnic_profile.id], None, None)
            for nic in nics
            if nic.vnic_profile is not None and nic.vnic_profile.id in networks
        ],
    )
