"""Instances: launch with the declared features, start, stop, reboot, terminate.

EC2's state names map onto the original ec2 driver's state machine; an
instance-store (non-EBS) instance cannot stop, so its ``stop`` becomes
``destroy`` and it has no ``start``, as in the original.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from collections.abc import Mapping
from typing import Any

from deltaflask.drivers import InstanceCreate
from deltaflask.drivers.base import filter_on
from deltaflask.drivers.states import machine
from deltaflask.errors import ValidationFailure
from deltaflask.models import Instance
from deltaflask.models import InstanceAddress
from deltaflask.models import InstanceProfile
from deltaflask.models import InstanceState
from deltaflask.models import NetworkBinding
from deltaflask.plugins.ec2.base import Ec2Base
from deltaflask.plugins.ec2.calls import by_ids
from deltaflask.plugins.ec2.calls import ids_of
from deltaflask.plugins.ec2.calls import lookup
from deltaflask.plugins.ec2.calls import only
from deltaflask.plugins.ec2.calls import paged
from deltaflask.plugins.ec2.calls import referenced
from deltaflask.plugins.ec2.calls import tag
from deltaflask.plugins.ec2.calls import tagged
from deltaflask.plugins.ec2.calls import timestamp
from deltaflask.plugins.ec2.calls import where
from deltaflask.plugins.ec2.errors import aws_errors
from deltaflask.plugins.ec2.realms_profiles import DEFAULT_PROFILE

STATE_MACHINE = machine(
    (InstanceState.START, InstanceState.PENDING, None),
    (InstanceState.PENDING, InstanceState.RUNNING, None),
    (InstanceState.RUNNING, InstanceState.RUNNING, "reboot"),
    (InstanceState.RUNNING, InstanceState.STOPPING, "stop"),
    (InstanceState.STOPPING, InstanceState.STOPPED, None),
    (InstanceState.STOPPED, InstanceState.RUNNING, "start"),
    (InstanceState.STOPPED, InstanceState.FINISH, "destroy"),
)

#: EC2 state name -> the contract's state
STATES = {
    "pending": InstanceState.PENDING,
    "running": InstanceState.RUNNING,
    "stopping": InstanceState.STOPPING,
    "shutting-down": InstanceState.STOPPING,
    "stopped": InstanceState.STOPPED,
    "terminated": InstanceState.FINISH,
}
MAX_INSTANCE_COUNT = 100


class Ec2Instances(Ec2Base):
    """Instance operations of the ec2 driver (mixed into ``Ec2Driver``)."""

    def instances(self, filters: Mapping[str, Any]) -> list[Instance]:
        """Instances by ``id``, ``state`` and ``realm_id`` (availability zone)."""
        kwargs: dict[str, Any] = {
            **by_ids("InstanceIds", filters),
            **where("availability-zone", ids_of(filters, "realm_id")),
        }
        found = []
        for reservation in self._reservations(**kwargs):
            owner = reservation.get("OwnerId")
            found.extend(to_instance(data, owner) for data in reservation["Instances"])
        return filter_on(found, filters, "state")

    def _reservations(self, **kwargs: Any) -> list[dict[str, Any]]:
        if "InstanceIds" in kwargs:
            return lookup(self.ec2.describe_instances, "Reservations", **kwargs)
        return paged(self.ec2, "describe_instances", "Reservations", **kwargs)

    def instance_actions(self, instance: Instance) -> list[str]:
        """The state machine's actions; instance-store roots cannot stop.

        EC2 also terminates an instance while it stops, so ``destroy`` is
        offered in ``STOPPING`` too: a stop then destroy (the EC2 frontend's
        TerminateInstances of a running instance) works on a real EC2, where
        stopping takes a while.
        """
        actions = STATE_MACHINE.actions_for(instance.state)
        if instance.state == InstanceState.STOPPING:
            actions = [*actions, "destroy"]
        if instance.extra.get("root_device_type") == "instance-store":
            actions = ["destroy" if a == "stop" else a for a in actions if a != "start"]
        return actions

    def create_instance(self, request: InstanceCreate) -> list[Instance]:
        """Launch ``instance_count`` instances with the requested features."""
        kwargs = self._launch_arguments(request)
        with referenced("A resource named in the request"), aws_errors():
            reservation = self.ec2.run_instances(**kwargs)
        launched = [
            to_instance(data, reservation.get("OwnerId"))
            for data in reservation["Instances"]
        ]
        ids = [i.id for i in launched]
        with aws_errors():
            if request.load_balancer_id:
                self.client("elb").register_instances_with_load_balancer(
                    LoadBalancerName=request.load_balancer_id,
                    Instances=[{"InstanceId": i} for i in ids],
                )
            if request.initial_state is InstanceState.STOPPED:
                self.ec2.stop_instances(InstanceIds=ids)
        if request.load_balancer_id or request.initial_state:
            launched = self.instances({"id": ids})
        data = kwargs.get("UserData")
        for instance in launched:
            instance.user_data = data.decode("utf-8", "replace") if data else None
        return launched

    def _launch_arguments(self, request: InstanceCreate) -> dict[str, Any]:
        count = request.instance_count
        if not 1 <= count <= MAX_INSTANCE_COUNT:
            raise ValidationFailure(
                f"instance_count must be between 1 and {MAX_INSTANCE_COUNT}"
            )
        if request.password:
            raise ValidationFailure(
                "ec2 logs in with key pairs: use keyname, not password"
            )
        if not lookup(self.ec2.describe_images, "Images", ImageIds=[request.image_id]):
            raise ValidationFailure(f"Image '{request.image_id}' does not exist.")
        kwargs: dict[str, Any] = {
            "ImageId": request.image_id,
            "MinCount": count,
            "MaxCount": count,
            "InstanceType": self._checked_type(request),
        }
        if request.realm_id:
            kwargs["Placement"] = {"AvailabilityZone": request.realm_id}
        if request.keyname:
            kwargs["KeyName"] = self._checked_key(request.keyname)
        if request.user_data:
            kwargs["UserData"] = decode_user_data(request.user_data)
        if request.metrics:
            kwargs["Monitoring"] = {"Enabled": True}
        subnet = self._placement_subnet(request)
        if subnet:
            kwargs["SubnetId"] = subnet
        if request.firewalls:
            kwargs["SecurityGroupIds"] = self._group_ids(request.firewalls, subnet)
        if request.snapshot_id:
            if not request.device_name:
                raise ValidationFailure("snapshot_id needs device_name")
            kwargs["BlockDeviceMappings"] = [
                {
                    "DeviceName": request.device_name,
                    "Ebs": {"SnapshotId": request.snapshot_id},
                }
            ]
        return {**kwargs, **tagged("instance", request.name)}

    def _checked_type(self, request: InstanceCreate) -> str:
        type_name = request.hwp_id or DEFAULT_PROFILE
        profile = self.hardware_profile(type_name)
        if profile is None:
            raise ValidationFailure(f"Hardware profile '{type_name}' does not exist.")
        for name, value in request.hwp_overrides.items():
            prop = profile.property(name)
            if prop is None or not prop.accepts(value):
                raise ValidationFailure(
                    f"hwp_{name}={value} is outside hardware profile '{type_name}'"
                )
        return type_name

    def _checked_key(self, name: str) -> str:
        """The key pair name, if the pair exists (some EC2 clones never check)."""
        if not lookup(self.ec2.describe_key_pairs, "KeyPairs", KeyNames=[name]):
            raise ValidationFailure(f"Key '{name}' does not exist.")
        return name

    def _group_ids(self, firewalls: list[str], subnet: str | None) -> list[str]:
        """Security group ids for firewall ids or names (400 if one is unknown);
        names are looked up in the VPC of ``subnet`` (else the default VPC)."""
        ids = [f for f in firewalls if f.startswith("sg-")]
        names = [f for f in firewalls if not f.startswith("sg-")]
        if names:
            vpc = None
            if subnet:
                found = lookup(self.ec2.describe_subnets, "Subnets", SubnetIds=[subnet])
                vpc = found[0]["VpcId"] if found else None
            groups = {
                g["GroupName"]: g["GroupId"] for g in self.security_groups(names, vpc)
            }
            unknown = [n for n in names if n not in groups]
            if unknown:
                raise ValidationFailure(f"Firewall '{unknown[0]}' does not exist.")
            ids += [groups[n] for n in names]
        return ids

    def _placement_subnet(self, request: InstanceCreate) -> str | None:
        """The subnet to launch into: the one asked for, or the network's only one."""
        if not request.network_id:
            return request.subnet_id
        kwargs = where("vpc-id", [request.network_id])
        if request.subnet_id:
            kwargs["SubnetIds"] = [request.subnet_id]
        subnets = lookup(self.ec2.describe_subnets, "Subnets", **kwargs)
        if request.realm_id:
            subnets = [s for s in subnets if s["AvailabilityZone"] == request.realm_id]
        if request.subnet_id:
            if not subnets:
                raise ValidationFailure(
                    f"Subnet '{request.subnet_id}' is not in network "
                    f"'{request.network_id}'"
                )
            return request.subnet_id
        if not subnets:
            raise ValidationFailure(
                f"Network '{request.network_id}' has no subnet to place instances in"
            )
        return str(sorted(subnets, key=lambda s: s["SubnetId"])[0]["SubnetId"])

    def start_instance(self, instance_id: str) -> Instance:
        """Start a stopped instance."""
        return self._after(self.ec2.start_instances, instance_id)

    def stop_instance(self, instance_id: str) -> Instance:
        """Stop a running instance."""
        return self._after(self.ec2.stop_instances, instance_id)

    def reboot_instance(self, instance_id: str) -> Instance:
        """Reboot a running instance."""
        return self._after(self.ec2.reboot_instances, instance_id)

    def _after(self, call: Callable[..., Any], instance_id: str) -> Instance:
        """The instance after ``call`` (start, stop, reboot) acted on it."""
        with aws_errors():
            call(InstanceIds=[instance_id])
        return self._found(instance_id)

    def destroy_instance(self, instance_id: str) -> None:
        """Terminate an instance."""
        with aws_errors():
            self.ec2.terminate_instances(InstanceIds=[instance_id])

    def _found(self, instance_id: str) -> Instance:
        return only(self.instances({"id": instance_id}), f"Instance '{instance_id}'")


