"""Instances are Nova servers, each placed on a network through a Neutron
port the driver creates (and deletes with the server).

A server's addresses, network bindings and firewalls come from its Neutron
ports and floating IPs, looked up side by side with the server itself. The
original driver's state machine is kept, with start and stop added (Nova has
them now); launches, stops, starts, reboots and deletes wait until Nova is
done, so the answer shows where the instance ended up.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Mapping
from typing import Any

from deltaflask.drivers import InstanceCreate
from deltaflask.drivers.base import as_list
from deltaflask.drivers.base import filter_on
from deltaflask.drivers.states import machine
from deltaflask.errors import ValidationFailure
from deltaflask.models import Instance
from deltaflask.models import InstanceAddress
from deltaflask.models import InstanceProfile
from deltaflask.models import InstanceState
from deltaflask.models import NetworkBinding
from deltaflask.plugins.openstack.base import OpenStackBase
from deltaflask.plugins.openstack.base import side_by_side
from deltaflask.plugins.openstack.calls import as_sent
from deltaflask.plugins.openstack.calls import by_id
from deltaflask.plugins.openstack.calls import one
from deltaflask.plugins.openstack.errors import openstack_errors

STATE_MACHINE = machine(
    (InstanceState.START, InstanceState.PENDING, "create"),
    (InstanceState.PENDING, InstanceState.RUNNING, None),
    (InstanceState.RUNNING, InstanceState.RUNNING, "reboot"),
    (InstanceState.RUNNING, InstanceState.STOPPING, "stop"),
    (InstanceState.STOPPING, InstanceState.STOPPED, None),
    (InstanceState.STOPPED, InstanceState.RUNNING, "start"),
    (InstanceState.STOPPED, InstanceState.FINISH, "destroy"),
    (InstanceState.RUNNING, InstanceState.FINISH, "destroy"),
    (InstanceState.ERROR, InstanceState.FINISH, "destroy"),
)

#: Nova server status -> the contract's state (others are PENDING)
STATES = {
    "ACTIVE": InstanceState.RUNNING,
    "REBOOT": InstanceState.RUNNING,
    "HARD_REBOOT": InstanceState.RUNNING,
    "PASSWORD": InstanceState.RUNNING,
    "RESCUE": InstanceState.RUNNING,
    "SHUTOFF": InstanceState.STOPPED,
    "PAUSED": InstanceState.STOPPED,
    "SUSPENDED": InstanceState.STOPPED,
    "SHELVED": InstanceState.STOPPED,
    "SHELVED_OFFLOADED": InstanceState.STOPPED,
    "ERROR": InstanceState.ERROR,
    "DELETED": InstanceState.FINISH,
    "SOFT_DELETED": InstanceState.FINISH,
}
#: Nova task states that say where a server is going
TASK_STATES = {
    "powering-off": InstanceState.STOPPING,
    "deleting": InstanceState.FINISH,
}
MAX_INSTANCE_COUNT = 20
#: the description of the ports the driver creates for its instances
PORT_DESCRIPTION = "deltaflask instance port"


class OpenStackInstances(OpenStackBase):
    """Instance operations of the openstack driver."""

    def instances(self, filters: Mapping[str, Any]) -> list[Instance]:
        """Instances by ``id``, ``state`` and ``realm_id`` (availability zone)."""
        compute = self.connection().compute
        network = self.connection().network
        project = self.project_id
        wanted = filters.get("id")

        def servers() -> list[Any]:
            if wanted:
                return by_id(compute.get_server, wanted)
            return list(compute.servers(details=True))

        servers_found, ports, floating = side_by_side(
            servers,
            lambda: list(network.ports(project_id=project)),
            lambda: list(network.ips(project_id=project)),
        )
        found = [to_instance(s, ports, floating) for s in servers_found]
        if filters.get("realm_id"):
            realms = as_list(filters["realm_id"])
            found = [i for i in found if i.realm_id in realms]
        return filter_on(found, filters, "state")

    def create_instance(self, request: InstanceCreate) -> list[Instance]:
        """Launch ``instance_count`` servers, each on a new port."""
        count = request.instance_count
        if not 1 <= count <= MAX_INSTANCE_COUNT:
            raise ValidationFailure(
                f"instance_count must be between 1 and {MAX_INSTANCE_COUNT}"
            )
        arguments = self._launch_arguments(request)
        placement = self._placement(request)
        groups = self._group_ids(request.firewalls)
        base_name = request.name or f"deltaflask-{secrets.token_hex(4)}"
        ids = []
        for index in range(count):
            name = base_name if count == 1 else f"{base_name}-{index + 1}"
            ids.append(self._launch(name, arguments, placement, groups))
        if request.initial_state is InstanceState.STOPPED:
            for server_id in ids:
                self.stop_instance(server_id)
        launched = self.instances({"id": ids})
        for instance in launched:
            instance.user_data = request.user_data
        return launched

    def _launch(
        self,
        name: str,
        arguments: dict[str, Any],
        placement: dict[str, Any],
        groups: list[str] | None,
    ) -> str:
        """Boot one server on a new port; wait until it is ACTIVE."""
        conn = self.connection()
        port_arguments = dict(placement)
        if groups is not None:
            port_arguments["security_group_ids"] = groups
        with openstack_errors():
            port = conn.network.create_port(
                name=f"{name}-port", description=PORT_DESCRIPTION, **port_arguments
            )
        server = None
        try:
            with openstack_errors():
                server = conn.compute.create_server(
                    name=name, networks=[{"port": port.id}], **arguments
                )
            self.wait_for(server, "ACTIVE", conn.compute)
        except Exception:
            self._remove_server(server, [port.id])
            raise
        return str(server.id)

    def _launch_arguments(self, request: InstanceCreate) -> dict[str, Any]:
        """Nova's arguments for image, flavor, realm, key, user data, password."""
        conn = self.connection()
        if not by_id(conn.image.get_image, request.image_id):
            raise ValidationFailure(f"Image '{request.image_id}' does not exist.")
        arguments: dict[str, Any] = {
            "image_id": request.image_id,
            "flavor_id": self._checked_flavor(request),
        }
        if request.realm_id:
            if self.realm(request.realm_id) is None:
                raise ValidationFailure(f"Realm '{request.realm_id}' does not exist.")
            arguments["availability_zone"] = request.realm_id
        if request.keyname:
            with openstack_errors():
                key = conn.compute.find_keypair(request.keyname)
            if key is None:
                raise ValidationFailure(f"Key '{request.keyname}' does not exist.")
            arguments["key_name"] = request.keyname
        if request.user_data:
            check_user_data(request.user_data)
            arguments["user_data"] = request.user_data
        if request.password:
            arguments["admin_password"] = request.password
        return arguments

    def _checked_flavor(self, request: InstanceCreate) -> str:
        """The id of the flavor named by ``hwp_id`` (the smallest if none)."""
        with openstack_errors():
            flavors = list(self.connection().compute.flavors(details=True))
        if not flavors:
            raise ValidationFailure("The cloud offers no flavors.")
        if request.hwp_id:
            named = [f for f in flavors if request.hwp_id in (f.name, f.id)]
            if not named:
                raise ValidationFailure(
                    f"Hardware profile '{request.hwp_id}' does not exist."
                )
            flavor = named[0]
        else:
            flavor = min(flavors, key=lambda f: (f.ram or 0, f.vcpus or 0, f.name))
        values = {"cpu": flavor.vcpus, "memory": flavor.ram, "storage": flavor.disk}
        for name, value in request.hwp_overrides.items():
            if name not in values or str(values[name]) != str(value):
                raise ValidationFailure(
                    f"hwp_{name}={value} is outside hardware profile '{flavor.name}'"
                )
        return str(flavor.id)

    def _placement(self, request: InstanceCreate) -> dict[str, Any]:
        """Where the new port goes: the network (and subnet) asked for, or
        the default network."""
        network = self.connection().network
        if not request.network_id and not request.subnet_id:
            return {"network_id": self._default_network()}
        if request.subnet_id:
            subnet = by_id(network.get_subnet, request.subnet_id)
            if not subnet:
                raise ValidationFailure(f"Subnet '{request.subnet_id}' does not exist.")
            network_id = request.network_id or subnet[0].network_id
            if subnet[0].network_id != network_id:
                raise ValidationFailure(
                    f"Subnet '{request.subnet_id}' is not in network '{network_id}'"
                )
            return {
                "network_id": network_id,
                "fixed_ips": [{"subnet_id": request.subnet_id}],
            }
        if not by_id(network.get_network, request.network_id):
            raise ValidationFailure(f"Network '{request.network_id}' does not exist.")
        return {"network_id": request.network_id}

    def _default_network(self) -> str:
        """The oldest internal network with a router to an external network
        (so floating IPs reach it), else the oldest internal network."""
        network = self.connection().network
        networks, interfaces = side_by_side(
            lambda: list(network.networks(is_router_external=False)),
            lambda: list(network.ports(device_owner="network:router_interface")),
        )
        networks = [n for n in networks if n.subnet_ids]
        if not networks:
            raise ValidationFailure(
                "The project has no network with a subnet: create one or name it "
                "with network_id"
            )
        routed = {port.network_id for port in interfaces}
        return str(
            min(networks, key=lambda n: (n.id not in routed, n.created_at or "")).id
        )

    def _group_ids(self, firewalls: list[str]) -> list[str] | None:
        """Security group ids for firewall ids or names (400 if one is
        unknown); ``None`` keeps the project's default group."""
        if not firewalls:
            return None
        with openstack_errors():
            groups = list(
                self.connection().network.security_groups(project_id=self.project_id)
            )
        ids = []
        for wanted in firewalls:
            match = [g.id for g in groups if wanted in (g.id, g.name)]
            if not match:
                raise ValidationFailure(f"Firewall '{wanted}' does not exist.")
            ids.append(match[0])
        return ids

    def start_instance(self, instance_id: str) -> Instance:
        """Start a stopped server; answer once it is ACTIVE."""
        return self._act(instance_id, "start_server", "ACTIVE")

    def stop_instance(self, instance_id: str) -> Instance:
        """Stop a running server; answer once it is SHUTOFF."""
        return self._act(instance_id, "stop_server", "SHUTOFF")

    def reboot_instance(self, instance_id: str) -> Instance:
        """Reboot a running server (soft); answer once it is ACTIVE again."""
        compute = self.connection().compute
        server = one(compute.get_server, instance_id, "Instance")
        with openstack_errors():
            compute.reboot_server(server, "SOFT")
        self.wait_for(server, "ACTIVE", compute)
        return self._found(instance_id)

    def _act(self, instance_id: str, action: str, status: str) -> Instance:
        compute = self.connection().compute
        server = one(compute.get_server, instance_id, "Instance")
        with openstack_errors():
            getattr(compute, action)(server)
        self.wait_for(server, status, compute)
        return self._found(instance_id)

    def destroy_instance(self, instance_id: str) -> None:
        """Delete a server and the ports the driver made for it."""
        conn = self.connection()
        server = one(conn.compute.get_server, instance_id, "Instance")
        with openstack_errors():
            ports = [
                p.id
                for p in conn.network.ports(device_id=server.id)
                if p.description == PORT_DESCRIPTION
            ]
        self._remove_server(server, ports)

    def _remove_server(self, server: Any, port_ids: list[str]) -> None:
        """Delete ``server`` (if any), wait until it is gone, then its ports."""
        conn = self.connection()
        if server is not None:
            with openstack_errors():
                conn.compute.delete_server(server)
            self.wait_gone(server, conn.compute)
        with openstack_errors():
            for port_id in port_ids:
                conn.network.delete_port(port_id)

    def _found(self, instance_id: str) -> Instance:
        found = self.instances({"id": instance_id})
        if not found:
            raise ValidationFailure(f"Instance '{instance_id}' does not exist.")
        return found[0]


