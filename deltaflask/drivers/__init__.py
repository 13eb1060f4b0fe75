"""The driver contract: the base class, features and state machines.

Conventions every operation of the contract follows:

* **Creates.** An operation that creates a resource described by more than
  three values takes one request dataclass, ``<Resource>Create``
  (:class:`InstanceCreate`, :class:`VolumeCreate`, :class:`FirewallRuleCreate`,
  :class:`LoadBalancerCreate`, :class:`SubnetCreate`, :class:`BlobCreate`);
  frontends build it with keyword arguments. Smaller creates
  (``create_firewall(name, description)``, ``create_bucket(name, location)``
  ...) take those few values as plain parameters. Data that is not a
  description of the resource, such as a blob's byte stream, is a separate
  parameter (``create_blob(request, body)``).
* **Lookups.** A listing takes a ``filters`` mapping; the single lookup
  (``instance(id)`` ...) answers ``None`` when nothing matches.
* **States.** An instance's state is an
  :class:`~deltaflask.models.InstanceState`, the same member in models, state
  machines, drivers and frontends.
* **Drivers.** A driver made of several mixins gives them one typed base
  (``MockBase``, ``Ec2Base``) that declares what they share, once.
"""

from deltaflask.drivers.base import BaseDriver as BaseDriver
from deltaflask.drivers.base import Credentials as Credentials
from deltaflask.drivers.compute_ops import FirewallRuleCreate as FirewallRuleCreate
from deltaflask.drivers.compute_ops import InstanceCreate as InstanceCreate
from deltaflask.drivers.compute_ops import LoadBalancerCreate as LoadBalancerCreate
from deltaflask.drivers.network_ops import SubnetCreate as SubnetCreate
from deltaflask.drivers.storage_ops import BlobCreate as BlobCreate
from deltaflask.drivers.storage_ops import VolumeCreate as VolumeCreate
from deltaflask.models import InstanceState as InstanceState
