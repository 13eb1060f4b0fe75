"""The fake's virtual network methods: networks and their address ranges."""

from __future__ import annotations

import ipaddress
from typing import Any

from tests.fakes.opennebula import documents
from tests.fakes.opennebula.cloud import ACTION
from tests.fakes.opennebula.cloud import ALLOCATE
from tests.fakes.opennebula.cloud import AddressRange
from tests.fakes.opennebula.cloud import Cloud
from tests.fakes.opennebula.cloud import OneError
from tests.fakes.opennebula.methods import Registry
from tests.fakes.opennebula.methods import User
from tests.fakes.opennebula.methods import existing
from tests.fakes.opennebula.methods import parsed
from tests.fakes.opennebula.templates import vectors

METHODS = Registry()


# -- virtual networks -----------------------------------------------------------------
@METHODS.method("vnpool.info", int, int, int)
def vnpool_info(cloud: Cloud, user: User, *_: Any) -> str:
    return documents.pool(
        "VNET_POOL", (documents.vnet(v, leases=False) for v in cloud.vnets.values())
    )


@METHODS.method("vn.info", int)
def vn_info(cloud: Cloud, user: User, vnet_id: int, *_: Any) -> str:
    found = existing(cloud.vnets, "one.vn.info", "virtual network", vnet_id)
    return documents.vnet(found, leases=True)


@METHODS.method("vn.allocate", str, int)
def vn_allocate(cloud: Cloud, user: User, source: str, cluster_id: int) -> int:
    call = "one.vn.allocate"
    template = parsed(call, source)
    if "VN_MAD" not in template:
        raise OneError(
            ALLOCATE,
            f"[{call}] Error allocating a new virtual network. No VN_MAD in template.",
        )
    clusters = [cluster_id] if cluster_id >= 0 else [0]
    for cluster in clusters:
        existing(cloud.clusters, call, "cluster", cluster)
    vnet_id = cloud.next_id("vnet")
    name = template.pop("NAME", "") or f"vnet-{vnet_id}"
    ars = []
    for number, ar in enumerate(vectors(template, "AR")):
        ars.append(_address_range(call, ar, number))
    template.pop("AR", None)
    cloud.vnets[vnet_id] = {
        "id": vnet_id,
        "uid": user["id"],
        "uname": user["name"],
        "name": name,
        "clusters": clusters,
        "bridge": template.get("BRIDGE", f"onebr{vnet_id}"),
        "vn_mad": template["VN_MAD"],
        "template": template,
        "ars": ars,
    }
    for cluster in clusters:
        cloud.clusters[cluster]["vnets"].append(vnet_id)
    return vnet_id


def _address_range(call: str, ar: dict[str, Any], number: int) -> AddressRange:
    if ar.get("TYPE", "").upper() != "IP4":
        raise OneError(
            ACTION, f"[{call}] Unknown or unsupported type for the address range"
        )
    try:
        first = int(ipaddress.IPv4Address(ar.get("IP", "")))
        size = int(ar.get("SIZE", ""))
    except ValueError:
        raise OneError(ACTION, f"[{call}] Wrong IP or SIZE in address range") from None
    if size <= 0:
        raise OneError(ACTION, f"[{call}] Wrong SIZE for address range")
    return AddressRange(number, first, size)


@METHODS.method("vn.delete", int)
def vn_delete(cloud: Cloud, user: User, vnet_id: int, *_: Any) -> int:
    call = "one.vn.delete"
    found = existing(cloud.vnets, call, "virtual network", vnet_id)
    if any(ar.leases for ar in found["ars"]):
        raise OneError(
            ACTION,
            f"[{call}] Cannot delete virtual network. "
            "Can not remove a virtual network with leases in use",
        )
    del cloud.vnets[vnet_id]
    for cluster in cloud.clusters.values():
        if vnet_id in cluster["vnets"]:
            cluster["vnets"].remove(vnet_id)
    return vnet_id


@METHODS.method("vn.add_ar", int, str)
def vn_add_ar(cloud: Cloud, user: User, vnet_id: int, source: str) -> int:
    call = "one.vn.add_ar"
    found = existing(cloud.vnets, call, "virtual network", vnet_id)
    ar = next(iter(vectors(parsed(call, source), "AR")), None)
    if ar is None:
        raise OneError(ACTION, f"[{call}] Wrong format for address range")
    number = max((a.id for a in found["ars"]), default=-1) + 1
    found["ars"].append(_address_range(call, ar, number))
    return vnet_id


@METHODS.method("vn.rm_ar", int, int)
def vn_rm_ar(cloud: Cloud, user: User, vnet_id: int, ar_id: int, *_: Any) -> int:
    call = "one.vn.rm_ar"
    found = existing(cloud.vnets, call, "virtual network", vnet_id)
    ar = next((a for a in found["ars"] if a.id == ar_id), None)
    if ar is None:
        raise OneError(ACTION, f"[{call}] Address Range does not exist")
    if ar.leases:
        raise OneError(ACTION, f"[{call}] Address Range has leases in use")
    found["ars"].remove(ar)
    return vnet_id
