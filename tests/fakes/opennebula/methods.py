"""The registry of the fake's ``one.*`` methods, and what their handlers share.

Each handler takes the cloud, the authenticated user and the call's
parameters after the session string, and returns the body of a successful
answer (an XML document or an id) or raises :class:`OneError`. Parameter types
are checked as oned's xmlrpc-c does (a wrong type is an XML-RPC fault).
"""

from __future__ import annotations

import xmlrpc.client
from collections.abc import Callable
from typing import Any

from tests.fakes.opennebula import documents
from tests.fakes.opennebula.cloud import AUTHORIZATION
from tests.fakes.opennebula.cloud import XML_RPC_API
from tests.fakes.opennebula.cloud import Cloud
from tests.fakes.opennebula.cloud import OneError
from tests.fakes.opennebula.cloud import missing
from tests.fakes.opennebula.templates import TemplateError
from tests.fakes.opennebula.templates import parse

User = dict[str, Any]
Handler = Callable[..., Any]


class Registry(dict[str, tuple[tuple[type, ...], Handler]]):
    """Handlers by method name, with the parameter types each requires."""

    def method(self, name: str, *types: type) -> Callable[[Handler], Handler]:
        """Register a handler for ``one.<name>`` taking at least ``types``."""

        def register(handler: Handler) -> Handler:
            self[f"one.{name}"] = (types, handler)
            return handler

        return register


def check_types(types: tuple[type, ...], params: tuple[Any, ...]) -> None:
    """An XML-RPC fault when the required parameters are missing or mistyped."""
    if len(params) < len(types):
        raise xmlrpc.client.Fault(-501, "Not enough parameters")
    for value, wanted in zip(params, types, strict=False):
        if not isinstance(value, wanted) or (wanted is int and isinstance(value, bool)):
            raise xmlrpc.client.Fault(
                -501, f"Type mismatch: expected {wanted.__name__}"
            )


def parsed(name: str, source: str) -> dict[str, Any]:
    """The template a call sent; one oned cannot parse is an API error."""
    try:
        return parse(source)
    except TemplateError as exc:
        raise OneError(XML_RPC_API, f"[{name}] {exc}") from None


def visible_vms(cloud: Cloud, user: User) -> list[dict[str, Any]]:
    """The VMs ``user`` may see: all for oneadmin, else their own."""
    return [
        vm for vm in cloud.vms.values() if user["id"] == 0 or vm["uid"] == user["id"]
    ]


def owned_vm(cloud: Cloud, user: User, name: str, vm_id: int) -> dict[str, Any]:
    """VM ``vm_id`` if ``user`` may manage it."""
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


def existing(table: dict[int, Any], name: str, kind: str, object_id: int) -> Any:
    """``table[object_id]``, or oned's NO_EXISTS answer."""
    if object_id not in table:
        raise missing(name, kind, object_id)
    return table[object_id]


#: the system, user, cluster and host methods
METHODS = Registry()


# -- system and users -------------------------------------------------------------
@METHODS.method("system.version")
def system_version(cloud: Cloud, user: User) -> str:
    return "6.8.0"


@METHODS.method("user.info", int)
def user_info(cloud: Cloud, user: User, user_id: int, *_: Any) -> str:
    if user_id == -1:
        return documents.user(user)
    for known in cloud.users.values():
        if known["id"] == user_id:
            return documents.user(known)
    raise missing("one.user.info", "user", user_id)


# -- clusters and hosts -------------------------------------------------------------
@METHODS.method("clusterpool.info")
def clusterpool_info(cloud: Cloud, user: User) -> str:
    return documents.pool(
        "CLUSTER_POOL", map(documents.cluster, cloud.clusters.values())
    )


@METHODS.method("cluster.info", int)
def cluster_info(cloud: Cloud, user: User, cluster_id: int, *_: Any) -> str:
    return documents.cluster(
        existing(cloud.clusters, "one.cluster.info", "cluster", cluster_id)
    )


@METHODS.method("hostpool.info")
def hostpool_info(cloud: Cloud, user: User) -> str:
    return documents.pool("HOST_POOL", map(documents.host, cloud.hosts.values()))
