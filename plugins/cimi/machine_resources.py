"""MachineConfigurations (hardware profiles), MachineImages (images),
MachineTemplates (stored by CIMI) and Credentials (keys)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import Response

from deltaflask.context import current_driver
from deltaflask.drivers import BaseDriver
from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ValidationFailure
from deltaflask.models import HardwareProfile
from deltaflask.models import Image
from deltaflask.models import Key
from deltaflask.plugins.cimi import parsing
from deltaflask.plugins.cimi.families import Family
from deltaflask.plugins.cimi.families import created
from deltaflask.plugins.cimi.families import described
from deltaflask.plugins.cimi.families import edit_ops
from deltaflask.plugins.cimi.links import last_segment
from deltaflask.plugins.cimi.query import apply
from deltaflask.plugins.cimi.render import Collection
from deltaflask.plugins.cimi.render import Entity
from deltaflask.plugins.cimi.render import compact
from deltaflask.plugins.cimi.render import respond
from deltaflask.plugins.cimi.render import url
from deltaflask.plugins.cimi.store import remember
from deltaflask.plugins.cimi.stored import StoredFamily
from deltaflask.plugins.cimi.stored import local_ref
from deltaflask.plugins.cimi.times import iso

KIB_PER_MB = 1024
KIB_PER_GB = 1024 * 1024


def register(bp: Blueprint) -> None:
    """Add the routes of this family."""
    bp.add_url_rule(
        "/machine_configurations", "machine_configurations", list_configurations
    )
    bp.add_url_rule(
        "/machine_configurations/<config_id>",
        "machine_configuration",
        show_configuration,
    )
    IMAGES.register(bp, create_image)
    TEMPLATES.register(bp)
    CREDENTIALS.register(bp, create_credential)


# -- MachineConfiguration ------------------------------------------------------------
def configuration_data(profile: HardwareProfile) -> dict[str, Any] | None:
    """A profile as a MachineConfiguration (``None`` lacking cpu or memory; the
    disk only when the profile has local storage, as EBS-only types have none)."""
    values = {}
    for name in ("cpu", "memory", "storage"):
        prop = profile.property(name)
        if prop is not None:
            values[name] = float(prop.value)
    if "cpu" not in values or "memory" not in values:
        return None
    cpu = str(int(values["cpu"]))
    memory = int(values["memory"] * KIB_PER_MB)
    disks = (
        [{"capacity": int(values["storage"] * KIB_PER_GB), "format": "unknown"}]
        if "storage" in values
        else []
    )
    return compact(
        {
            "id": url("machine_configurations", profile.id),
            "name": profile.name,
            "description": f"Machine Configuration with {memory} KiB of memory "
            f"and {cpu} CPU",
            "created": iso(),
            "cpu": cpu,
            "memory": memory,
            "disks": disks,
        }
    )


def configurations_collection() -> Collection:
    """Every hardware profile that describes a machine."""
    found = [configuration_data(p) for p in current_driver().hardware_profiles({})]
    entries = [data for data in found if data is not None]
    return Collection(
        "MachineConfiguration",
        url("machine_configurations"),
        "machineConfigurations",
        entries,
    )


def list_configurations() -> Response:
    """GET /machine_configurations."""
    return respond(apply(configurations_collection()))


def show_configuration(config_id: str) -> Response:
    """GET /machine_configurations/<id> (404 for unknown or opaque profiles)."""
    profile = current_driver().hardware_profile(config_id)
    data = configuration_data(profile) if profile else None
    if data is None:
        raise ObjectNotFound("Not found")
    return respond(Entity("MachineConfiguration", data))


# -- MachineImage ------------------------------------------------------------------
def image_data(driver: BaseDriver, image: Image) -> dict[str, Any]:
    """An image as a MachineImage."""
    own = url("machine_images", image.id)
    return compact(
        {
            **described(
                "machine_images",
                image.id,
                image.name,
                description=image.description,
                created=iso(image.creation_time),
            ),
            "state": (image.state or "UNKNOWN").upper(),
            "type": "IMAGE",
            "operations": edit_ops(own, driver.may_destroy_image(image)),
        }
    )


def create_image() -> Response:
    """POST /machine_images: capture the machine named by ``imageLocation``."""
    driver = current_driver()
    body = parsing.load(parsing.MachineImageCreate)
    instance_id = last_segment(body["imageLocation"]["href"], "imageLocation")
    image = driver.create_image(instance_id, body.get("name"), body.get("description"))
    remember("machine_images", image.id, body)
    return created("MachineImage", image_data(driver, image))


# -- MachineTemplate -----------------------------------------------------------------
def _build_template(body: dict[str, Any]) -> dict[str, Any]:
    """A MachineTemplate's config and image by reference (checked to exist)."""
    driver = current_driver()
    hwp_id = last_segment(body["machineConfig"]["href"], "machineConfig")
    if driver.hardware_profile(hwp_id) is None:
        raise ValidationFailure(f"MachineConfiguration '{hwp_id}' does not exist")
    image_id = last_segment(body["machineImage"]["href"], "machineImage")
    if driver.image(image_id) is None:
        raise ValidationFailure(f"MachineImage '{image_id}' does not exist")
    built: dict[str, Any] = {
        key: body[key] for key in ("initialState", "realm") if body.get(key)
    }
    built.update(
        machineConfig=local_ref("machine_configurations", hwp_id),
        machineImage=local_ref("machine_images", image_id),
    )
    if body.get("credential"):
        built["credential"] = local_ref(
            "credentials", last_segment(body["credential"]["href"], "credential")
        )
    return built


