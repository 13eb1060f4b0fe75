"""Systems and SystemTemplates, kept by CIMI.

A System groups resources of the cloud: its sub-collections (machines,
volumes, networks, ...) hold members that reference them. Creating a System
from a template launches the machines its component descriptors describe;
start, stop and restart act on its machines; deleting it deletes them.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import Blueprint
from flask import Response

from deltaflask.context import current_driver
from deltaflask.drivers import BaseDriver
from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ValidationFailure
from deltaflask.instance_actions import perform_instance_action
from deltaflask.plugins.cimi import parsing
from deltaflask.plugins.cimi.families import Data
from deltaflask.plugins.cimi.families import created
from deltaflask.plugins.cimi.families import edit_ops
from deltaflask.plugins.cimi.families import found
from deltaflask.plugins.cimi.families import referenced
from deltaflask.plugins.cimi.links import last_segment
from deltaflask.plugins.cimi.machines import launch
from deltaflask.plugins.cimi.numbers import parse_position
from deltaflask.plugins.cimi.query import apply
from deltaflask.plugins.cimi.render import NAMESPACE
from deltaflask.plugins.cimi.render import Collection
from deltaflask.plugins.cimi.render import Entity
from deltaflask.plugins.cimi.render import compact
from deltaflask.plugins.cimi.render import empty
from deltaflask.plugins.cimi.render import operation
from deltaflask.plugins.cimi.render import respond
from deltaflask.plugins.cimi.render import url
from deltaflask.plugins.cimi.store import cimi_store
from deltaflask.plugins.cimi.stored import StoredFamily
from deltaflask.plugins.cimi.stored import absolute
from deltaflask.plugins.cimi.stored import common
from deltaflask.plugins.cimi.stored import local_ref
from deltaflask.plugins.cimi.stored import lookup
from deltaflask.plugins.cimi.times import iso

#: sub-collection -> (member type, reference attribute, referenced collection,
#: the driver's getter of the referenced entity; None: kept by CIMI)
SUBS: dict[str, tuple[str, str, str, str | None]] = {
    "systems": ("SystemSystem", "system", "systems", None),
    "machines": ("SystemMachine", "machine", "machines", "instance"),
    "credentials": ("SystemCredential", "credential", "credentials", "key"),
    "volumes": ("SystemVolume", "volume", "volumes", "storage_volume"),
    "networks": ("SystemNetwork", "network", "networks", "subnet"),
    "network_ports": ("SystemNetworkPort", "networkPort", "network_ports", None),
    "addresses": ("SystemAddress", "address", "addresses", "address"),
    "forwarding_groups": (
        "SystemForwardingGroup",
        "forwardingGroup",
        "forwarding_groups",
        "network",
    ),
}
#: the JSON member of each sub-collection
KEYS = {
    "systems": "systems",
    "machines": "machines",
    "credentials": "credentials",
    "volumes": "volumes",
    "networks": "networks",
    "network_ports": "networkPorts",
    "addresses": "addresses",
    "forwarding_groups": "forwardingGroups",
}
#: action -> (driver instance action, state the system is left in)
ACTIONS = {
    "start": ("start", "STARTED"),
    "stop": ("stop", "STOPPED"),
    "restart": ("reboot", "STARTED"),
}
MACHINE_TYPE = f"{NAMESPACE}/Machine"
#: the most machines one component descriptor may ask for
MAX_QUANTITY = 100


def _system_ops(stored: Data, own: str) -> list[dict[str, str]]:
    running = stored.get("state") == "STARTED"
    actions = ("stop", "restart") if running else ("start",)
    return [operation(a, f"{own}/{a}") for a in actions] + edit_ops(own)


class Systems(StoredFamily):
    """Systems: their members are shown through the sub-collections only."""

    def data(self, stored: Data) -> Data:
        """A System with an href for each sub-collection."""
        hidden = {"members", *KEYS.values()}
        data = super().data({k: v for k, v in stored.items() if k not in hidden})
        own = data["id"]
        links = {KEYS[sub]: {"href": f"{own}/{sub}"} for sub in SUBS}
        ops = data.pop("operations")
        return {**data, **links, "operations": ops}

    def collection(self) -> Collection:
        """Every system (``add``: create one from a SystemTemplate)."""
        collection = super().collection()
        collection.operations = [operation("add", url("systems"))]
        return collection

    def delete(self, entity_id: str) -> Response:
        """DELETE /systems/<id>: delete its machines, then the system."""
        system = self.get(entity_id)
        driver = current_driver()
        for instance_id in _machine_ids(system):
            _destroy(driver, instance_id)
        cimi_store().delete("systems", entity_id)
        return empty(200)


SYSTEMS = Systems("systems", "System", "systems", operations=_system_ops)


def _build_template(body: Data) -> Data:
    """A SystemTemplate whose descriptors can be launched (404/400 otherwise)."""
    descriptors = body["componentDescriptors"]
    if not descriptors:
        raise ValidationFailure("componentDescriptors must not be empty")
    for descriptor in descriptors:
        _plan(descriptor)
    return {"componentDescriptors": descriptors}


TEMPLATES = StoredFamily(
    "system_templates",
    "SystemTemplate",
    "systemTemplates",
    parsing.SystemTemplateCreate,
    _build_template,
)


def register(bp: Blueprint) -> None:
    """Add the routes of systems, their members and templates."""
    SYSTEMS.register(bp)
    TEMPLATES.register(bp)
    bp.add_url_rule("/systems", "create_system", create_system, methods=["POST"])
    bp.add_url_rule(
        "/systems/<system_id>/<any(start,stop,restart):action>",
        "system_action",
        system_action,
        methods=["POST"],
    )
    subs = "any(" + ",".join(SUBS) + "):sub"
    bp.add_url_rule(f"/systems/<system_id>/<{subs}>", "system_members", list_members)
    bp.add_url_rule(
        f"/systems/<system_id>/<{subs}>", "add_member", add_member, methods=["POST"]
    )
    bp.add_url_rule(
        f"/systems/<system_id>/<{subs}>/<member_id>", "system_member", show_member
    )
    bp.add_url_rule(
        f"/systems/<system_id>/<{subs}>/<member_id>",
        "remove_member",
        remove_member,
        methods=["DELETE"],
    )


# -- members -------------------------------------------------------------------------
def member_data(system_id: str, sub: str, member: Data) -> Data:
    """One member of a system's sub-collection."""
    own = url("systems", system_id, sub, member["id"])
    attribute = SUBS[sub][1]
    return compact(
        {
            "id": own,
            "name": member.get("name"),
            "description": member.get("description"),
            "created": iso(member.get("created")),
            attribute: absolute(member.get(attribute)),
            "operations": [operation("delete", own)],
        }
    )


