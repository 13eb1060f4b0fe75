"""The ``one.*`` methods the fake answers, with oned's parameters and results.

Each handler takes the cloud, the authenticated user and the call's
parameters after the session string, and returns the body of a successful
answer (an XML document or an id) or raises :class:`OneError`. Parameter types
are checked as oned's xmlrpc-c does (a wrong type is an XML-RPC fault).
"""

from __future__ import annotations

import ipaddress
import time
import xmlrpc.client
from collections.abc import Callable
from typing import Any

from tests.fakes.opennebula import documents
from tests.fakes.opennebula.cloud import ACTION
from tests.fakes.opennebula.cloud import ACTIONS
from tests.fakes.opennebula.cloud import ALLOCATE
from tests.fakes.opennebula.cloud import AUTHORIZATION
from tests.fakes.opennebula.cloud import DONE
from tests.fakes.opennebula.cloud import LCM_INIT
from tests.fakes.opennebula.cloud import PENDING
from tests.fakes.opennebula.cloud import XML_RPC_API
from tests.fakes.opennebula.cloud import AddressRange
from tests.fakes.opennebula.cloud import Cloud
from tests.fakes.opennebula.cloud import OneError
from tests.fakes.opennebula.cloud import disk_targets
from tests.fakes.opennebula.cloud import missing
from tests.fakes.opennebula.templates import TemplateError
from tests.fakes.opennebula.templates import merge
from tests.fakes.opennebula.templates import parse
from tests.fakes.opennebula.templates import vectors

User = dict[str, Any]
Handler = Callable[..., Any]
METHODS: dict[str, tuple[tuple[type, ...], Handler]] = {}


def method(name: str, *types: type) -> Callable[[Handler], Handler]:
    """Register a handler for ``one.<name>`` taking at least ``types``."""

    def register(handler: Handler) -> Handler:
        METHODS[f"one.{name}"] = (types, handler)
        return handler

    return register


def check_types(name: str, params: tuple[Any, ...]) -> None:
    """An XML-RPC fault when the required parameters are missing or mistyped."""
    types = METHODS[name][0]
    if len(params) < len(types):
        raise xmlrpc.client.Fault(-501, "Not enough parameters")
    for value, wanted in zip(params, types, strict=False):
        if not isinstance(value, wanted) or (wanted is int and isinstance(value, bool)):
            raise xmlrpc.client.Fault(
                -501, f"Type mismatch: expected {wanted.__name__}"
            )


def _template(name: str, source: str) -> dict[str, Any]:
    try:
        return parse(source)
    except TemplateError as exc:
        raise OneError(XML_RPC_API, f"[{name}] {exc}") from None


def _visible_vms(cloud: Cloud, user: User) -> list[dict[str, Any]]:
    return [
        vm for vm in cloud.vms.values() if user["id"] == 0 or vm["uid"] == user["id"]
    ]


def _vm(cloud: Cloud, user: User, name: str, vm_id: int) -> dict[str, Any]:
    found = cloud.vms.get(vm_id)
    if found is None:
        raise missing(name, "virtual machine", vm_id)
    if user["id"] != 0 and found["uid"] != user["id"]:
        raise OneError(
            AUTHORIZATION,
            f"[{name}] User [{user['id']}] : Not authorized to perform "
            f"MANAGE VM [{vm_id}].",
        )
    return found


def _found(table: dict[int, Any], name: str, kind: str, object_id: int) -> Any:
    if object_id not in table:
        raise missing(name, kind, object_id)
    return table[object_id]


# -- system and users -------------------------------------------------------------
@method("system.version")
def system_version(cloud: Cloud, user: User) -> str:
    return "6.8.0"


@method("user.info", int)
def user_info(cloud: Cloud, user: User, user_id: int, *_: Any) -> str:
    if user_id == -1:
        return documents.user(user)
    for known in cloud.users.values():
        if known["id"] == user_id:
            return documents.user(known)
    raise missing("one.user.info", "user", user_id)


# -- clusters and hosts -------------------------------------------------------------
@method("clusterpool.info")
def clusterpool_info(cloud: Cloud, user: User) -> str:
    return documents.pool(
        "CLUSTER_POOL", map(documents.cluster, cloud.clusters.values())
    )


@method("cluster.info", int)
def cluster_info(cloud: Cloud, user: User, cluster_id: int, *_: Any) -> str:
    return documents.cluster(
        _found(cloud.clusters, "one.cluster.info", "cluster", cluster_id)
    )


@method("hostpool.info")
def hostpool_info(cloud: Cloud, user: User) -> str:
    return documents.pool("HOST_POOL", map(documents.host, cloud.hosts.values()))


