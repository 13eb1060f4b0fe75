"""Machines (instances): list, show, create, delete, actions, disks and volumes."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import Response

from deltaflask.context import current_driver
from deltaflask.drivers import BaseDriver
from deltaflask.drivers import InstanceCreate
from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ValidationFailure
from deltaflask.instance_actions import perform_instance_action
from deltaflask.models import HardwareProfile
from deltaflask.models import Instance
from deltaflask.models import InstanceState
from deltaflask.plugins.cimi import parsing
from deltaflask.plugins.cimi.families import Family
from deltaflask.plugins.cimi.families import described
from deltaflask.plugins.cimi.links import last_segment
from deltaflask.plugins.cimi.machine_interfaces import interfaces
from deltaflask.plugins.cimi.machine_interfaces import register as register_interfaces
from deltaflask.plugins.cimi.machine_volumes import machine_volumes
from deltaflask.plugins.cimi.machine_volumes import register as register_volumes
from deltaflask.plugins.cimi.query import apply
from deltaflask.plugins.cimi.query import expand_names
from deltaflask.plugins.cimi.query import wants
from deltaflask.plugins.cimi.render import ACTION_URI
from deltaflask.plugins.cimi.render import Collection
from deltaflask.plugins.cimi.render import Entity
from deltaflask.plugins.cimi.render import compact
from deltaflask.plugins.cimi.render import empty
from deltaflask.plugins.cimi.render import operation
from deltaflask.plugins.cimi.render import ref
from deltaflask.plugins.cimi.render import respond
from deltaflask.plugins.cimi.render import url
from deltaflask.plugins.cimi.store import cimi_store
from deltaflask.plugins.cimi.store import forget
from deltaflask.plugins.cimi.store import remember
from deltaflask.plugins.cimi.times import iso

#: driver state -> CIMI machine state (the others keep their name)
STATES = {
    InstanceState.RUNNING: "STARTED",
    InstanceState.PENDING: "CREATING",
    InstanceState.START: "CREATING",
}
#: the state of an instance that is gone (EC2 lists terminated ones for a
#: while): deleted, for CIMI, so neither listed nor shown
GONE = InstanceState.FINISH
#: CIMI initialState -> the state the driver launches in
INITIAL_STATES = {"STARTED": InstanceState.RUNNING, "STOPPED": InstanceState.STOPPED}
#: CIMI action -> driver instance action
ACTIONS = {"start": "start", "stop": "stop", "restart": "reboot"}
KIB_PER_MB = 1024
KIB_PER_GB = 1024 * 1024


def register(bp: Blueprint) -> None:
    """Add the machine routes."""
    bp.add_url_rule("/machines", "machines", list_machines)
    bp.add_url_rule("/machines", "create_machine", create_machine, methods=["POST"])
    bp.add_url_rule("/machines/<machine_id>", "machine", show_machine)
    bp.add_url_rule(
        "/machines/<machine_id>", "delete_machine", delete_machine, methods=["DELETE"]
    )
    bp.add_url_rule(
        "/machines/<machine_id>/<any(start,stop,restart):action>",
        "machine_action",
        machine_action,
        methods=["POST"],
    )
    bp.add_url_rule("/machines/<machine_id>/disks", "machine_disks", show_disks)
    bp.add_url_rule(
        "/machines/<entity_id>", "edit_machine", MACHINES.edit, methods=["PUT"]
    )
    register_volumes(bp)
    register_interfaces(bp)


def machines_collection() -> Collection:
    """Every machine of the user."""
    driver = current_driver()
    entries = [
        machine_data(driver, instance)
        for instance in driver.instances({})
        if instance.state != GONE
    ]
    ops = (
        [operation("add", url("machines"))]
        if driver.supports("create_instance")
        else []
    )
    return Collection("Machine", url("machines"), "machines", entries, ops)


ENTRY_POINT = {
    "machines": (
        "machines",
        lambda cls: cls.supports("instances"),
        machines_collection,
    ),
}


class Machines(Family):
    """The Machine family, whose gone instances are no machines."""

    def get(self, driver: BaseDriver, entity_id: str) -> Any:
        """One instance that is not gone; 404 otherwise."""
        return _instance(driver, entity_id)


MACHINES = Machines(
    "machines",
    "Machine",
    "machines",
    "instances",
    "instance",
    lambda driver, instance: machine_data(driver, instance),
)


def list_machines() -> Response:
    """GET /machines."""
    driver = current_driver()
    return respond(
        apply(machines_collection(), lambda entry, names: _expand(driver, entry, names))
    )


def show_machine(machine_id: str) -> Response:
    """GET /machines/<id>."""
    driver = current_driver()
    data = machine_data(driver, _instance(driver, machine_id))
    return respond(Entity("Machine", _expand(driver, data, expand_names())))


def _instance(driver: BaseDriver, machine_id: str) -> Instance:
    instance = driver.instance(machine_id)
    if instance is None or instance.state == GONE:
        raise ObjectNotFound("Not found")
    return instance


def _expand(
    driver: BaseDriver, data: dict[str, Any], names: set[str]
) -> dict[str, Any]:
    machine_id = data["id"].rsplit("/", 1)[-1]
    if wants(names, "disks") and "disks" in data:
        data["disks"] = disks_collection(driver, _instance(driver, machine_id))
    if (
        wants(names, "volumes")
        and "volumes" in data
        and driver.supports("storage_volumes")
    ):
        data["volumes"] = machine_volumes(driver, machine_id)
    if wants(names, "networkInterfaces") and "networkInterfaces" in data:
        data["networkInterfaces"] = interfaces(driver, machine_id)
    return data


def machine_data(driver: BaseDriver, instance: Instance) -> dict[str, Any]:
    """The CIMI attributes of an instance."""
    profile = _profile(driver, instance)
    own = url("machines", instance.id)
    return compact(
        {
            **described(
                "machines",
                instance.id,
                instance.name or "",
                what="Machine",
                created=iso(instance.launch_time),
            ),
            "realm": instance.realm_id,
            "machineImage": ref("machine_images", instance.image_id)
            if instance.image_id
            else None,
            "state": STATES.get(instance.state, str(instance.state)),
            "cpu": _value(instance, profile, "cpu", lambda v: str(int(float(v)))),
            "memory": _value(
                instance, profile, "memory", lambda v: int(float(v) * KIB_PER_MB)
            ),
            "disks": {"href": own + "/disks"},
            "volumes": {"href": own + "/volumes"}
            if driver.supports("storage_volumes")
            else None,
            "networkInterfaces": {"href": own + "/network_interfaces"}
            if driver.supports("network_interfaces")
            else None,
            "operations": _operations(driver, instance, own),
        }
    )


def _profile(driver: BaseDriver, instance: Instance) -> HardwareProfile | None:
    if instance.profile is None:
        return None
    return driver.hardware_profile(instance.profile.id)


def _value(
    instance: Instance, profile: HardwareProfile | None, name: str, convert: Any
) -> Any:
    raw = instance.profile.overrides.get(name) if instance.profile else None
    if raw is None and profile is not None and (prop := profile.property(name)):
        raw = prop.value
    try:
        return None if raw is None else convert(raw)
    except (TypeError, ValueError):
        return None


def _operations(
    driver: BaseDriver, instance: Instance, own: str
) -> list[dict[str, str]]:
    ops = []
    for action in driver.instance_actions(instance):
        if action == "destroy":
            ops.append(operation(ACTION_URI + "delete", own))
        elif action in ("start", "stop", "reboot"):
            name = "restart" if action == "reboot" else action
            ops.append(operation(name, f"{own}/{name}"))
    if instance.create_image and driver.supports("create_image"):
        ops.append(operation("capture", url("machine_images")))
    ops.append(operation("edit", own))
    return ops


def disks_collection(driver: BaseDriver, instance: Instance) -> Collection:
    """The machine's disk, from its profile's storage (GB, shown in KiB)."""
    own = url("machines", instance.id, "disks")
    capacity = _value(
        instance,
        _profile(driver, instance),
        "storage",
        lambda v: int(float(v) * KIB_PER_GB),
    )
    entries = []
    if capacity is not None:
        name = f"{instance.id}_disk_{capacity}"
        entries.append(
            {
                "id": f"{own}/{name}",
                "name": name,
                "description": f"Disk for Machine {instance.id}",
                "created": iso(instance.launch_time),
                "capacity": capacity,
            }
        )
    return Collection("Disk", own, "disks", entries)


def show_disks(machine_id: str) -> Response:
    """GET /machines/<id>/disks."""
    driver = current_driver()
    return respond(apply(disks_collection(driver, _instance(driver, machine_id))))


# -- create ----------------------------------------------------------------------
def create_machine() -> Response:
    """POST /machines: from a MachineTemplate by reference or by value."""
    driver = current_driver()
    body = parsing.load(parsing.MachineCreate)
    instance = launch(
        driver, body["machineTemplate"], body.get("name"), body.get("realm")
    )
    remember("machines", instance.id, body)
    data = machine_data(driver, instance)
    return respond(Entity("Machine", data), 201, {"Location": data["id"]})


def launch(
    driver: BaseDriver,
    reference: dict[str, Any],
    name: str | None,
    realm: str | None = None,
) -> Instance:
    """Create an instance from a loaded MachineTemplate reference (404/400 for
    missing templates, configurations or states, before anything is created)."""
    template = _template(reference)
    state = (template.get("initialState") or "STARTED").upper()
    if state not in INITIAL_STATES:
        raise ValidationFailure(f"Unsupported initialState '{state[:40]}'")
    hwp_id, hwp_overrides = _configuration(driver, template["machineConfig"])
    credential = template.get("credential")
    request = InstanceCreate(
        image_id=_image_id(template["machineImage"]),
        realm_id=realm or template.get("realm"),
        hwp_id=hwp_id,
        hwp_overrides=hwp_overrides,
        name=name,
        keyname=last_segment(credential["href"], "credential") if credential else None,
        initial_state=INITIAL_STATES[state],
    )
    return driver.create_instance(request)[0]


def _template(reference: dict[str, Any]) -> dict[str, Any]:
    if "value" in reference:
        return dict(reference["value"])
    template_id = last_segment(reference["href"], "machineTemplate")
    stored = cimi_store().load("machine_templates", template_id)
    if stored is None:
        raise ObjectNotFound(f"MachineTemplate '{template_id}' not found")
    return {
        key: value
        for key, value in stored.items()
        if key
        in ("machineConfig", "machineImage", "credential", "initialState", "realm")
    }


def _image_id(reference: dict[str, Any]) -> str:
    if "value" in reference:
        return last_segment(
            reference["value"]["imageLocation"]["href"], "imageLocation"
        )
    return last_segment(reference["href"], "machineImage")


def _configuration(
    driver: BaseDriver, reference: dict[str, Any]
) -> tuple[str, dict[str, str]]:
    if "href" in reference:
        hwp_id = last_segment(reference["href"], "machineConfig")
        if driver.hardware_profile(hwp_id) is None:
            raise ValidationFailure(f"MachineConfiguration '{hwp_id}' does not exist")
        return hwp_id, {}
    wanted = {
        "cpu": str(reference["value"]["cpu"]),
        "memory": _number(reference["value"]["memory"] / KIB_PER_MB),
    }
    for profile in driver.hardware_profiles({}):
        props = {name: profile.property(name) for name in wanted}
        if all(
            prop is not None and prop.accepts(wanted[name])
            for name, prop in props.items()
        ):
            return profile.id, {
                name: wanted[name]
                for name, prop in props.items()
                if prop is not None and prop.kind != "fixed"
            }
    raise ValidationFailure(
        "No machine configuration offers the cpu and memory asked for"
    )


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


# -- actions and delete ------------------------------------------------------------
def machine_action(machine_id: str, action: str) -> Response:
    """POST /machines/<id>/<action> with an Action entity naming the same action."""
    driver = current_driver()
    _instance(driver, machine_id)
    parsing.load_action(action)
    perform_instance_action(driver, machine_id, ACTIONS[action])
    return empty(202)


def delete_machine(machine_id: str) -> Response:
    """DELETE /machines/<id> (the state must allow it)."""
    driver = current_driver()
    _instance(driver, machine_id)
    perform_instance_action(driver, machine_id, "destroy")
    forget("machines", machine_id)
    return empty(200)