# -- Credential --------------------------------------------------------------------
def credential_data(driver: BaseDriver, key: Key) -> dict[str, Any]:
    """A key as a Credential (a password credential shows its user name)."""
    own = url("credentials", key.id)
    return compact(
        {
            **described("credentials", key.id, key.name or key.id, created=iso()),
            "username": key.username,
            "password": key.password if key.credential_type == "password" else None,
            "key": key.pem_rsa_key,
            "operations": edit_ops(own, driver.supports("destroy_key")),
        }
    )


def create_credential() -> Response:
    """POST /credentials: a CredentialTemplate by value (its ``key`` is imported)."""
    driver = current_driver()
    body = parsing.load(parsing.CredentialCreate)
    template = body["credentialTemplate"]
    if "value" not in template:
        raise ValidationFailure("credentialTemplate must be given by value")
    if not body.get("name"):
        raise ValidationFailure("Required attributes not set: name")
    public_key = template["value"].get("key")
    key = driver.create_key(
        body["name"],
        public_key if public_key and driver.has_feature("keys", "import_key") else None,
    )
    remember("credentials", key.id, body)
    return created("Credential", credential_data(driver, key))


def _has_profiles(cls: type[BaseDriver]) -> bool:
    return bool(cls.static_hardware_profiles) or cls.supports("hardware_profiles")


IMAGES = Family(
    "machine_images",
    "MachineImage",
    "machineImages",
    "images",
    "image",
    image_data,
    creator="create_image",
    destroyer="destroy_image",
)
TEMPLATES = StoredFamily(
    "machine_templates",
    "MachineTemplate",
    "machineTemplates",
    parsing.MachineTemplateCreate,
    _build_template,
)
CREDENTIALS = Family(
    "credentials",
    "Credential",
    "credentials",
    "keys",
    "key",
    credential_data,
    creator="create_key",
    destroyer="destroy_key",
)
ENTRY_POINT = {
    "machineTemplates": TEMPLATES.entry("create_instance"),
    "machineConfigs": (
        "machine_configurations",
        _has_profiles,
        configurations_collection,
    ),
    "machineImages": IMAGES.entry(),
    "credentials": CREDENTIALS.entry(),
}
