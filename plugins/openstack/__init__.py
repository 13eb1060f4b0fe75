"""The OpenStack driver plugin: Nova, Glance, Cinder, Neutron and Swift
through openstacksdk.

The user name of HTTP Basic is ``user+project`` (the original's ``+``
delimiter), or ``userdomain/user+projectdomain/project`` to name the domains
(both default to ``Default``); the password is the user's password. The
provider is the Keystone identity URL, optionally followed by ``;region``
(``-P 'https://keystone.example.com/v3;RegionOne'`` or the
``X-Deltacloud-Provider`` header); a ``/v2.0`` URL is used as its ``/v3``
sibling. Every other endpoint comes from the service catalogue.
"""

from deltaflask import DriverSpec
from deltaflask import hookimpl


@hookimpl
def register_drivers() -> list[DriverSpec]:
    """Offer the openstack driver (needs the ``openstack`` extra: openstacksdk)."""
    return [
        DriverSpec(
            "openstack",
            "OpenStack",
            "deltaflask.plugins.openstack.driver:OpenStackDriver",
            sdk_extra="openstack",
            requires=("openstack",),
        )
    ]