def decode_user_data(value: str) -> bytes:
    """The classic API's base64 user data, decoded (boto3 encodes it again);
    binary data such as gzipped cloud-init is kept as it is."""
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailure("user_data must be base64 encoded") from None


def _addresses(data: Mapping[str, Any], kind: str) -> list[InstanceAddress]:
    found = []
    ip = data.get(f"{kind}IpAddress")
    if ip:
        found.append(InstanceAddress(ip, "ipv4"))
    host = data.get(f"{kind}DnsName")
    if host:
        found.append(InstanceAddress(host, "hostname"))
    return found


def to_instance(data: Mapping[str, Any], owner_id: str | None) -> Instance:
    """An instance from one entry of ``describe_instances``."""
    vpc = data.get("VpcId")
    bindings = (
        [NetworkBinding(vpc, data.get("SubnetId"), data.get("PrivateIpAddress"))]
        if vpc
        else []
    )
    root_type = data.get("RootDeviceType")
    state = STATES.get(data.get("State", {}).get("Name", ""), InstanceState.PENDING)
    return Instance(
        id=data["InstanceId"],
        name=tag(data) or data["InstanceId"],
        state=state,
        owner_id=owner_id,
        image_id=data.get("ImageId"),
        realm_id=data.get("Placement", {}).get("AvailabilityZone"),
        profile=InstanceProfile(
            str(data.get("InstanceType") or DEFAULT_PROFILE),
            {"architecture": arch} if (arch := data.get("Architecture")) else {},
        ),
        launch_time=timestamp(data.get("LaunchTime")),
        public_addresses=_addresses(data, "Public"),
        private_addresses=_addresses(data, "Private"),
        keyname=data.get("KeyName"),
        create_image=root_type == "ebs" and state is not InstanceState.FINISH,
        firewalls=[g["GroupId"] for g in data.get("SecurityGroups") or ()],
        storage_volumes=[
            (m["Ebs"]["VolumeId"], m.get("DeviceName"))
            for m in data.get("BlockDeviceMappings") or ()
            if m.get("Ebs", {}).get("VolumeId")
        ],
        network_interfaces=[
            n["NetworkInterfaceId"] for n in data.get("NetworkInterfaces") or ()
        ]
        or None,
        network_bindings=bindings,
        extra={"root_device_type": root_type},
    )
