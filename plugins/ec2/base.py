"""What every part of the ec2 driver shares: its clients and its settings."""

from __future__ import annotations

from typing import Any

from deltaflask.drivers import BaseDriver
from deltaflask.errors import ValidationFailure
from deltaflask.plugins.ec2.calls import lookup
from deltaflask.plugins.ec2.clients import client
from deltaflask.plugins.ec2.errors import aws_errors
from deltaflask.settings import provider_timeout

#: the regions ``/api/drivers/ec2`` lists, as the original did; any region
#: boto3 knows is accepted as the provider
REGIONS = (
    "us-west-1",
    "us-west-2",
    "ap-southeast-1",
    "ap-northeast-1",
    "eu-west-1",
    "us-east-1",
    "sa-east-1",
)


class Ec2Base(BaseDriver):
    """The base every mixin of the ec2 driver extends: clients for the
    request's region and credentials, made on first use, and the security
    group lookup that firewalls and launches share."""

    def client(self, service: str) -> Any:
        """The boto3 client of ``service`` (``ec2``, ``s3``, ``elb`` ...)."""
        endpoint = self.settings.get(f"{service.upper()}_ENDPOINT_URL") or (
            self.settings.get("EC2_ENDPOINT_URL")
        )
        with aws_errors():
            return client(
                service,
                self.credentials,
                self.provider,
                endpoint,
                provider_timeout(self.settings),
            )

    @property
    def ec2(self) -> Any:
        """The EC2 client (compute, EBS and VPC)."""
        return self.client("ec2")

    @property
    def s3(self) -> Any:
        """The S3 client (buckets and blobs)."""
        return self.client("s3")

    def security_groups(
        self, ids: list[str], vpc_id: str | None = None
    ) -> list[dict[str, Any]]:
        """Groups by id (``sg-...``) or by name, as EC2 resolves names: in the
        VPC ``vpc_id`` if given, else in the default VPC when a name is used
        in several VPCs (400 when still ambiguous)."""
        if all(i.startswith("sg-") for i in ids):
            return lookup(
                self.ec2.describe_security_groups, "SecurityGroups", GroupIds=ids
            )
        if any(i.startswith("sg-") for i in ids):
            raise ValidationFailure("Name firewalls either all by id or all by name")
        filters = [{"Name": "group-name", "Values": ids}]
        if vpc_id:
            filters.append({"Name": "vpc-id", "Values": [vpc_id]})
        groups = lookup(
            self.ec2.describe_security_groups, "SecurityGroups", Filters=filters
        )
        if vpc_id or not _named_the_same(groups):
            return groups
        default = self._default_vpc()
        kept: list[dict[str, Any]] = []
        for name in dict.fromkeys(g["GroupName"] for g in groups):
            same = [g for g in groups if g["GroupName"] == name]
            if len(same) > 1:
                same = [g for g in same if g.get("VpcId") == default]
            if len(same) != 1:
                raise ValidationFailure(
                    f"Firewall name '{name}' is used in several networks: use its id"
                )
            kept += same
        return kept

    def _default_vpc(self) -> str | None:
        vpcs = lookup(
            self.ec2.describe_vpcs,
            "Vpcs",
            Filters=[{"Name": "is-default", "Values": ["true"]}],
        )
        return str(vpcs[0]["VpcId"]) if vpcs else None


def _named_the_same(groups: list[dict[str, Any]]) -> bool:
    names = [g["GroupName"] for g in groups]
    return len(names) != len(set(names))


def region_endpoints(region: str) -> dict[str, str]:
    """The public endpoints of ``region`` by service kind, as the original had."""
    s3 = "s3.amazonaws.com" if region == "us-east-1" else f"s3-{region}.amazonaws.com"
    return {
        "s3": s3,
        "elb": f"elasticloadbalancing.{region}.amazonaws.com",
        "ec2": f"ec2.{region}.amazonaws.com",
        "mon": f"monitoring.{region}.amazonaws.com",
    }
