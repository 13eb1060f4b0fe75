"""The XML documents oned answers ``*.info`` calls with.

Shapes follow OpenNebula's XML-RPC reference and XSD schemas (``vm.xsd``,
``vmtemplate.xsd``, ``vnet.xsd``, ``cluster.xsd``, ``host.xsd``,
``image.xsd``, ``datastore.xsd``, ``user.xsd``): names and template values in
CDATA sections, ids as text, pools wrapping their elements. A template is a
dict whose values are text, dicts (vector attributes such as ``NIC``) or lists
of dicts (repeated vectors).
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any

Template = dict[str, Any]

PERMISSIONS = (
    ("OWNER_U", 1),
    ("OWNER_M", 1),
    ("OWNER_A", 0),
    ("GROUP_U", 0),
    ("GROUP_M", 0),
    ("GROUP_A", 0),
    ("OTHER_U", 0),
    ("OTHER_M", 0),
    ("OTHER_A", 0),
)


def cdata(value: Any) -> str:
    """``value`` as a CDATA section, as oned writes names and template values."""
    return "<![CDATA[" + str(value).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text(value: Any) -> str:
    """``value`` as escaped element text (ids, states, times)."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def element(tag: str, body: str) -> str:
    return f"<{tag}>{body}</{tag}>"


def fields(*pairs: tuple[str, Any]) -> str:
    """Plain elements: ``(tag, value)`` pairs, strings in CDATA."""
    return "".join(
        element(tag, cdata(value) if isinstance(value, str) else text(value))
        for tag, value in pairs
    )


def template(tag: str, values: Mapping[str, Any]) -> str:
    """A ``TEMPLATE`` (or ``USER_TEMPLATE``) element with CDATA leaves."""
    return element(tag, "".join(_attribute(k, v) for k, v in values.items()))


def _attribute(name: str, value: Any) -> str:
    if isinstance(value, Mapping):
        return element(name, "".join(_attribute(k, v) for k, v in value.items()))
    if isinstance(value, list):
        return "".join(_attribute(name, item) for item in value)
    return element(name, cdata(value))


def pool(tag: str, items: Iterable[str]) -> str:
    """A pool document (``VM_POOL``, ``VNET_POOL`` ...) of rendered items."""
    return element(tag, "".join(items))


def ids(tag: str, values: Iterable[int]) -> str:
    """A list of ids (``<HOSTS><ID>0</ID></HOSTS>``)."""
    return element(tag, "".join(element("ID", text(v)) for v in values))


def owned(record: Mapping[str, Any]) -> str:
    """The owner, group and name elements every owned object starts with."""
    return fields(
        ("ID", record["id"]),
        ("UID", record["uid"]),
        ("GID", 0),
        ("UNAME", record["uname"]),
        ("GNAME", "oneadmin" if record["uid"] == 0 else "users"),
        ("NAME", record["name"]),
    )


def permissions() -> str:
    return element("PERMISSIONS", fields(*PERMISSIONS))


def user(record: Mapping[str, Any]) -> str:
    """A ``USER`` document (``one.user.info``)."""
    body = fields(
        ("ID", record["id"]),
        ("GID", 0 if record["id"] == 0 else 1),
    )
    body += ids("GROUPS", [0 if record["id"] == 0 else 1])
    body += fields(
        ("GNAME", "oneadmin" if record["id"] == 0 else "users"),
        ("NAME", record["name"]),
        ("PASSWORD", record["password_hash"]),
        ("AUTH_DRIVER", "core"),
        ("ENABLED", 1),
    )
    body += element("LOGIN_TOKEN", "") + template("TEMPLATE", {})
    return element("USER", body)


def cluster(record: Mapping[str, Any]) -> str:
    """A ``CLUSTER`` document."""
    body = fields(("ID", record["id"]), ("NAME", record["name"]))
    body += ids("HOSTS", record["hosts"])
    body += ids("DATASTORES", record["datastores"])
    body += ids("VNETS", record["vnets"])
    body += template("TEMPLATE", {"RESERVED_CPU": "", "RESERVED_MEM": ""})
    return element("CLUSTER", body)


