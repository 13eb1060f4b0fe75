"""The fake's template and VM methods: instantiate, the VM pool, actions, disk hot-plug."""

from __future__ import annotations

import time
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
from tests.fakes.opennebula.cloud import Cloud
from tests.fakes.opennebula.cloud import OneError
from tests.fakes.opennebula.cloud import disk_targets
from tests.fakes.opennebula.methods import Registry
from tests.fakes.opennebula.methods import User
from tests.fakes.opennebula.methods import existing
from tests.fakes.opennebula.methods import owned_vm
from tests.fakes.opennebula.methods import parsed
from tests.fakes.opennebula.methods import visible_vms
from tests.fakes.opennebula.templates import merge
from tests.fakes.opennebula.templates import vectors

METHODS = Registry()


# -- templates ------------------------------------------------------------------------
@METHODS.method("templatepool.info", int, int, int)
def templatepool_info(cloud: Cloud, user: User, *_: Any) -> str:
    return documents.pool(
        "VMTEMPLATE_POOL", map(documents.vm_template, cloud.templates.values())
    )


@METHODS.method("template.info", int)
def template_info(cloud: Cloud, user: User, template_id: int, *_: Any) -> str:
    found = existing(cloud.templates, "one.template.info", "template", template_id)
    return documents.vm_template(found)


@METHODS.method("template.delete", int)
def template_delete(cloud: Cloud, user: User, template_id: int, *_: Any) -> int:
    existing(cloud.templates, "one.template.delete", "template", template_id)
    if user["id"] != 0:
        raise OneError(
            AUTHORIZATION,
            f"[one.template.delete] User [{user['id']}] : "
            f"Not authorized to perform MANAGE TEMPLATE [{template_id}].",
        )
    del cloud.templates[template_id]
    return template_id


@METHODS.method("template.instantiate", int, str, bool, str)
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
    source = existing(cloud.templates, call, "template", template_id)
    merged = merge(source["template"], parsed(call, extra))
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
        for vm in visible_vms(cloud, user)
        if (state == -2)
        or (state == -1 and vm["state"] != DONE)
        or vm["state"] == state
    ]
    return documents.pool("VM_POOL", map(documents.vm, kept))


@METHODS.method("vmpool.info", int, int, int, int)
def vmpool_info(
    cloud: Cloud, user: User, who: int, start: int, end: int, state: int, *_: Any
) -> str:
    return _vm_pool(cloud, user, state)


@METHODS.method("vmpool.infoextended", int, int, int, int)
def vmpool_infoextended(
    cloud: Cloud, user: User, who: int, start: int, end: int, state: int, *_: Any
) -> str:
    return _vm_pool(cloud, user, state)


@METHODS.method("vm.info", int)
def vm_info(cloud: Cloud, user: User, vm_id: int, *_: Any) -> str:
    return documents.vm(owned_vm(cloud, user, "one.vm.info", vm_id))


@METHODS.method("vm.action", str, int)
def vm_action(cloud: Cloud, user: User, action: str, vm_id: int) -> int:
    call = "one.vm.action"
    if action not in ACTIONS:
        raise OneError(
            XML_RPC_API, f'[{call}] Virtual machine action "{action}" is not supported'
        )
    vm = owned_vm(cloud, user, call, vm_id)
    target = ACTIONS[action].get((vm["state"], vm["lcm_state"]))
    if target is None:
        raise cloud.state_error(call, action, vm)
    cloud.move(vm, target)
    cloud.finish(vm)
    return vm_id


@METHODS.method("vm.attach", int, str)
def vm_attach(cloud: Cloud, user: User, vm_id: int, disk_template: str) -> int:
    """Hot-plug an image as a disk (a persistent image is then USED)."""
    call = "one.vm.attach"
    vm = owned_vm(cloud, user, call, vm_id)
    if (vm["state"], vm["lcm_state"]) not in ((3, 3), (8, 0)):
        raise cloud.state_error(call, "disk-attach", vm)
    disk = next(iter(vectors(parsed(call, disk_template), "DISK")), None)
    if disk is None:
        raise OneError(ACTION, f"[{call}] Wrong format for DISK attribute")
    image = existing(cloud.images, call, "image", int(disk.get("IMAGE_ID", -1)))
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


@METHODS.method("vm.detach", int, int)
def vm_detach(cloud: Cloud, user: User, vm_id: int, disk_id: int) -> int:
    call = "one.vm.detach"
    vm = owned_vm(cloud, user, call, vm_id)
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
