"""What every part of the ec2 driver shares: its clients and its settings."""

from __future__ import annotations

from typing import Any

from deltaflask.drivers import BaseDriver
from deltaflask.plugins.ec2.clients import client

#: the regions listed by ``/api/drivers/ec2`` (the provider is a region)
REGIONS = (
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ca-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-central-1",
    "eu-north-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-south-1",
    "sa-east-1",
)


class Ec2Base(BaseDriver):
    """Clients for the request's region and credentials, made on first use."""

    def client(self, service: str) -> Any:
        """The boto3 client of ``service`` (``ec2``, ``s3``, ``elb`` ...)."""
        endpoint = self.settings.get(f"{service.upper()}_ENDPOINT_URL") or (
            self.settings.get("EC2_ENDPOINT_URL")
        )
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
    """The public EC2 and S3 endpoints of ``region``."""
    return {
        "ec2": f"https://ec2.{region}.amazonaws.com",
        "s3": f"https://s3.{region}.amazonaws.com",
    }
