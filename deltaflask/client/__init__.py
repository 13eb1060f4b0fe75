"""A Python client of deltaflask's classic API, and its command line
``deltaflask-cli`` (:mod:`deltaflask.client.cli`).

    from deltaflask.client import Client
    with Client("http://localhost:3001/api", "mockuser", "mockpassword") as api:
        for instance in api.instances.list(state="RUNNING"):
            instance.stop().wait_for("STOPPED", timeout=120)
"""

from deltaflask.client.buckets import Blob
from deltaflask.client.buckets import Bucket
from deltaflask.client.client import Client
from deltaflask.client.compute import Driver
from deltaflask.client.compute import HardwareProfile
from deltaflask.client.compute import Image
from deltaflask.client.compute import Instance
from deltaflask.client.compute import InstanceState
from deltaflask.client.compute import Key
from deltaflask.client.compute import Metric
from deltaflask.client.compute import Realm
from deltaflask.client.errors import AuthenticationError
from deltaflask.client.errors import BadRequest
from deltaflask.client.errors import CapabilityMissing
from deltaflask.client.errors import ClientError
from deltaflask.client.errors import Conflict
from deltaflask.client.errors import Forbidden
from deltaflask.client.errors import NotFound
from deltaflask.client.errors import ServerError
from deltaflask.client.errors import TransferError
from deltaflask.client.errors import WaitTimeout
from deltaflask.client.network import Address
from deltaflask.client.network import Firewall
from deltaflask.client.network import LoadBalancer
from deltaflask.client.network import Network
from deltaflask.client.network import NetworkInterface
from deltaflask.client.network import Subnet
from deltaflask.client.storage import StorageSnapshot
from deltaflask.client.storage import StorageVolume

__all__ = [
    "Address",
    "AuthenticationError",
    "BadRequest",
    "Blob",
    "Bucket",
    "CapabilityMissing",
    "Client",
    "ClientError",
    "Conflict",
    "Driver",
    "Firewall",
    "Forbidden",
    "HardwareProfile",
    "Image",
    "Instance",
    "InstanceState",
    "Key",
    "LoadBalancer",
    "Metric",
    "Network",
    "NetworkInterface",
    "NotFound",
    "Realm",
    "ServerError",
    "StorageSnapshot",
    "StorageVolume",
    "Subnet",
    "TransferError",
    "WaitTimeout",
]
