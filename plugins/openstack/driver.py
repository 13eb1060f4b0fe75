"""The openstack driver: every part of it composed into one class."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from deltaflask.plugins.openstack.base import OpenStackBase
from deltaflask.plugins.openstack.segmented import OpenStackSegmented


class OpenStackDriver(
    OpenStackSegmented,  # Swift: buckets, blobs, segmented blobs
    OpenStackBase,
):
    """OpenStack: Nova, Glance, Cinder, Neutron and Swift."""

    name: ClassVar[str] = "openstack"
    display_name: ClassVar[str] = "OpenStack"
    features: ClassVar[Mapping[str, tuple[str, ...]]] = {}