# -- templates ------------------------------------------------------------------------
@method("templatepool.info", int, int, int)
def templatepool_info(cloud: Cloud, user: User, *_: Any) -> str:
    return documents.pool(
        "VMTEMPLATE_POOL", map(documents.vm_template, cloud.templates.values())
    )


@method("template.info", int)
def template_info(cloud: Cloud, user: User, template_id: int, *_: Any) -> str:
    found = _found(cloud.templates, "one.template.info", "template", template_id)
    return documents.vm_template(found)


@method("template.delete", int)
def template_delete(cloud: Cloud, user: User, template_id: int, *_: Any) -> int:
    _found(cloud.templates, "one.template.delete", "template", template_id)
    if user["id"] != 0:
        raise OneError(
            AUTHORIZATION,
            f"[one.template.delete] User [{user['id']}] : "
            f"Not authorized to perform MANAGE TEMPLATE [{template_id}].",
        )
    del cloud.templates[template_id]
    return template_id


@method("template.instantiate", int, str, bool, str)
def template_instantiate(
    cloud: Cloud,
    user: User,
    template_id: int,
    name: str,
    hold: bool,
    extra: str,
    *_: Any,
) -> int:
    """A new VM from the template merged with ``extra``; nothing is kept when
    a lease, image or capacity check fails."""
    call = "one.template.instantiate"
    source = _found(cloud.templates, call, "template", template_id)
    merged = merge(source["template"], _template(call, extra))
    for required in ("MEMORY", "CPU"):
        if not str(merged.get(required, "")).strip():
            raise OneError(
                ALLOCATE,
                f"[{call}] Error allocating a new virtual machine "
                f"template. No {required} in template.",
            )
    vm_id = cloud.next_id("vm")
    nics = []
    try:
        for number, nic in enumerate(vectors(merged, "NIC")):
            nics.append(cloud.lease(call, nic, vm_id, number))
    except OneError:
        cloud.release({"id": vm_id, "template": {}})
        raise
    disks = []
    for number, disk in enumerate(vectors(merged, "DISK")):
        image = cloud.images.get(int(disk.get("IMAGE_ID", -1)))
        if image is None:
            cloud.release({"id": vm_id, "template": {}})
            raise OneError(
                ALLOCATE,
                f"[{call}] Error allocating a new virtual machine. "
                f"Image {disk.get('IMAGE_ID')} does not exist.",
            )
        prefix = image["template"].get("DEV_PREFIX", "sd")
        disks.append(
            {
                "DISK_ID": str(number),
                "IMAGE": image["name"],
                "IMAGE_ID": str(image["id"]),
                "SIZE": str(image["size"]),
                "TARGET": f"{prefix}{chr(ord('a') + number)}",
                "DATASTORE_ID": str(image["datastore_id"]),
                "CLONE": "YES",
            }
        )
    now = int(time.time())
    template = {
        key: value
        for key, value in merged.items()
        if key in ("CPU", "VCPU", "MEMORY", "OS", "GRAPHICS", "CONTEXT")
    }
    template.update({"TEMPLATE_ID": str(template_id), "VMID": str(vm_id)})
    if nics:
        template["NIC"] = nics
    if disks:
        template["DISK"] = disks
    user_template = {
        key: value
        for key, value in merged.items()
        if key not in template and key not in ("NIC", "DISK", "NAME")
    }
    cloud.vms[vm_id] = {
        "id": vm_id,
        "uid": user["id"],
        "uname": user["name"],
        "name": name or f"{source['name']}-{vm_id}",
        "state": PENDING,
        "lcm_state": LCM_INIT,
        "prev_state": PENDING,
        "prev_lcm_state": LCM_INIT,
        "stime": now,
        "etime": 0,
        "deploy_id": "",
        "template": template,
        "user_template": user_template,
        "history": [],
    }
    if hold:
        cloud.vms[vm_id]["state"] = 2
    cloud.finish(cloud.vms[vm_id])
    return vm_id


# -- VMs --------------------------------------------------------------------------------
def _vm_pool(cloud: Cloud, user: User, state: int) -> str:
    kept = [
        vm
        for vm in _visible_vms(cloud, user)
        if (state == -2)
        or (state == -1 and vm["state"] != DONE)
        or vm["state"] == state
    ]
    return documents.pool("VM_POOL", map(documents.vm, kept))


@method("vmpool.info", int, int, int, int)
def vmpool_info(
    cloud: Cloud, user: User, who: int, start: int, end: int, state: int, *_: Any
) -> str:
    return _vm_pool(cloud, user, state)


