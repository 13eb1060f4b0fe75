"""The openstack driver: every part of it composed into one class."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from deltaflask.plugins.openstack.addresses import OpenStackAddresses
from deltaflask.plugins.openstack.firewalls import OpenStackFirewalls
from deltaflask.plugins.openstack.images import OpenStackImages
from deltaflask.plugins.openstack.instances import STATE_MACHINE
from deltaflask.plugins.openstack.instances import OpenStackInstances
from deltaflask.plugins.openstack.keys import OpenStackKeys
from deltaflask.plugins.openstack.networks import OpenStackNetworks
from deltaflask.plugins.openstack.realms_profiles import OpenStackRealmsProfiles
from deltaflask.plugins.openstack.segmented import OpenStackSegmented
from deltaflask.plugins.openstack.volumes import OpenStackVolumes


class OpenStackDriver(
    OpenStackRealmsProfiles,
    OpenStackImages,
    OpenStackInstances,
    OpenStackKeys,
    OpenStackAddresses,
    OpenStackFirewalls,
    OpenStackVolumes,
    OpenStackNetworks,
    OpenStackSegmented,  # Swift: buckets, blobs, segmented blobs
):
    """OpenStack: Nova, Glance, Cinder, Neutron and Swift."""

    name: ClassVar[str] = "openstack"
    display_name: ClassVar[str] = "OpenStack"
    features: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "instances": (
            "user_name",
            "user_data",
            "authentication_key",
            "authentication_password",
            "firewalls",
            "instance_count",
            "realm_filter",
            "network_placement",
        ),
        "images": ("owner_id", "image_name", "image_description"),
        "keys": ("import_key",),
        "storage_volumes": ("volume_name", "volume_description"),
    }
    state_machine = STATE_MACHINE