def check_user_data(value: str) -> None:
    """Refuse user data that is not base64 (Nova takes it encoded)."""
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailure("user_data must be base64 encoded") from None


def state_of(server: Any) -> InstanceState:
    """The contract's state of a Nova server (its task state first)."""
    task = TASK_STATES.get(server.task_state or "")
    if task is not None:
        return task
    return STATES.get((server.status or "").upper(), InstanceState.PENDING)


def to_instance(server: Any, ports: list[Any], floating: list[Any]) -> Instance:
    """An instance from a Nova server, its Neutron ports and floating IPs."""
    own_ports = [p for p in ports if p.device_id == server.id]
    port_ids = {p.id for p in own_ports}
    public = [
        InstanceAddress(ip.floating_ip_address, "ipv4")
        for ip in floating
        if ip.port_id in port_ids
    ]
    bindings = [
        NetworkBinding(p.network_id, fixed.get("subnet_id"), fixed.get("ip_address"))
        for p in own_ports
        for fixed in p.fixed_ips or ()
    ]
    private = [
        InstanceAddress(b.ip_address, _ip_type(b.ip_address))
        for b in bindings
        if b.ip_address
    ]
    groups = list(
        dict.fromkeys(g for p in own_ports for g in (p.security_group_ids or ()))
    )
    flavor = as_sent(server, "flavor") or {}
    image = as_sent(server, "image") or {}
    state = state_of(server)
    return Instance(
        id=server.id,
        name=server.name,
        state=state,
        owner_id=server.user_id or server.project_id,
        image_id=image.get("id") or None,
        realm_id=server.availability_zone or None,
        profile=InstanceProfile(str(flavor.get("original_name") or flavor.get("id"))),
        launch_time=server.launched_at or server.created_at,
        public_addresses=public,
        private_addresses=private,
        keyname=server.key_name or None,
        create_image=state in (InstanceState.RUNNING, InstanceState.STOPPED),
        firewalls=groups,
        storage_volumes=[(v["id"], None) for v in server.attached_volumes or ()],
        network_interfaces=[p.id for p in own_ports] or None,
        network_bindings=bindings,
        extra={"status": server.status, "task_state": server.task_state},
    )


def _ip_type(address: str) -> str:
    return "ipv6" if ":" in address else "ipv4"