@method("vmpool.infoextended", int, int, int, int)
def vmpool_infoextended(
    cloud: Cloud, user: User, who: int, start: int, end: int, state: int, *_: Any
) -> str:
    return _vm_pool(cloud, user, state)


@method("vm.info", int)
def vm_info(cloud: Cloud, user: User, vm_id: int, *_: Any) -> str:
    return documents.vm(_vm(cloud, user, "one.vm.info", vm_id))


@method("vm.action", str, int)
def vm_action(cloud: Cloud, user: User, action: str, vm_id: int) -> int:
    call = "one.vm.action"
    if action not in ACTIONS:
        raise OneError(
            XML_RPC_API, f'[{call}] Virtual machine action "{action}" is not supported'
        )
    vm = _vm(cloud, user, call, vm_id)
    target = ACTIONS[action].get((vm["state"], vm["lcm_state"]))
    if target is None:
        raise cloud.state_error(call, action, vm)
    cloud.move(vm, target)
    cloud.finish(vm)
    return vm_id


@method("vm.attach", int, str)
def vm_attach(cloud: Cloud, user: User, vm_id: int, disk_template: str) -> int:
    """Hot-plug an image as a disk (a persistent image is then USED)."""
    call = "one.vm.attach"
    vm = _vm(cloud, user, call, vm_id)
    if (vm["state"], vm["lcm_state"]) not in ((3, 3), (8, 0)):
        raise cloud.state_error(call, "disk-attach", vm)
    disk = next(iter(vectors(_template(call, disk_template), "DISK")), None)
    if disk is None:
        raise OneError(ACTION, f"[{call}] Wrong format for DISK attribute")
    image = _found(cloud.images, call, "image", int(disk.get("IMAGE_ID", -1)))
    if image["persistent"] and image["vms"]:
        raise OneError(
            ACTION, f"[{call}] Cannot acquire image {image['id']}, it is already in use"
        )
    prefix = disk.get("DEV_PREFIX") or image["template"].get("DEV_PREFIX", "sd")
    target = disk.get("TARGET") or next(
        f"{prefix}{c}"
        for c in "bcdefghijklmnop"
        if f"{prefix}{c}" not in disk_targets(vm["template"])
    )
    if target in disk_targets(vm["template"]):
        raise OneError(ACTION, f"[{call}] Target {target} is already in use")
    disks = vectors(vm["template"], "DISK")
    number = max((int(d["DISK_ID"]) for d in disks), default=-1) + 1
    disks.append(
        {
            "DISK_ID": str(number),
            "IMAGE": image["name"],
            "IMAGE_ID": str(image["id"]),
            "SIZE": str(image["size"]),
            "TARGET": target,
            "PERSISTENT": "YES" if image["persistent"] else "NO",
            "DATASTORE_ID": str(image["datastore_id"]),
        }
    )
    vm["template"]["DISK"] = disks
    image["vms"].append(vm_id)
    image["state"] = 8 if image["persistent"] else 2  # USED_PERS or USED
    return vm_id


@method("vm.detach", int, int)
def vm_detach(cloud: Cloud, user: User, vm_id: int, disk_id: int) -> int:
    call = "one.vm.detach"
    vm = _vm(cloud, user, call, vm_id)
    disks = vectors(vm["template"], "DISK")
    disk = next((d for d in disks if int(d["DISK_ID"]) == disk_id), None)
    if disk is None:
        raise OneError(
            ACTION, f"[{call}] VM {vm_id}: The DISK {disk_id} does not exist"
        )
    disks.remove(disk)
    vm["template"]["DISK"] = disks
    if not disks:
        del vm["template"]["DISK"]
    cloud.unuse_image(int(disk["IMAGE_ID"]), vm_id)
    return vm_id


# -- virtual networks -----------------------------------------------------------------
@method("vnpool.info", int, int, int)
def vnpool_info(cloud: Cloud, user: User, *_: Any) -> str:
    return documents.pool(
        "VNET_POOL", (documents.vnet(v, leases=False) for v in cloud.vnets.values())
    )


@method("vn.info", int)
def vn_info(cloud: Cloud, user: User, vnet_id: int, *_: Any) -> str:
    found = _found(cloud.vnets, "one.vn.info", "virtual network", vnet_id)
    return documents.vnet(found, leases=True)


@method("vn.allocate", str, int)
def vn_allocate(cloud: Cloud, user: User, source: str, cluster_id: int) -> int:
    call = "one.vn.allocate"
    template = _template(call, source)
    if "VN_MAD" not in template:
        raise OneError(
            ALLOCATE,
            f"[{call}] Error allocating a new virtual network. No VN_MAD in template.",
        )
    clusters = [cluster_id] if cluster_id >= 0 else [0]
    for cluster in clusters:
        _found(cloud.clusters, call, "cluster", cluster)
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


