"""The driver contract: the base class, features and state machines."""

from deltaflask.drivers.base import BaseDriver as BaseDriver
from deltaflask.drivers.base import Credentials as Credentials
from deltaflask.drivers.base import InstanceCreate as InstanceCreate
from deltaflask.drivers.base import VolumeCreate as VolumeCreate
