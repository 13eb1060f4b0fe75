"""Mock load balancers: one listener each, realms, registered instances."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from deltaflask.drivers import LoadBalancerCreate
from deltaflask.drivers.base import filter_on
from deltaflask.errors import Conflict
from deltaflask.errors import ValidationFailure
from deltaflask.models import Listener
from deltaflask.models import LoadBalancer
from deltaflask.plugins.mock.base import MockBase
from deltaflask.plugins.mock.profiles import REALM_IDS
from deltaflask.plugins.mock.store import MockScope
from deltaflask.plugins.mock.store import check_id

LISTENER_PROTOCOLS = ("HTTP", "TCP")


class MockLoadBalancers(MockBase):
    """Load balancer operations of the mock driver (mixed into ``MockDriver``)."""

    def load_balancers(self, filters: Mapping[str, Any]) -> list[LoadBalancer]:
        """Load balancers, filtered by id."""
        self.user()
        found = [_to_balancer(data) for data in self.store.all("load_balancers")]
        return filter_on(found, filters, "id")

    def create_load_balancer(self, request: LoadBalancerCreate) -> LoadBalancer:
        """Create a load balancer with one listener."""
        name, realm_id, protocol = request.name, request.realm_id, request.protocol
        balancer_port, instance_port = request.balancer_port, request.instance_port
        self.user()
        check_id(name, "load balancer name")
        if realm_id not in REALM_IDS:
            raise ValidationFailure(f"Realm '{realm_id}' does not exist")
        protocol = (protocol or "").upper()
        if protocol not in LISTENER_PROTOCOLS:
            raise ValidationFailure(
                f"Invalid listener_protocol '{protocol}': use HTTP or TCP"
            )
        listener = {
            "protocol": protocol,
            "load_balancer_port": _port(balancer_port, "listener_balancer_port"),
            "instance_port": _port(instance_port, "listener_instance_port"),
        }
        with self.store.transaction():
            if self.store.exists("load_balancers", name):
                raise Conflict(f"Load balancer '{name}' already exists")
            entity = {
                "id": name,
                "realms": [realm_id],
                "listeners": [{"id": f"{name}-{protocol.lower()}", **listener}],
                "instances": [],
                "public_addresses": [f"{name}.lb.mock.deltacloud.org"],
                "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            }
            self.store.save("load_balancers", entity)
        return _to_balancer(entity)

    def destroy_load_balancer(self, balancer_id: str) -> None:
        """Delete a load balancer."""
        self.user()
        with self.store.transaction():
            self._balancer(balancer_id)
            self.store.delete("load_balancers", balancer_id)

    def lb_register_instance(self, balancer_id: str, instance_id: str) -> LoadBalancer:
        """Register one of the user's instances (409 if it already is)."""
        user = self.user()
        with self.store.transaction():
            data = self._balancer(balancer_id)
            instance = self.store.load("instances", instance_id)
            if instance is None or instance.get("owner_id") != user:
                raise ValidationFailure(f"Instance '{instance_id}' does not exist")
            if instance_id in data.get("instances", []):
                raise Conflict(
                    f"Instance '{instance_id}' is already registered with "
                    f"'{balancer_id}'"
                )
            data["instances"] = [*data.get("instances", []), instance_id]
            self.store.save("load_balancers", data)
        return _to_balancer(data)

    def lb_unregister_instance(
        self, balancer_id: str, instance_id: str
    ) -> LoadBalancer:
        """Unregister an instance (409 if it is not registered)."""
        self.user()
        with self.store.transaction():
            data = self._balancer(balancer_id)
            if instance_id not in data.get("instances", []):
                raise Conflict(
                    f"Instance '{instance_id}' is not registered with '{balancer_id}'"
                )
            data["instances"] = [i for i in data["instances"] if i != instance_id]
            self.store.save("load_balancers", data)
        return _to_balancer(data)

    def _balancer(self, balancer_id: str) -> dict[str, Any]:
        return self.store.require("load_balancers", balancer_id, "Load balancer")


def release_from_balancers(store: MockScope, instance_id: str) -> None:
    """Unregister a dying instance everywhere (call under the store lock)."""
    for data in store.all("load_balancers"):
        if instance_id in data.get("instances", []):
            data["instances"] = [i for i in data["instances"] if i != instance_id]
            store.save("load_balancers", data)


def _port(value: str, what: str) -> str:
    try:
        port = int(str(value).strip())
    except ValueError as exc:
        raise ValidationFailure(f"{what} must be a port number, not '{value}'") from exc
    if not 1 <= port <= 65535:
        raise ValidationFailure(f"{what} must lie between 1 and 65535")
    return str(port)


def _to_balancer(data: Mapping[str, Any]) -> LoadBalancer:
    return LoadBalancer(
        id=data["id"],
        realm_ids=list(data.get("realms", [])),
        listeners=[
            Listener(
                protocol=item["protocol"],
                load_balancer_port=str(item["load_balancer_port"]),
                instance_port=str(item["instance_port"]),
                id=item.get("id"),
            )
            for item in data.get("listeners", [])
        ],
        instance_ids=list(data.get("instances", [])),
        public_addresses=list(data.get("public_addresses", [])),
        created_at=data.get("created_at"),
    )
