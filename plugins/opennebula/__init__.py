"""The OpenNebula driver plugin: oned's XML-RPC API (``one.*``) through pyone.

The user name and password of HTTP Basic form OpenNebula's session string
(``user:password``); the provider is oned's XML-RPC endpoint
(``-P http://host:2633/RPC2``). Templates are images and hardware profiles,
VMs instances, clusters realms, virtual networks and their address ranges
networks and subnets. The original driver's OCCI URLs (``-P .../occi``,
``OCCI_URL``) are refused with what to pass instead: OpenNebula 5.0 removed
its OCCI server.
"""

from deltaflask import DriverSpec
from deltaflask import hookimpl


@hookimpl
def register_drivers() -> list[DriverSpec]:
    """Offer the opennebula driver (needs the ``opennebula`` extra: pyone)."""
    return [
        DriverSpec(
            "opennebula",
            "OpenNebula",
            "deltaflask.plugins.opennebula.driver:OneDriver",
            sdk_extra="opennebula",
            requires=("pyone",),
        )
    ]
