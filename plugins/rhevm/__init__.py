"""The oVirt / RHEV-M driver plugin: the engine API v4 through ovirt-engine-sdk-python.

HTTP Basic carries ``user@domain`` and the password (``admin`` alone means
``admin@internal``); the provider is the engine's API URL,
``https://engine.example.com/ovirt-engine/api``, optionally followed by
``;<data center id>`` to keep to one data center. The engine's certificate is
verified unless ``RHEVM_INSECURE=1`` says to accept it (``RHEVM_CA_FILE`` names
its CA); ``RHEVM_TIMEOUT`` bounds each call in seconds (default: the server's
``DELTAFLASK_PROVIDER_TIMEOUT``).
Clusters are realms, templates images, instance types hardware profiles, VMs
instances, disks volumes, logical networks networks and VM NICs network
interfaces; oVirt has no subnets.
"""

from deltaflask import DriverSpec
from deltaflask import hookimpl


@hookimpl
def register_drivers() -> list[DriverSpec]:
    """Offer the rhevm driver (needs the ``rhevm`` extra: ovirt-engine-sdk-python)."""
    return [
        DriverSpec(
            "rhevm",
            "oVirt / RHEV-M",
            "deltaflask.plugins.rhevm.driver:RhevmDriver",
            sdk_extra="rhevm",
            requires=("ovirtsdk4", "pycurl"),
        )
    ]