def host(record: Mapping[str, Any]) -> str:
    """A ``HOST`` document (state 2 is MONITORED)."""
    body = fields(
        ("ID", record["id"]),
        ("NAME", record["name"]),
        ("STATE", record["state"]),
        ("PREV_STATE", record["state"]),
        ("IM_MAD", "kvm"),
        ("VM_MAD", "kvm"),
        ("CLUSTER_ID", record["cluster_id"]),
        ("CLUSTER", record["cluster"]),
    )
    share = fields(
        ("MEM_USAGE", 0),
        ("CPU_USAGE", 0),
        ("TOTAL_MEM", 16777216),
        ("TOTAL_CPU", 800),
        ("MAX_MEM", 16777216),
        ("MAX_CPU", 800),
        ("RUNNING_VMS", len(record["vms"])),
    )
    body += element("HOST_SHARE", share)
    body += ids("VMS", record["vms"])
    body += template("TEMPLATE", {"HYPERVISOR": "kvm", "ARCH": "x86_64"})
    body += element("MONITORING", "")
    return element("HOST", body)


def vm_template(record: Mapping[str, Any]) -> str:
    """A ``VMTEMPLATE`` document."""
    body = owned(record) + permissions()
    body += fields(("REGTIME", record["regtime"]))
    body += template("TEMPLATE", record["template"])
    return element("VMTEMPLATE", body)


def vm(record: Mapping[str, Any]) -> str:
    """A ``VM`` document with its history (the hosts it ran on)."""
    body = owned(record) + permissions()
    body += fields(
        ("LAST_POLL", record["stime"]),
        ("STATE", record["state"]),
        ("LCM_STATE", record["lcm_state"]),
        ("PREV_STATE", record["prev_state"]),
        ("PREV_LCM_STATE", record["prev_lcm_state"]),
        ("RESCHED", 0),
        ("STIME", record["stime"]),
        ("ETIME", record["etime"]),
        ("DEPLOY_ID", record["deploy_id"]),
    )
    body += element("MONITORING", "")
    body += element("SCHED_ACTIONS", "")
    body += template("TEMPLATE", record["template"])
    body += template("USER_TEMPLATE", record["user_template"])
    history = "".join(
        element(
            "HISTORY",
            fields(
                ("OID", record["id"]),
                ("SEQ", seq),
                ("HOSTNAME", entry["hostname"]),
                ("HID", entry["hid"]),
                ("CID", entry["cid"]),
                ("STIME", entry["stime"]),
                ("ETIME", 0),
                ("VM_MAD", "kvm"),
                ("TM_MAD", "ssh"),
                ("DS_ID", 0),
                ("PSTIME", entry["stime"]),
                ("PETIME", entry["stime"]),
                ("RSTIME", entry["stime"]),
                ("RETIME", 0),
                ("ESTIME", 0),
                ("EETIME", 0),
                ("ACTION", 0),
                ("UID", -1),
                ("GID", -1),
                ("REQUEST_ID", -1),
            ),
        )
        for seq, entry in enumerate(record["history"])
    )
    body += element("HISTORY_RECORDS", history)
    return element("VM", body)


def address_range(ar: Any, leases: bool) -> str:
    """One ``AR`` of a virtual network: with its ``LEASES`` (``one.vn.info``)
    or with the pool's ``ALLOCATED`` summary (``one.vnpool.info``)."""
    pairs: list[tuple[str, Any]] = [
        ("AR_ID", ar.id),
        ("IP", ar.ip(0)),
        ("MAC", ar.mac(0)),
        ("SIZE", ar.size),
        ("TYPE", "IP4"),
    ]
    if not leases:
        allocated = "".join(f" {index} {vm_id}" for index, vm_id in ar.leases.items())
        return element("AR", fields(("ALLOCATED", allocated), *pairs))
    body = fields(
        *pairs,
        ("MAC_END", ar.mac(ar.size - 1)),
        ("IP_END", ar.ip(ar.size - 1)),
        ("USED_LEASES", len(ar.leases)),
    )
    used = "".join(
        element(
            "LEASE",
            fields(("IP", ar.ip(index)), ("MAC", ar.mac(index)), ("VM", vm_id)),
        )
        for index, vm_id in sorted(ar.leases.items())
    )
    return element("AR", body + element("LEASES", used))


