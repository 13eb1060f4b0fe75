"""The cloud every test starts from: two clusters with a host each, three
templates (two x86_64, one aarch64), a public network with one address range,
image datastores per cluster and one OS image; users oneadmin and alice."""

from __future__ import annotations

import ipaddress
import itertools
import time

from tests.fakes.opennebula.cloud import AddressRange
from tests.fakes.opennebula.cloud import Cloud
from tests.fakes.opennebula.cloud import password_hash


def seeded(auto_settle: bool = True) -> Cloud:
    """A fresh seed cloud."""
    cloud = Cloud(auto_settle=auto_settle)
    now = int(time.time())
    for uid, (name, password) in enumerate(
        (
            ("oneadmin", "opennebula"),
            ("serveradmin", "unused"),
            ("alice", "wonderland"),
        )
    ):
        cloud.users[name] = {
            "id": uid,
            "name": name,
            "password_hash": password_hash(password),
        }
    cloud.clusters[0] = {
        "id": 0,
        "name": "default",
        "hosts": [0],
        "datastores": [0, 1],
        "vnets": [0],
    }
    cloud.clusters[100] = {
        "id": 100,
        "name": "production",
        "hosts": [1],
        "datastores": [0, 101],
        "vnets": [0],
    }
    for hid, (name, cluster) in enumerate((("host01", 0), ("host02", 100))):
        cloud.hosts[hid] = {
            "id": hid,
            "name": name,
            "state": 2,
            "cluster_id": cluster,
            "cluster": cloud.clusters[cluster]["name"],
            "vms": [],
        }
    admin = {"uid": 0, "uname": "oneadmin"}
    cloud.datastores[0] = {
        **admin,
        "id": 0,
        "name": "system",
        "type": 1,
        "clusters": [0, 100],
        "images": [],
    }
    cloud.datastores[1] = {
        **admin,
        "id": 1,
        "name": "default",
        "type": 0,
        "clusters": [0],
        "images": [0],
    }
    cloud.datastores[101] = {
        **admin,
        "id": 101,
        "name": "production_images",
        "type": 0,
        "clusters": [100],
        "images": [],
    }
    cloud.images[0] = {
        **admin,
        "id": 0,
        "name": "ttylinux",
        "type": 0,
        "persistent": 0,
        "regtime": now,
        "size": 200,
        "state": 1,
        "vms": [],
        "datastore_id": 1,
        "datastore": "default",
        "template": {"DEV_PREFIX": "vd"},
    }
    cloud.vnets[0] = {
        **admin,
        "id": 0,
        "name": "public",
        "clusters": [0, 100],
        "bridge": "br0",
        "vn_mad": "bridge",
        "template": {
            "NETWORK_ADDRESS": "192.168.150.0",
            "NETWORK_MASK": "255.255.255.0",
            "GATEWAY": "192.168.150.1",
            "DNS": "192.168.150.1",
        },
        "ars": [AddressRange(0, int(ipaddress.IPv4Address("192.168.150.2")), 100)],
    }
    cloud.templates[0] = {
        **admin,
        "id": 0,
        "name": "ttylinux",
        "regtime": now,
        "template": {
            "CPU": "0.1",
            "VCPU": "1",
            "MEMORY": "128",
            "DESCRIPTION": "A tiny Linux to try things",
            "DISK": {"IMAGE_ID": "0"},
            "NIC": {"NETWORK_ID": "0"},
            "OS": {"ARCH": "x86_64", "BOOT": "disk0"},
            "CONTEXT": {
                "NETWORK": "YES",
                "SSH_PUBLIC_KEY": "$USER[SSH_PUBLIC_KEY]",
            },
            "GRAPHICS": {"LISTEN": "0.0.0.0", "TYPE": "VNC"},
        },
    }
    cloud.templates[1] = {
        **admin,
        "id": 1,
        "name": "ubuntu-22.04",
        "regtime": now,
        "template": {
            "CPU": "1",
            "VCPU": "2",
            "MEMORY": "2048",
            "OS": {"ARCH": "x86_64"},
        },
    }
    cloud.templates[2] = {
        **admin,
        "id": 2,
        "name": "debian-arm",
        "regtime": now,
        "template": {
            "CPU": "2",
            "VCPU": "4",
            "MEMORY": "4096",
            "OS": {"ARCH": "aarch64"},
        },
    }
    cloud.ids = {
        "vm": itertools.count(0),
        "template": itertools.count(3),
        "vnet": itertools.count(1),
        "image": itertools.count(1),
    }
    return cloud
