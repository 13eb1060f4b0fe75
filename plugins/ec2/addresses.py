"""Addresses: Elastic IPs, allocated, associated, disassociated and released.

An address's id is its public IP, as in the original driver.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deltaflask.errors import Forbidden
from deltaflask.errors import ValidationFailure
from deltaflask.models import Address
from deltaflask.plugins.ec2.base import Ec2Base
from deltaflask.plugins.ec2.calls import ids_of
from deltaflask.plugins.ec2.calls import lookup
from deltaflask.plugins.ec2.calls import only
from deltaflask.plugins.ec2.calls import referenced
from deltaflask.plugins.ec2.calls import where
from deltaflask.plugins.ec2.errors import aws_errors


class Ec2Addresses(Ec2Base):
    """Address operations of the ec2 driver (mixed into ``Ec2Driver``)."""

    def addresses(self, filters: Mapping[str, Any]) -> list[Address]:
        """Elastic IPs, filtered by ``id`` (the public IP)."""
        wanted = ids_of(filters)
        found = lookup(
            self.ec2.describe_addresses, "Addresses", **where("public-ip", wanted)
        )
        return [Address(a["PublicIp"], a.get("InstanceId") or None) for a in found]

    def create_address(self, ip: str | None = None) -> Address:
        """Allocate a VPC Elastic IP (EC2 picks it: a chosen ``ip`` is a 400)."""
        if ip is not None:
            raise ValidationFailure(
                "EC2 allocates Elastic IPs itself; an address cannot be chosen"
            )
        with aws_errors():
            made = self.ec2.allocate_address(Domain="vpc")
        return Address(made["PublicIp"])

    def destroy_address(self, address_id: str) -> None:
        """Release an address; refused (403, as the mock) while associated."""
        data = self._address(address_id)
        if data.get("InstanceId") or data.get("AssociationId"):
            raise Forbidden(
                f"Address '{address_id}' is associated with "
                f"'{data.get('InstanceId')}': disassociate it first"
            )
        with aws_errors():
            self.ec2.release_address(AllocationId=data["AllocationId"])

    def associate_address(self, address_id: str, instance_id: str) -> None:
        """Bind an address to an instance (400 if the instance is unknown)."""
        data = self._address(address_id)
        if data.get("AssociationId"):
            raise Forbidden(
                f"Address '{address_id}' is already associated with "
                f"'{data.get('InstanceId')}'"
            )
        with referenced(f"Instance '{instance_id}'"), aws_errors():
            self.ec2.associate_address(
                AllocationId=data["AllocationId"], InstanceId=instance_id
            )

    def disassociate_address(self, address_id: str) -> None:
        """Unbind an address; refused (403) when it is not associated."""
        data = self._address(address_id)
        if not data.get("AssociationId"):
            raise Forbidden(f"Address '{address_id}' is not associated")
        with aws_errors():
            self.ec2.disassociate_address(AssociationId=data["AssociationId"])

    def _address(self, address_id: str) -> dict[str, Any]:
        found = lookup(
            self.ec2.describe_addresses, "Addresses", **where("public-ip", [address_id])
        )
        return dict(only(found, f"Address '{address_id}'"))
