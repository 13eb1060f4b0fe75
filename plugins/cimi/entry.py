"""The CloudEntryPoint and ResourceMetadata."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint
from flask import Response

from deltaflask.context import current_driver
from deltaflask.context import current_driver_class
from deltaflask.context import current_driver_name
from deltaflask.context import current_provider
from deltaflask.drivers import BaseDriver
from deltaflask.drivers.contract import missing
from deltaflask.errors import ObjectNotFound
from deltaflask.plugins.cimi import addresses
from deltaflask.plugins.cimi import machine_resources
from deltaflask.plugins.cimi import machines
from deltaflask.plugins.cimi import network_ports
from deltaflask.plugins.cimi import networks
from deltaflask.plugins.cimi import systems
from deltaflask.plugins.cimi import volumes
from deltaflask.plugins.cimi import vsps
from deltaflask.plugins.cimi.query import apply
from deltaflask.plugins.cimi.query import expand_names
from deltaflask.plugins.cimi.query import wants
from deltaflask.plugins.cimi.render import Collection
from deltaflask.plugins.cimi.render import Entity
from deltaflask.plugins.cimi.render import base_url
from deltaflask.plugins.cimi.render import compact
from deltaflask.plugins.cimi.render import respond
from deltaflask.plugins.cimi.render import url
from deltaflask.plugins.cimi.times import iso

Lister = Callable[[], Collection]
#: CEP attribute -> (path, whether the driver class can serve it, the collection)
FAMILIES: dict[str, tuple[str, Callable[[type], bool], Lister]] = {
    **systems.ENTRY_POINT,
    **machines.ENTRY_POINT,
    **machine_resources.ENTRY_POINT,
    **volumes.ENTRY_POINT,
    **networks.ENTRY_POINT,
    **network_ports.ENTRY_POINT,
    **addresses.ENTRY_POINT,
}
#: the CEP's attribute order (DSP0263)
SPEC_ORDER = (
    "systems",
    "systemTemplates",
    "machines",
    "machineTemplates",
    "machineConfigs",
    "machineImages",
    "credentials",
    "volumes",
    "volumeTemplates",
    "volumeConfigs",
    "volumeImages",
    "networks",
    "networkTemplates",
    "networkConfigs",
    "networkPorts",
    "networkPortTemplates",
    "networkPortConfigs",
    "addresses",
    "addressTemplates",
    "forwardingGroups",
    "forwardingGroupTemplates",
)
DESCRIPTIONS = {
    "DefaultInitialState": "Indicates what the default initial state of a new Machine ",
    "InitialStates": "Indicates the list of allowable initial states",
}


def register(bp: Blueprint) -> None:
    """Add the entry point and resource metadata routes."""
    bp.add_url_rule("/cloudEntryPoint", "cloud_entry_point", cloud_entry_point)
    bp.add_url_rule("/resource_metadata", "resource_metadata", resource_metadata)
    bp.add_url_rule(
        "/resource_metadata/<name>",
        "resource_metadata_member",
        resource_metadata_member,
    )


def refuse_unavailable(path: str) -> None:
    """412 (as for any operation the driver lacks) for a path under a collection
    the CloudEntryPoint leaves out, such as the templates of a family the driver
    cannot serve; ``path`` is relative to ``/cimi``."""
    first = path.strip("/").split("/", 1)[0]
    first = vsps.ALIASES.get(first, first)
    for family_path, available, _ in FAMILIES.values():
        if family_path == first and not available(current_driver_class()):
            raise missing(first)


def cloud_entry_point() -> Response:
    """The CEP: a link to every collection the driver can serve (no auth needed)."""
    driver_class = current_driver_class()
    names = expand_names()
    data: dict[str, Any] = {
        "id": url("cloudEntryPoint"),
        "name": current_driver_name(),
        "description": "Cloud Entry Point for the Deltacloud "
        f"{current_driver_name()} driver",
        "created": iso(),
        "driver": current_driver_name(),
        "provider": current_provider() or "default",
        "baseURI": base_url() + "/",
        "resourceMetadata": {"href": url("resource_metadata")},
    }
    for key in SPEC_ORDER:
        path, available, lister = FAMILIES[key]
        if available(driver_class):
            data[key] = lister() if wants(names, key) else {"href": url(path)}
    return respond(Entity("CloudEntryPoint", data))


def resource_metadata() -> Response:
    """Metadata of every type the driver serves (with attribute metadata and
    capabilities where there are any)."""
    entries = [compact(meta) for meta in _all_metadata()]
    return respond(
        apply(
            Collection(
                "ResourceMetadata",
                url("resource_metadata"),
                "resourceMetadata",
                entries,
            )
        )
    )


def resource_metadata_member(name: str) -> Response:
    """Metadata of one type, by its snake_case name."""
    for meta in _all_metadata():
        if meta["id"] == url("resource_metadata", name):
            return respond(Entity("ResourceMetadata", compact(meta)))
    raise ObjectNotFound("Not found")


def _all_metadata() -> list[dict[str, Any]]:
    found = _described()
    known = {meta["name"] for meta in found}
    driver_class = current_driver_class()
    for key in SPEC_ORDER:
        path, available, _ = FAMILIES[key]
        snake = path.removesuffix("es") if path.endswith("sses") else path[:-1]
        type_name = "".join(part.capitalize() for part in snake.split("_"))
        if available(driver_class) and type_name not in known:
            found.append(_metadata(type_name, snake, []))
    return found


def _described() -> list[dict[str, Any]]:
    driver = current_driver()
    found = [
        _metadata(
            "CloudEntryPoint",
            "cloud_entry_point",
            [
                _attribute("cloud_entry_point", "driver", "text", True),
                _attribute("cloud_entry_point", "provider", "text", True),
            ],
        )
    ]
    if driver.supports("instances"):
        found.extend(_machine_metadata(driver))
    if driver.supports("create_address"):
        found.append(
            _metadata(
                "Address", "address", [], [addresses.chosen_ip_capability(driver)]
            )
        )
    return found


def _machine_metadata(driver: BaseDriver) -> list[dict[str, Any]]:
    realms = (
        [realm.id for realm in driver.realms({})] if driver.supports("realms") else []
    )
    constraints = [{"value": realm} for realm in realms]
    capabilities = []
    if driver.supports("create_instance"):
        states = (
            ["STARTED", "STOPPED"] if driver.supports("stop_instance") else ["STARTED"]
        )
        capabilities = [
            _capability("DefaultInitialState", "STARTED"),
            _capability("InitialStates", ",".join(states)),
        ]
    return [
        _metadata(
            "Machine",
            "machine",
            [
                _attribute("machine", "realm", "text", False, constraints),
                _attribute("machine", "machine_image", "URI", False),
            ],
            capabilities,
        ),
        _metadata(
            "MachineTemplate",
            "machine_template",
            [_attribute("machine_template", "realm", "text", False, constraints)],
        ),
    ]


def _metadata(
    type_name: str,
    snake: str,
    attributes: list[dict[str, Any]],
    capabilities: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "id": url("resource_metadata", snake),
        "name": type_name,
        "typeUri": f"http://schemas.dmtf.org/cimi/1/{type_name}",
        "attributes": attributes,
        "capabilities": capabilities or [],
    }


def _attribute(
    snake_type: str,
    name: str,
    kind: str,
    required: bool,
    constraints: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    return compact(
        {
            "name": name,
            "namespace": f"http://deltacloud.org/cimi/{snake_type}/{name}",
            "type": kind,
            "required": "true" if required else "false",
            "constraints": constraints or [],
        }
    )


def _capability(name: str, value: str) -> dict[str, str]:
    return {
        "name": name,
        "uri": f"http://schemas.dmtf.org/cimi/1/capability/Machine/{name}",
        "description": DESCRIPTIONS[name],
        "value": value,
    }
