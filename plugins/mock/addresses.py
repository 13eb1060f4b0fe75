"""Mock elastic addresses: allocate, associate with an instance, release.

As in the original mock, an associated address replaces the instance's public
addresses, and disassociating restores the instance's public host name.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

from deltaflask.drivers.base import filter_on
from deltaflask.errors import Conflict
from deltaflask.errors import Forbidden
from deltaflask.errors import ValidationFailure
from deltaflask.models import Address
from deltaflask.plugins.mock.base import MockBase

FIRST_ADDRESS = ipaddress.IPv4Address("192.168.0.1")


class MockAddresses(MockBase):
    """Address operations of the mock driver (mixed into ``MockDriver``)."""

    def addresses(self, filters: Mapping[str, Any]) -> list[Address]:
        """Addresses, filtered by id, in numeric order."""
        self.user()
        found = [
            Address(data["id"], data.get("instance_id") or None)
            for data in self.store.all("addresses")
        ]
        return sorted(filter_on(found, filters, "id"), key=lambda a: _numeric(a.id))

    def create_address(self, ip: str | None = None) -> Address:
        """Allocate ``ip`` (409 if taken), else one past every address held
        or handed out before."""
        self.user()
        with self.store.transaction():
            known = [_numeric(i) for i in self.store.ids("addresses")]
            if ip is None:
                floor = max(known, default=FIRST_ADDRESS - 1) + 1
                number = self.store.next_number("addresses", int(floor))
                chosen = ipaddress.IPv4Address(number)
            else:
                chosen = _requested(ip)
                if chosen in known:
                    raise Conflict(f"Address '{chosen}' is already allocated")
            entity = {"id": str(chosen), "instance_id": None}
            self.store.save("addresses", entity)
        return Address(entity["id"])

    def destroy_address(self, address_id: str) -> None:
        """Release an address; refused (403) while it is associated."""
        self.user()
        with self.store.transaction():
            data = self._address(address_id)
            if data.get("instance_id"):
                raise Forbidden(
                    f"Address '{address_id}' is in use by instance "
                    f"'{data['instance_id']}'"
                )
            self.store.delete("addresses", address_id)

    def associate_address(self, address_id: str, instance_id: str) -> None:
        """Bind a free address to an instance without one (403 / 409 otherwise)."""
        user = self.user()
        with self.store.transaction():
            data = self._address(address_id)
            if data.get("instance_id"):
                raise Forbidden(
                    f"Address '{address_id}' is already associated with instance "
                    f"'{data['instance_id']}'"
                )
            instance = self.store.load("instances", instance_id)
            if instance is None or instance.get("owner_id") != user:
                raise ValidationFailure(f"Instance '{instance_id}' does not exist")
            for other in self.store.all("addresses"):
                if other.get("instance_id") == instance_id:
                    raise Conflict(
                        f"Instance '{instance_id}' already has address '{other['id']}'"
                    )
            data["instance_id"] = instance_id
            instance["public_addresses"] = [{"address": address_id, "type": "ipv4"}]
            self.store.save("instances", instance)
            self.store.save("addresses", data)

    def disassociate_address(self, address_id: str) -> None:
        """Unbind an address; refused (403) when it is not associated."""
        self.user()
        with self.store.transaction():
            data = self._address(address_id)
            instance_id = data.get("instance_id")
            if not instance_id:
                raise Forbidden(f"Address '{address_id}' is not associated")
            instance = self.store.load("instances", instance_id)
            if instance is not None:
                host = f"{instance.get('image_id')}.{instance_id}.public.com"
                instance["public_addresses"] = [{"address": host, "type": "hostname"}]
                self.store.save("instances", instance)
            data["instance_id"] = None
            self.store.save("addresses", data)

    def _address(self, address_id: str) -> dict[str, Any]:
        return self.store.require("addresses", address_id, "Address")


def _requested(ip: str) -> ipaddress.IPv4Address:
    """The IPv4 address a client asked for (400 if it is not one)."""
    try:
        return ipaddress.IPv4Address(ip.strip())
    except ValueError:
        raise ValidationFailure(f"'{ip}' is not an IPv4 address") from None


def _numeric(address_id: str) -> ipaddress.IPv4Address:
    try:
        return ipaddress.IPv4Address(address_id)
    except ValueError:
        return FIRST_ADDRESS - 1
