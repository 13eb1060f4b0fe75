"""Plain resource models returned by drivers; they carry no wire format."""

from deltaflask.models.compute import Address as Address
from deltaflask.models.compute import Firewall as Firewall
from deltaflask.models.compute import FirewallRule as FirewallRule
from deltaflask.models.compute import HardwareProfile as HardwareProfile
from deltaflask.models.compute import Image as Image
from deltaflask.models.compute import Instance as Instance
from deltaflask.models.compute import InstanceAddress as InstanceAddress
from deltaflask.models.compute import InstanceProfile as InstanceProfile
from deltaflask.models.compute import Key as Key
from deltaflask.models.compute import Listener as Listener
from deltaflask.models.compute import LoadBalancer as LoadBalancer
from deltaflask.models.compute import Metric as Metric
from deltaflask.models.compute import MetricSample as MetricSample
from deltaflask.models.compute import Property as Property
from deltaflask.models.compute import Realm as Realm
from deltaflask.models.compute import RunResult as RunResult
from deltaflask.models.network import Network as Network
from deltaflask.models.network import NetworkBinding as NetworkBinding
from deltaflask.models.network import NetworkInterface as NetworkInterface
from deltaflask.models.network import Subnet as Subnet
from deltaflask.models.states import InstanceState as InstanceState
from deltaflask.models.storage import Blob as Blob
from deltaflask.models.storage import Bucket as Bucket
from deltaflask.models.storage import SegmentedUpload as SegmentedUpload
from deltaflask.models.storage import StorageSnapshot as StorageSnapshot
from deltaflask.models.storage import StorageVolume as StorageVolume