def _members(system: Data, sub: str) -> list[Data]:
    members: list[Data] = system.get("members", {}).get(sub, [])
    return members


def members_collection(system_id: str, sub: str) -> Collection:
    """The members of one sub-collection of a system."""
    system = SYSTEMS.get(system_id)
    type_name = SUBS[sub][0]
    entries = [member_data(system_id, sub, m) for m in _members(system, sub)]
    own = url("systems", system_id, sub)
    key = type_name[0].lower() + type_name[1:] + ("es" if sub == "addresses" else "s")
    return Collection(type_name, own, key, entries, [operation("add", own)])


def list_members(system_id: str, sub: str) -> Response:
    """GET /systems/<id>/<sub>."""
    return respond(apply(members_collection(system_id, sub)))


def show_member(system_id: str, sub: str, member_id: str) -> Response:
    """GET /systems/<id>/<sub>/<member>."""
    system = SYSTEMS.get(system_id)
    member = found(
        next((m for m in _members(system, sub) if m["id"] == member_id), None)
    )
    return respond(Entity(SUBS[sub][0], member_data(system_id, sub, member)))


def add_member(system_id: str, sub: str) -> Response:
    """POST /systems/<id>/<sub>: a member referencing an existing resource
    (its id is chosen in the transaction that stores it)."""
    SYSTEMS.get(system_id)
    type_name, attribute, target, getter = SUBS[sub]
    body = parsing.load(parsing.SystemMember, type_name=type_name + "Create")
    if not body.get(attribute):
        raise ValidationFailure(f"Required attributes not set: {attribute}")
    finder = (
        getattr(current_driver(), getter)
        if getter
        else partial(cimi_store().load, target)
    )
    entity_id = referenced(body[attribute], attribute, finder)
    member = {**common(body), attribute: local_ref(target, entity_id)}
    cimi_store().update("systems", system_id, partial(_add, sub=sub, member=member))
    return created(type_name, member_data(system_id, sub, member))


