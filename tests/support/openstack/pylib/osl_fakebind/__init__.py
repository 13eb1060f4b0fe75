"""ML2 mechanism driver that binds every port on every host, with no agent.

Ports get vif_type 'ovs' and status ACTIVE, which is enough for nova's
fake virt driver (it plugs nothing).  Registered as entry point
'osl_fakebind' in 'neutron.ml2.mechanism_drivers' by the dist-info
directory beside this package; put the parent directory on PYTHONPATH.
"""

from neutron_lib import constants as const
from neutron_lib.api.definitions import portbindings
from neutron_lib.plugins.ml2 import api


class FakeBindMechanismDriver(api.MechanismDriver):
    def initialize(self):
        pass

    @property
    def connectivity(self):
        return portbindings.CONNECTIVITY_L2

    def bind_port(self, context):
        for segment in context.segments_to_bind:
            context.set_binding(
                segment[api.ID],
                portbindings.VIF_TYPE_OVS,
                {
                    portbindings.CAP_PORT_FILTER: True,
                    portbindings.OVS_HYBRID_PLUG: False,
                },
                status=const.PORT_STATUS_ACTIVE,
            )
            return
