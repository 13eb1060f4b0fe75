"""The mock's fixed catalogue: realms, hardware profiles and its state machine."""

from __future__ import annotations

from deltaflask.drivers.states import machine
from deltaflask.errors import BackendError
from deltaflask.errors import NotSupported
from deltaflask.errors import ProviderError
from deltaflask.errors import ProviderTimeout
from deltaflask.models import HardwareProfile
from deltaflask.models import InstanceState
from deltaflask.models import Property
from deltaflask.models import Realm

REALMS = (
    Realm("us", "United States"),
    Realm("eu", "Europe"),
)
REALM_IDS = frozenset(realm.id for realm in REALMS)

#: realm ids that make the mock fail on purpose, to exercise error rendering
ERROR_TRIGGERS = {
    "500": BackendError("DeltacloudErrorMessage"),
    "501": NotSupported("NotImplementedMessage"),
    "502": ProviderError("ProviderErrorMessage"),
    "504": ProviderTimeout("ProviderTimeoutMessage"),
}


def _fixed(name: str, value: object) -> Property:
    return Property(name, "fixed", value)


HARDWARE_PROFILES = (
    HardwareProfile(
        "m1-small",
        properties=[
            _fixed("cpu", 1),
            _fixed("memory", 1740.8),
            _fixed("storage", 160),
            _fixed("architecture", "i386"),
        ],
    ),
    HardwareProfile(
        "m1-large",
        properties=[
            Property("cpu", "range", 1, first=1, last=6),
            Property("memory", "range", 10240, first=7680, last=15360),
            Property("storage", "enum", 850, values=[850, 1024]),
            _fixed("architecture", "x86_64"),
        ],
    ),
    HardwareProfile(
        "m1-xlarge",
        properties=[
            _fixed("cpu", 4),
            Property("memory", "range", 12288, first=12288, last=32768),
            Property("storage", "enum", 1024, values=[1024, 2048, 4096]),
            _fixed("architecture", "x86_64"),
        ],
    ),
    HardwareProfile("opaque"),
)

STATE_MACHINE = machine(
    (InstanceState.START, InstanceState.PENDING, "create"),
    (InstanceState.PENDING, InstanceState.RUNNING, None),
    (InstanceState.RUNNING, InstanceState.RUNNING, "reboot"),
    (InstanceState.RUNNING, InstanceState.STOPPED, "stop"),
    (InstanceState.STOPPED, InstanceState.RUNNING, "start"),
    (InstanceState.STOPPED, InstanceState.FINISH, "destroy"),
)

METRIC_PROPERTIES = (
    "cpuUtilization",
    "diskReadRequestCount",
    "diskReadSector",
    "diskWriteRequestCount",
    "diskWriteSector",
    "nicInputByte",
    "nicInputPacket",
    "nicOutputByte",
    "nicOutputPacket",
)
