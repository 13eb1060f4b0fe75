"""The ec2 driver: every part of it composed into one class."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from deltaflask.plugins.ec2.base import REGIONS
from deltaflask.plugins.ec2.base import Ec2Base
from deltaflask.plugins.ec2.base import region_endpoints


class Ec2Driver(Ec2Base):
    """Amazon EC2, EBS, VPC and S3."""

    name: ClassVar[str] = "ec2"
    display_name: ClassVar[str] = "Amazon EC2"
    providers: ClassVar[Mapping[str, Mapping[str, str]]] = {
        region: region_endpoints(region) for region in REGIONS
    }
