"""What every part of the ec2 driver shares: its clients and its settings."""

from __future__ import annotations

from typing import Any

from deltaflask.drivers import BaseDriver
from deltaflask.plugins.ec2.clients import client
from deltaflask.plugins.ec2.errors import aws_errors

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
    """Clients for the request's region and credentials, made on first use."""

    def client(self, service: str) -> Any:
        """The boto3 client of ``service`` (``ec2``, ``s3``, ``elb`` ...)."""
        endpoint = self.settings.get(f"{service.upper()}_ENDPOINT_URL") or (
            self.settings.get("EC2_ENDPOINT_URL")
        )
        with aws_errors():
            return client(service, self.credentials, self.provider, endpoint)

    @property
    def ec2(self) -> Any:
        """The EC2 client (compute, EBS and VPC)."""
        return self.client("ec2")

    @property
    def s3(self) -> Any:
        """The S3 client (buckets and blobs)."""
        return self.client("s3")


def region_endpoints(region: str) -> dict[str, str]:
    """The public endpoints of ``region`` by service kind, as the original had."""
    s3 = "s3.amazonaws.com" if region == "us-east-1" else f"s3-{region}.amazonaws.com"
    return {
        "s3": s3,
        "elb": f"elasticloadbalancing.{region}.amazonaws.com",
        "ec2": f"ec2.{region}.amazonaws.com",
        "mon": f"monitoring.{region}.amazonaws.com",
    }
