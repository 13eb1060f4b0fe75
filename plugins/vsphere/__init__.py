"""The VMware vSphere driver plugin: a vCenter through pyvmomi.

The provider is the vCenter host (``vcenter.example.com``, ``host:port`` or
``https://host[:port]/sdk``); HTTP Basic carries the vCenter user and password.
The certificate is verified unless the server's ``VSPHERE_INSECURE`` setting
(or environment variable) is on, which accepts a self-signed one.
``VSPHERE_TIMEOUT`` bounds one SOAP call and ``VSPHERE_TASK_TIMEOUT`` a vCenter
task (seconds). Clusters and standalone hosts are realms, templates images,
virtual machines instances, port groups networks; hardware profiles are the
sizes the templates come in. Datastores are not buckets (see the README).
"""

from deltaflask import DriverSpec
from deltaflask import hookimpl


@hookimpl
def register_drivers() -> list[DriverSpec]:
    """Offer the vsphere driver (needs the ``vsphere`` extra: pyvmomi)."""
    return [
        DriverSpec(
            "vsphere",
            "VMware vSphere",
            "deltaflask.plugins.vsphere.driver:VsphereDriver",
            sdk_extra="vsphere",
            requires=("pyVmomi", "pyVim"),
        )
    ]