@method("vn.delete", int)
def vn_delete(cloud: Cloud, user: User, vnet_id: int, *_: Any) -> int:
    call = "one.vn.delete"
    found = _found(cloud.vnets, call, "virtual network", vnet_id)
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


@method("vn.add_ar", int, str)
def vn_add_ar(cloud: Cloud, user: User, vnet_id: int, source: str) -> int:
    call = "one.vn.add_ar"
    found = _found(cloud.vnets, call, "virtual network", vnet_id)
    ar = next(iter(vectors(_template(call, source), "AR")), None)
    if ar is None:
        raise OneError(ACTION, f"[{call}] Wrong format for address range")
    number = max((a.id for a in found["ars"]), default=-1) + 1
    found["ars"].append(_address_range(call, ar, number))
    return vnet_id


@method("vn.rm_ar", int, int)
def vn_rm_ar(cloud: Cloud, user: User, vnet_id: int, ar_id: int, *_: Any) -> int:
    call = "one.vn.rm_ar"
    found = _found(cloud.vnets, call, "virtual network", vnet_id)
    ar = next((a for a in found["ars"] if a.id == ar_id), None)
    if ar is None:
        raise OneError(ACTION, f"[{call}] Address Range does not exist")
    if ar.leases:
        raise OneError(ACTION, f"[{call}] Address Range has leases in use")
    found["ars"].remove(ar)
    return vnet_id


# -- images and datastores ----------------------------------------------------------------
@method("imagepool.info", int, int, int)
def imagepool_info(cloud: Cloud, user: User, *_: Any) -> str:
    return documents.pool("IMAGE_POOL", map(documents.image, cloud.images.values()))


@method("image.info", int)
def image_info(cloud: Cloud, user: User, image_id: int, *_: Any) -> str:
    return documents.image(_found(cloud.images, "one.image.info", "image", image_id))


@method("image.allocate", str, int)
def image_allocate(
    cloud: Cloud, user: User, source: str, datastore_id: int, *_: Any
) -> int:
    """A new image; a DATABLOCK needs only SIZE (MB)."""
    call = "one.image.allocate"
    template = _template(call, source)
    store = _found(cloud.datastores, call, "datastore", datastore_id)
    if store["type"] != 0:
        raise OneError(
            ALLOCATE,
            f"[{call}] Error allocating a new image. "
            "Datastore is not an IMAGE datastore.",
        )
    kind = template.get("TYPE", "OS").upper()
    if kind != "DATABLOCK" and not template.get("PATH"):
        raise OneError(
            ALLOCATE, f"[{call}] Error allocating a new image. No PATH in template."
        )
    size = str(template.get("SIZE", ""))
    if not size.isdigit():
        raise OneError(
            ALLOCATE,
            f"[{call}] Error allocating a new image. "
            "SIZE attribute must be a positive integer value.",
        )
    name = str(template.get("NAME", ""))
    if not name or any(i["name"] == name for i in cloud.images.values()):
        raise OneError(
            ALLOCATE,
            f"[{call}] Error allocating a new image. "
            f"NAME is already taken by IMAGE or is empty: '{name}'.",
        )
    image_id = cloud.next_id("image")
    persistent = str(template.get("PERSISTENT", "NO")).upper() in ("YES", "TRUE", "1")
    extra = {
        k: v
        for k, v in template.items()
        if k not in ("NAME", "TYPE", "SIZE", "PERSISTENT")
    }
    cloud.images[image_id] = {
        "id": image_id,
        "uid": user["id"],
        "uname": user["name"],
        "name": name,
        "type": 2 if kind == "DATABLOCK" else 0,
        "persistent": int(persistent),
        "regtime": int(time.time()),
        "size": int(size),
        "state": 1,
        "vms": [],
        "datastore_id": datastore_id,
        "datastore": store["name"],
        "template": extra,
    }
    store["images"].append(image_id)
    return image_id


@method("image.delete", int)
def image_delete(cloud: Cloud, user: User, image_id: int, *_: Any) -> int:
    call = "one.image.delete"
    found = _found(cloud.images, call, "image", image_id)
    if found["vms"]:
        raise OneError(
            ACTION,
            f"[{call}] Cannot delete image. The image is being used by "
            f"{len(found['vms'])} VMs.",
        )
    del cloud.images[image_id]
    cloud.datastores[found["datastore_id"]]["images"].remove(image_id)
    return image_id


@method("datastorepool.info")
def datastorepool_info(cloud: Cloud, user: User) -> str:
    return documents.pool(
        "DATASTORE_POOL", map(documents.datastore, cloud.datastores.values())
    )