def _add(system: Data, sub: str, member: Data) -> Data:
    members = system.setdefault("members", {}).setdefault(sub, [])
    taken = {m["id"] for m in members}
    prefix = f"sys_{SUBS[sub][1]}_"
    number = next(n for n in range(1, len(taken) + 2) if f"{prefix}{n}" not in taken)
    member.update(id=f"{prefix}{number}", created=iso())
    members.append(member)
    return member


def remove_member(system_id: str, sub: str, member_id: str) -> Response:
    """DELETE /systems/<id>/<sub>/<member>: drop the member (not the resource)."""

    def drop(system: Data) -> None:
        members = _members(system, sub)
        kept = [m for m in members if m["id"] != member_id]
        if len(kept) == len(members):
            raise ObjectNotFound("Not found")
        system["members"][sub] = kept

    cimi_store().update("systems", system_id, drop)
    return empty(200)


# -- create, actions, delete ----------------------------------------------------------
def create_system() -> Response:
    """POST /systems: launch the machines of a SystemTemplate's descriptors.

    Every descriptor is checked before anything is created; if a launch fails,
    the machines already launched are deleted again.
    """
    driver = current_driver()
    body = parsing.load(parsing.SystemCreate)
    template = lookup("system_templates", body["systemTemplate"], "systemTemplate")
    plan = [
        _plan(descriptor) for descriptor in template.get("componentDescriptors", [])
    ]
    launched: list[str] = []
    try:
        for name, reference, quantity in plan:
            for number in range(1, quantity + 1):
                label = f"{name}{number}" if quantity > 1 else name
                launched.append(launch(driver, reference, label or None).id)
    except Exception:
        for instance_id in launched:
            _destroy(driver, instance_id)
        raise
    system: Data = {**common(body), "created": iso(), "state": "STARTED"}
    for instance_id in launched:
        _add(system, "machines", {"machine": local_ref("machines", instance_id)})
    return created("System", SYSTEMS.data(SYSTEMS.save_new(system)))


def _plan(descriptor: Data) -> tuple[str, dict[str, Any], int]:
    if descriptor.get("type") != MACHINE_TYPE:
        raise ValidationFailure(
            f"Unsupported component type '{str(descriptor.get('type'))[:80]}'"
        )
    raw = descriptor.get("machineTemplate")
    loaded = parsing.load(parsing.MachineCreate, data={"machineTemplate": raw})
    reference = loaded["machineTemplate"]
    if "href" in reference:
        lookup("machine_templates", reference, "machineTemplate")
    quantity = parse_position("quantity", str(descriptor.get("quantity") or 1))
    if quantity > MAX_QUANTITY:
        raise ValidationFailure(f"quantity must lie between 1 and {MAX_QUANTITY}")
    return str(descriptor.get("name") or ""), reference, quantity


def _machine_ids(system: Data) -> list[str]:
    return [
        last_segment(m["machine"]["href"], "machine")
        for m in _members(system, "machines")
        if isinstance(m.get("machine"), dict) and m["machine"].get("href")
    ]


def system_action(system_id: str, action: str) -> Response:
    """POST /systems/<id>/<action>: act on every machine that allows it."""
    system = SYSTEMS.get(system_id)
    parsing.load_action(action)
    driver = current_driver()
    verb, state = ACTIONS[action]
    for instance_id in _machine_ids(system):
        instance = driver.instance(instance_id)
        if instance is not None and verb in driver.instance_actions(instance):
            perform_instance_action(driver, instance_id, verb)
    cimi_store().update(
        "systems", system_id, lambda stored: stored.update(state=state, updated=iso())
    )
    return empty(202)


def _destroy(driver: BaseDriver, instance_id: str) -> None:
    instance = driver.instance(instance_id)
    if instance is None:
        return
    if "destroy" not in driver.instance_actions(instance):
        perform_instance_action(driver, instance_id, "stop")
    perform_instance_action(driver, instance_id, "destroy")


ENTRY_POINT = {
    "systems": SYSTEMS.entry("create_instance"),
    "systemTemplates": TEMPLATES.entry("create_instance"),
}
