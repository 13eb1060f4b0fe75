"""The engine's XML documents (API v4) for the fake's resources.

Shapes follow the oVirt engine API model: a collection element in the plural
(``<vms>``, ``<data_centers>``) holding members with ``id`` and ``href``
attributes, references as empty elements carrying ``id`` and ``href``, links
to sub-collections as ``<link rel=... href=...>``, and sub-collections named
in ``follow`` written inline.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from xml.etree import ElementTree as ET

from tests.fakes.rhevm.state import EngineState
from tests.fakes.rhevm.state import Resource

API = "/ovirt-engine/api"


def document(root: ET.Element) -> bytes:
    """``root`` as an XML document."""
    return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + ET.tostring(
        root
    )


def node(tag: str, text: Any = None, **attrs: str) -> ET.Element:
    """An element with optional text and attributes."""
    element = ET.Element(tag, attrs)
    if text is not None:
        element.text = str(text)
    return element


def add(parent: ET.Element, tag: str, text: Any = None, **attrs: str) -> ET.Element:
    """A new child of ``parent`` (skipped when ``text`` is ``None`` and there
    are no attributes)."""
    child = node(tag, text, **attrs)
    parent.append(child)
    return child


def ref(parent: ET.Element, tag: str, path: str, item_id: str | None) -> None:
    """A reference to another resource (nothing when there is none)."""
    if item_id:
        add(parent, tag, href=f"{API}/{path}/{item_id}", id=item_id)


def member(tag: str, path: str, item: Resource) -> ET.Element:
    """A resource element with its ``id``, ``href`` and ``name``."""
    element = node(tag, href=f"{API}/{path}/{item['id']}", id=item["id"])
    add(element, "name", item["name"])
    return element


def collection(tag: str, members: Iterable[ET.Element]) -> ET.Element:
    """A collection element holding ``members``."""
    root = node(tag)
    root.extend(members)
    return root


def cpu(parent: ET.Element, cores: int, architecture: str | None = None) -> None:
    """The ``<cpu>`` of a VM, template or instance type."""
    element = add(parent, "cpu")
    if architecture:
        add(element, "architecture", architecture)
    topology = add(element, "topology")
    add(topology, "cores", cores)
    add(topology, "sockets", 1)
    add(topology, "threads", 1)


def api_root() -> ET.Element:
    """``GET /ovirt-engine/api``."""
    root = node("api")
    info = add(root, "product_info")
    add(info, "name", "oVirt Engine")
    add(info, "vendor", "ovirt.org")
    version = add(info, "version")
    add(version, "build", 5)
    add(version, "full_version", "4.5.5-1.el9")
    add(version, "major", 4)
    add(version, "minor", 5)
    add(version, "revision", 0)
    for rel in ("clusters", "datacenters", "disks", "networks", "templates", "vms"):
        add(root, "link", href=f"{API}/{rel}", rel=rel)
    return root


def data_center(item: Resource) -> ET.Element:
    element = member("data_center", "datacenters", item)
    add(element, "local", item["local"])
    add(element, "status", item["status"])
    return element


def cluster(item: Resource) -> ET.Element:
    element = member("cluster", "clusters", item)
    cpu_element = add(element, "cpu")
    add(cpu_element, "architecture", item["architecture"])
    add(cpu_element, "type", "Intel Nehalem Family")
    ref(element, "data_center", "datacenters", item["data_center"])
    return element


def storage_domain(item: Resource) -> ET.Element:
    element = member("storage_domain", "storagedomains", item)
    add(element, "available", item["available"])
    add(element, "used", item["used"])
    add(element, "type", item["type"])
    centers = add(element, "data_centers")
    ref(centers, "data_center", "datacenters", item["data_center"])
    return element


def template(item: Resource) -> ET.Element:
    element = member("template", "templates", item)
    add(element, "description", item["description"])
    cpu(element, item["cores"], item["architecture"])
    add(element, "creation_time", item["creation_time"])
    add(element, "memory", item["memory"])
    add(element, "status", item["status"])
    ref(element, "cluster", "clusters", item["cluster"])
    return element


def instance_type(item: Resource) -> ET.Element:
    element = member("instance_type", "instancetypes", item)
    cpu(element, item["cores"])
    add(element, "memory", item["memory"])
    return element


def network(item: Resource) -> ET.Element:
    element = member("network", "networks", item)
    usages = add(element, "usages")
    add(usages, "usage", "vm")
    ref(element, "data_center", "datacenters", item["data_center"])
    return element


def vnic_profile(item: Resource) -> ET.Element:
    element = member("vnic_profile", "vnicprofiles", item)
    ref(element, "network", "networks", item["network"])
    return element


def nic(vm_id: str, item: Resource) -> ET.Element:
    element = member("nic", f"vms/{vm_id}/nics", item)
    add(element, "interface", item["interface"])
    mac = add(element, "mac")
    add(mac, "address", item["mac"])
    add(element, "linked", "true")
    add(element, "plugged", "true")
    ref(element, "vm", "vms", vm_id)
    ref(element, "vnic_profile", "vnicprofiles", item["vnic_profile"])
    return element


def disk_attachment(vm_id: str, item: Resource) -> ET.Element:
    path = f"vms/{vm_id}/diskattachments"
    element = node("disk_attachment", href=f"{API}/{path}/{item['id']}", id=item["id"])
    add(element, "active", "true")
    add(element, "bootable", str(item["bootable"]).lower())
    add(element, "interface", item["interface"])
    ref(element, "disk", "disks", item["id"])
    ref(element, "vm", "vms", vm_id)
    return element


def vm(item: Resource, follow: set[str]) -> ET.Element:
    element = member("vm", "vms", item)
    add(element, "description", item.get("description") or "")
    cpu(element, item["cores"], "x86_64")
    add(element, "creation_time", item["creation_time"])
    add(element, "memory", item["memory"])
    add(element, "status", item["status"])
    ref(element, "cluster", "clusters", item["cluster"])
    ref(element, "template", "templates", item["template"])
    ref(element, "instance_type", "instancetypes", item.get("instance_type"))
    if item.get("custom_script"):
        initialization = add(element, "initialization")
        add(initialization, "custom_script", item["custom_script"])
    base = f"{API}/vms/{item['id']}"
    if "nics" in follow:
        element.append(
            collection("nics", (nic(item["id"], n) for n in item["nics"].values()))
        )
    else:
        add(element, "link", href=f"{base}/nics", rel="nics")
    if "disk_attachments" in follow:
        attachments = item["disk_attachments"].values()
        element.append(
            collection(
                "disk_attachments",
                (disk_attachment(item["id"], a) for a in attachments),
            )
        )
    else:
        add(element, "link", href=f"{base}/diskattachments", rel="diskattachments")
    return element


def disk(item: Resource) -> ET.Element:
    element = member("disk", "disks", item)
    add(element, "alias", item["name"])
    add(element, "description", item.get("description") or "")
    add(element, "format", "cow")
    add(element, "provisioned_size", item["provisioned_size"])
    add(element, "actual_size", 0)
    add(element, "status", item["status"])
    add(element, "storage_type", "image")
    domains = add(element, "storage_domains")
    ref(domains, "storage_domain", "storagedomains", item["storage_domain"])
    return element


def fault(reason: str, detail: str) -> ET.Element:
    """An engine fault document."""
    root = node("fault")
    add(root, "reason", reason)
    add(root, "detail", detail)
    return root


def action_done() -> ET.Element:
    """The reply to an action the engine accepted."""
    root = node("action")
    add(root, "status", "complete")
    return root


#: top-level collection path -> (collection tag, member renderer, state field)
TOP_LEVEL = {
    "datacenters": ("data_centers", data_center, "datacenters"),
    "clusters": ("clusters", cluster, "clusters"),
    "storagedomains": ("storage_domains", storage_domain, "storagedomains"),
    "templates": ("templates", template, "templates"),
    "instancetypes": ("instance_types", instance_type, "instancetypes"),
    "networks": ("networks", network, "networks"),
    "vnicprofiles": ("vnic_profiles", vnic_profile, "vnicprofiles"),
    "disks": ("disks", disk, "disks"),
}


def items(state: EngineState, path: str) -> dict[str, Resource]:
    """The state's resources behind top-level collection ``path``."""
    return dict(getattr(state, TOP_LEVEL[path][2]))
