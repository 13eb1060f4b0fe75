"""Load balancers: classic Elastic Load Balancing through the ``elb`` client."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deltaflask.drivers import LoadBalancerCreate
from deltaflask.errors import ValidationFailure
from deltaflask.models import Listener
from deltaflask.models import LoadBalancer
from deltaflask.plugins.ec2.base import Ec2Base
from deltaflask.plugins.ec2.calls import by_ids
from deltaflask.plugins.ec2.calls import lookup
from deltaflask.plugins.ec2.calls import only
from deltaflask.plugins.ec2.calls import port
from deltaflask.plugins.ec2.calls import referenced
from deltaflask.plugins.ec2.calls import timestamp
from deltaflask.plugins.ec2.errors import aws_errors

LISTENER_PROTOCOLS = ("HTTP", "HTTPS", "TCP", "SSL")


class Ec2LoadBalancers(Ec2Base):
    """Load balancer operations of the ec2 driver (mixed into ``Ec2Driver``)."""

    @property
    def elb(self) -> Any:
        """The classic ELB client."""
        return self.client("elb")

    def load_balancers(self, filters: Mapping[str, Any]) -> list[LoadBalancer]:
        """Classic load balancers, filtered by ``id`` (the balancer's name)."""
        found = lookup(
            self.elb.describe_load_balancers,
            "LoadBalancerDescriptions",
            **by_ids("LoadBalancerNames", filters),
        )
        return [to_balancer(data) for data in found]

    def create_load_balancer(self, request: LoadBalancerCreate) -> LoadBalancer:
        """Create a balancer in one availability zone with one listener."""
        name, realm_id, protocol = request.name, request.realm_id, request.protocol
        balancer_port, instance_port = request.balancer_port, request.instance_port
        protocol = (protocol or "").upper()
        if protocol not in LISTENER_PROTOCOLS:
            raise ValidationFailure(
                f"Invalid listener_protocol '{protocol}': use one of "
                + ", ".join(LISTENER_PROTOCOLS)
            )
        if not realm_id or not self.realms({"id": realm_id}):
            raise ValidationFailure(f"Realm '{realm_id}' does not exist")
        listener = {
            "Protocol": protocol,
            "LoadBalancerPort": port(balancer_port, "listener_balancer_port", 1),
            "InstancePort": port(instance_port, "listener_instance_port", 1),
        }
        with aws_errors():
            self.elb.create_load_balancer(
                LoadBalancerName=name,
                Listeners=[listener],
                AvailabilityZones=[realm_id],
            )
        return self._balancer(name)

    def destroy_load_balancer(self, balancer_id: str) -> None:
        """Delete a load balancer."""
        self._balancer(balancer_id)
        with aws_errors():
            self.elb.delete_load_balancer(LoadBalancerName=balancer_id)

    def lb_register_instance(self, balancer_id: str, instance_id: str) -> LoadBalancer:
        """Register an instance with a load balancer (400 if it does not exist)."""
        self._balancer(balancer_id)
        if not self.instances({"id": instance_id}):
            raise ValidationFailure(f"Instance '{instance_id}' does not exist")
        with referenced(f"Instance '{instance_id}'"), aws_errors():
            self.elb.register_instances_with_load_balancer(
                LoadBalancerName=balancer_id, Instances=[{"InstanceId": instance_id}]
            )
        return self._balancer(balancer_id)

    def lb_unregister_instance(
        self, balancer_id: str, instance_id: str
    ) -> LoadBalancer:
        """Unregister an instance from a load balancer."""
        self._balancer(balancer_id)
        with referenced(f"Instance '{instance_id}'"), aws_errors():
            self.elb.deregister_instances_from_load_balancer(
                LoadBalancerName=balancer_id, Instances=[{"InstanceId": instance_id}]
            )
        return self._balancer(balancer_id)

    def _balancer(self, balancer_id: str) -> LoadBalancer:
        found = self.load_balancers({"id": balancer_id})
        return only(found, f"Load balancer '{balancer_id}'")


def to_balancer(data: Mapping[str, Any]) -> LoadBalancer:
    """A load balancer from one entry of ``describe_load_balancers``."""
    name = data["LoadBalancerName"]
    return LoadBalancer(
        id=name,
        realm_ids=list(data.get("AvailabilityZones") or []),
        listeners=[
            Listener(
                protocol=item["Listener"]["Protocol"],
                load_balancer_port=str(item["Listener"]["LoadBalancerPort"]),
                instance_port=str(item["Listener"]["InstancePort"]),
                id=f"{name}-{item['Listener']['LoadBalancerPort']}",
            )
            for item in data.get("ListenerDescriptions") or ()
        ],
        instance_ids=[i["InstanceId"] for i in data.get("Instances") or ()],
        public_addresses=[data["DNSName"]] if data.get("DNSName") else [],
        created_at=timestamp(data.get("CreatedTime")),
    )