def vnet(record: Mapping[str, Any], leases: bool) -> str:
    """A ``VNET`` document with its address ranges."""
    body = owned(record) + permissions()
    body += ids("CLUSTERS", record["clusters"])
    body += fields(
        ("BRIDGE", record["bridge"]),
        ("BRIDGE_TYPE", "linux"),
        ("STATE", 1),
        ("PREV_STATE", 0),
        ("PARENT_NETWORK_ID", ""),
        ("VN_MAD", record["vn_mad"]),
        ("PHYDEV", ""),
        ("VLAN_ID", ""),
        ("OUTER_VLAN_ID", ""),
        ("VLAN_ID_AUTOMATIC", 0),
        ("OUTER_VLAN_ID_AUTOMATIC", 0),
        ("USED_LEASES", sum(len(ar.leases) for ar in record["ars"])),
    )
    body += element("VROUTERS", "")
    body += template("TEMPLATE", record["template"])
    ranges = "".join(address_range(ar, leases) for ar in record["ars"])
    body += element("AR_POOL", ranges)
    return element("VNET", body)


def image(record: Mapping[str, Any]) -> str:
    """An ``IMAGE`` document (type 2 is DATABLOCK; state 1 READY, 2 USED)."""
    body = owned(record) + permissions()
    body += fields(
        ("TYPE", record["type"]),
        ("DISK_TYPE", 0),
        ("PERSISTENT", record["persistent"]),
        ("REGTIME", record["regtime"]),
        ("MODTIME", record["regtime"]),
        ("SOURCE", f"/var/lib/one/datastores/1/{record['id']:032x}"),
        ("PATH", ""),
        ("FORMAT", "raw"),
        ("FS", ""),
        ("SIZE", record["size"]),
        ("STATE", record["state"]),
        ("PREV_STATE", 1),
        ("RUNNING_VMS", len(record["vms"])),
        ("CLONING_OPS", 0),
        ("CLONING_ID", -1),
        ("TARGET_SNAPSHOT", -1),
        ("DATASTORE_ID", record["datastore_id"]),
        ("DATASTORE", record["datastore"]),
    )
    body += ids("VMS", record["vms"])
    body += ids("CLONES", [])
    body += ids("APP_CLONES", [])
    body += template("TEMPLATE", record["template"])
    body += element(
        "SNAPSHOTS",
        fields(("ALLOW_ORPHANS", "NO"), ("CURRENT_BASE", -1), ("NEXT_SNAPSHOT", 0)),
    )
    return element("IMAGE", body)


def datastore(record: Mapping[str, Any]) -> str:
    """A ``DATASTORE`` document (type 0 IMAGE, 1 SYSTEM)."""
    body = owned(record) + permissions()
    body += fields(
        ("DS_MAD", "fs"),
        ("TM_MAD", "ssh"),
        ("BASE_PATH", f"/var/lib/one//datastores/{record['id']}"),
        ("TYPE", record["type"]),
        ("DISK_TYPE", 0),
        ("STATE", 0),
    )
    body += ids("CLUSTERS", record["clusters"])
    body += fields(("TOTAL_MB", 102400), ("FREE_MB", 81920), ("USED_MB", 20480))
    body += ids("IMAGES", record["images"])
    body += template("TEMPLATE", {"DS_MAD": "fs", "TM_MAD": "ssh"})
    return element("DATASTORE", body)
