"""The ec2 driver: every part of it composed into one class."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from deltaflask.plugins.ec2.account import Ec2Account
from deltaflask.plugins.ec2.addresses import Ec2Addresses
from deltaflask.plugins.ec2.base import REGIONS
from deltaflask.plugins.ec2.base import region_endpoints
from deltaflask.plugins.ec2.blobs import Ec2Blobs
from deltaflask.plugins.ec2.buckets import Ec2Buckets
from deltaflask.plugins.ec2.firewalls import Ec2Firewalls
from deltaflask.plugins.ec2.images import Ec2Images
from deltaflask.plugins.ec2.instances import STATE_MACHINE
from deltaflask.plugins.ec2.instances import Ec2Instances
from deltaflask.plugins.ec2.keys import Ec2Keys
from deltaflask.plugins.ec2.load_balancers import Ec2LoadBalancers
from deltaflask.plugins.ec2.networks import Ec2Networks
from deltaflask.plugins.ec2.realms_profiles import Ec2RealmsProfiles
from deltaflask.plugins.ec2.segmented import Ec2Segmented
from deltaflask.plugins.ec2.snapshots import Ec2Snapshots
from deltaflask.plugins.ec2.volumes import Ec2Volumes


class Ec2Driver(
    Ec2Account,
    Ec2RealmsProfiles,
    Ec2Images,
    Ec2Instances,
    Ec2Keys,
    Ec2Addresses,
    Ec2Firewalls,
    Ec2LoadBalancers,
    Ec2Networks,
    Ec2Volumes,
    Ec2Snapshots,
    Ec2Buckets,
    Ec2Blobs,
    Ec2Segmented,
):
    """Amazon EC2, EBS, VPC and S3."""

    name: ClassVar[str] = "ec2"
    display_name: ClassVar[str] = "Amazon EC2"
    features: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "instances": (
            "user_data",
            "authentication_key",
            "firewalls",
            "instance_count",
            "metrics",
            "attach_snapshot",
            "realm_filter",
            "network_placement",
            "register_to_load_balancer",
        ),
        "images": ("owner_id", "image_name", "image_description"),
        "keys": ("import_key",),
        "storage_volumes": ("volume_name", "volume_description"),
        "buckets": ("bucket_location",),
    }
    state_machine = STATE_MACHINE
    providers: ClassVar[Mapping[str, Mapping[str, str]]] = {
        region: region_endpoints(region) for region in REGIONS
    }
