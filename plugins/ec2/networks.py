"""Networks: VPCs as networks, their subnets, and network interfaces (ENIs).

A network's address blocks are its subnets' blocks, or the VPC block while it
has none (as the original did). An interface is created in a subnet (or in
the only subnet of a VPC) and attached to the instance at the next free slot.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deltaflask.drivers import SubnetCreate
from deltaflask.drivers.base import filter_on
from deltaflask.errors import Conflict
from deltaflask.errors import DeltaflaskError
from deltaflask.errors import ValidationFailure
from deltaflask.models import Network
from deltaflask.models import NetworkInterface
from deltaflask.models import Subnet
from deltaflask.plugins.ec2.base import Ec2Base
from deltaflask.plugins.ec2.calls import by_ids
from deltaflask.plugins.ec2.calls import cidr
from deltaflask.plugins.ec2.calls import ids_of
from deltaflask.plugins.ec2.calls import lookup
from deltaflask.plugins.ec2.calls import only
from deltaflask.plugins.ec2.calls import referenced
from deltaflask.plugins.ec2.calls import tag
from deltaflask.plugins.ec2.calls import tagged
from deltaflask.plugins.ec2.calls import where
from deltaflask.plugins.ec2.errors import aws_errors

#: the VPC block used when a network is created without one
DEFAULT_NETWORK_BLOCK = "10.0.0.0/16"


def _state(value: str | None) -> str:
    return "UP" if value == "available" else str(value or "unknown").upper()


class Ec2Networks(Ec2Base):
    """Network operations of the ec2 driver (mixed into ``Ec2Driver``)."""

    # networks ------------------------------------------------------------------
    def networks(self, filters: Mapping[str, Any]) -> list[Network]:
        """VPCs, filtered by ``id``."""
        vpcs = lookup(self.ec2.describe_vpcs, "Vpcs", **by_ids("VpcIds", filters))
        if not vpcs:
            return []
        subnets = lookup(
            self.ec2.describe_subnets,
            "Subnets",
            **where("vpc-id", [v["VpcId"] for v in vpcs]),
        )
        return [to_network(vpc, subnets) for vpc in vpcs]

    def create_network(self, name: str | None, address_block: str | None) -> Network:
        """Create a VPC (``10.0.0.0/16`` when no block is given)."""
        block = cidr(address_block) if address_block else DEFAULT_NETWORK_BLOCK
        with aws_errors():
            vpc = self.ec2.create_vpc(CidrBlock=block, **tagged("vpc", name))["Vpc"]
        return to_network(vpc, [])

    def destroy_network(self, network_id: str) -> None:
        """Delete a VPC (409 while it has subnets or other dependents)."""
        with aws_errors():
            self.ec2.delete_vpc(VpcId=network_id)

    # subnets -------------------------------------------------------------------
    def subnets(self, filters: Mapping[str, Any]) -> list[Subnet]:
        """Subnets, filtered by ``id`` and ``network_id``."""
        found = lookup(
            self.ec2.describe_subnets,
            "Subnets",
            **where("vpc-id", ids_of(filters, "network_id")),
            **by_ids("SubnetIds", filters),
        )
        return filter_on([to_subnet(s) for s in found], filters, "id")

    def create_subnet(self, request: SubnetCreate) -> Subnet:
        """Create a subnet in a VPC, in availability zone ``realm_id`` if given
        (400 if the VPC, the block or the zone is wrong)."""
        network_id, address_block = request.network_id, request.address_block
        name, realm_id = request.name, request.realm_id
        kwargs: dict[str, Any] = {
            "VpcId": network_id,
            "CidrBlock": cidr(address_block),
        }
        if realm_id:
            kwargs["AvailabilityZone"] = realm_id
        kwargs.update(tagged("subnet", name))
        with referenced(f"Network '{network_id}'"), aws_errors():
            subnet = self.ec2.create_subnet(**kwargs)["Subnet"]
        return to_subnet(subnet)

    def destroy_subnet(self, subnet_id: str) -> None:
        """Delete a subnet (409 while instances or interfaces use it)."""
        users = lookup(
            self.ec2.describe_network_interfaces,
            "NetworkInterfaces",
            **where("subnet-id", [subnet_id]),
        )
        if users:
            raise Conflict(
                f"Subnet '{subnet_id}' is in use by: "
                + ", ".join(_user(n) for n in users)
            )
        with aws_errors():
            self.ec2.delete_subnet(SubnetId=subnet_id)

    # network interfaces --------------------------------------------------------
    def network_interfaces(self, filters: Mapping[str, Any]) -> list[NetworkInterface]:
        """ENIs, filtered by ``id`` and ``instance_id``."""
        kwargs: dict[str, Any] = {
            **where("attachment.instance-id", ids_of(filters, "instance_id")),
            **by_ids("NetworkInterfaceIds", filters),
        }
        found = lookup(
            self.ec2.describe_network_interfaces, "NetworkInterfaces", **kwargs
        )
        return [to_interface(data) for data in found]

    def create_network_interface(
        self, instance_id: str, network_id: str, name: str | None
    ) -> NetworkInterface:
        """Create an ENI in a subnet (or a VPC's only subnet) and attach it."""
        instance = self._instance_data(instance_id)
        subnet_id = self._interface_subnet(network_id)
        with aws_errors():
            made = self.ec2.create_network_interface(
                SubnetId=subnet_id, **tagged("network-interface", name)
            )["NetworkInterface"]
        interface_id = made["NetworkInterfaceId"]
        taken = {
            n.get("Attachment", {}).get("DeviceIndex", 0)
            for n in instance.get("NetworkInterfaces") or ()
        }
        index = next(i for i in range(len(taken) + 1) if i not in taken)
        try:
            with aws_errors():
                self.ec2.attach_network_interface(
                    NetworkInterfaceId=interface_id,
                    InstanceId=instance_id,
                    DeviceIndex=index,
                )
        except DeltaflaskError:
            with aws_errors():
                self.ec2.delete_network_interface(NetworkInterfaceId=interface_id)
            raise
        return self._interface(interface_id)

    def destroy_network_interface(self, interface_id: str) -> None:
        """Detach (if attached) and delete an ENI."""
        found = lookup(
            self.ec2.describe_network_interfaces,
            "NetworkInterfaces",
            NetworkInterfaceIds=[interface_id],
        )
        interface = only(found, f"Network interface '{interface_id}'")
        attachment = interface.get("Attachment") or {}
        with aws_errors():
            if attachment.get("AttachmentId"):
                self.ec2.detach_network_interface(
                    AttachmentId=attachment["AttachmentId"], Force=True
                )
            self.ec2.delete_network_interface(NetworkInterfaceId=interface_id)

    def _interface(self, interface_id: str) -> NetworkInterface:
        found = self.network_interfaces({"id": interface_id})
        return only(found, f"Network interface '{interface_id}'")

    def _instance_data(self, instance_id: str) -> dict[str, Any]:
        reservations = lookup(
            self.ec2.describe_instances, "Reservations", InstanceIds=[instance_id]
        )
        for reservation in reservations:
            for data in reservation.get("Instances") or ():
                return dict(data)
        raise ValidationFailure(f"Instance '{instance_id}' does not exist")

    def _interface_subnet(self, network_id: str) -> str:
        if network_id.startswith("subnet-"):
            if not lookup(self.ec2.describe_subnets, "Subnets", SubnetIds=[network_id]):
                raise ValidationFailure(f"Subnet '{network_id}' does not exist")
            return network_id
        if not lookup(self.ec2.describe_vpcs, "Vpcs", VpcIds=[network_id]):
            raise ValidationFailure(f"Network or subnet '{network_id}' does not exist")
        subnets = lookup(
            self.ec2.describe_subnets, "Subnets", **where("vpc-id", [network_id])
        )
        if len(subnets) != 1:
            raise ValidationFailure(
                f"Network '{network_id}' has {len(subnets)} subnets: name one "
                "of them as the network of the interface"
            )
        return str(subnets[0]["SubnetId"])


def _user(interface: Mapping[str, Any]) -> str:
    """Who holds an interface: its instance, else the interface itself."""
    attachment = interface.get("Attachment") or {}
    return str(attachment.get("InstanceId") or interface["NetworkInterfaceId"])


def to_network(vpc: Mapping[str, Any], subnets: list[dict[str, Any]]) -> Network:
    """A network from a VPC and the subnets (of any VPC) described with it."""
    mine = sorted(
        (s for s in subnets if s.get("VpcId") == vpc["VpcId"]),
        key=lambda s: s["SubnetId"],
    )
    return Network(
        id=vpc["VpcId"],
        name=tag(vpc) or vpc["VpcId"],
        state=_state(vpc.get("State")),
        address_blocks=[s["CidrBlock"] for s in mine] or [vpc["CidrBlock"]],
        subnet_ids=[s["SubnetId"] for s in mine],
    )


def to_subnet(data: Mapping[str, Any]) -> Subnet:
    """A subnet from one entry of ``describe_subnets``."""
    return Subnet(
        id=data["SubnetId"],
        name=tag(data) or data["SubnetId"],
        network_id=data["VpcId"],
        address_block=data["CidrBlock"],
        state=_state(data.get("State")),
        type="PUBLIC" if data.get("MapPublicIpOnLaunch") else "PRIVATE",
        realm_id=data.get("AvailabilityZone"),
    )


def to_interface(data: Mapping[str, Any]) -> NetworkInterface:
    """A network interface from one entry of ``describe_network_interfaces``."""
    return NetworkInterface(
        id=data["NetworkInterfaceId"],
        name=tag(data) or data["NetworkInterfaceId"],
        instance_id=(data.get("Attachment") or {}).get("InstanceId"),
        network_id=data.get("VpcId"),
        subnet_id=data.get("SubnetId"),
        ip_address=data.get("PrivateIpAddress"),
    )
