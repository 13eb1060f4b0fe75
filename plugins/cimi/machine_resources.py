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
from deltaflask.plugins.cimi.links import last_segment
from deltaflask.plugins.cimi.query import apply
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
from deltaflask.plugins.cimi.store import overrides
from deltaflask.plugins.cimi.store import remember
from deltaflask.plugins.cimi.times import iso

KIB_PER_MB = 1024
KIB_PER_GB = 1024 * 1024
TEMPLATE_FIELDS = ("name", "description", "properties", "initialState", "realm")


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
    bp.add_url_rule("/machine_images", "machine_images", list_images)
    bp.add_url_rule(
        "/machine_images", "create_machine_image", create_image, methods=["POST"]
    )
    bp.add_url_rule("/machine_images/<image_id>", "machine_image", show_image)
    bp.add_url_rule(
        "/machine_images/<image_id>",
        "delete_machine_image",
        delete_image,
        methods=["DELETE"],
    )
    bp.add_url_rule("/machine_templates", "machine_templates", list_templates)
    bp.add_url_rule(
        "/machine_templates",
        "create_machine_template",
        create_template,
        methods=["POST"],
    )
    bp.add_url_rule(
        "/machine_templates/<template_id>", "machine_template", show_template
    )
    bp.add_url_rule(
        "/machine_templates/<template_id>",
        "delete_machine_template",
        delete_template,
        methods=["DELETE"],
    )
    bp.add_url_rule("/credentials", "credentials", list_credentials)
    bp.add_url_rule(
        "/credentials", "create_credential", create_credential, methods=["POST"]
    )
    bp.add_url_rule("/credentials/<key_id>", "credential", show_credential)
    bp.add_url_rule(
        "/credentials/<key_id>",
        "delete_credential",
        delete_credential,
        methods=["DELETE"],
    )


# -- MachineConfiguration ------------------------------------------------------------
def configuration_data(profile: HardwareProfile) -> dict[str, Any] | None:
    """A profile as a MachineConfiguration (``None`` lacking cpu, memory, storage)."""
    values = {}
    for name in ("cpu", "memory", "storage"):
        prop = profile.property(name)
        if prop is None:
            return None
        values[name] = float(prop.value)
    cpu = str(int(values["cpu"]))
    memory = int(values["memory"] * KIB_PER_MB)
    return {
        "id": url("machine_configurations", profile.id),
        "name": profile.name,
        "description": f"Machine Configuration with {memory} KiB of memory "
        f"and {cpu} CPU",
        "created": iso(),
        "cpu": cpu,
        "memory": memory,
        "disks": [
            {"capacity": int(values["storage"] * KIB_PER_GB), "format": "unknown"}
        ],
    }


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
    stored = overrides("machine_images", image.id)
    return compact(
        {
            "id": own,
            "name": stored.get("name") or image.name,
            "description": stored.get("description") or image.description,
            "created": iso(image.creation_time),
            "properties": stored.get("properties"),
            "state": (image.state or "UNKNOWN").upper(),
            "type": "IMAGE",
            "operations": [operation("delete", own)]
            if driver.supports("destroy_image")
            else [],
        }
    )


def images_collection() -> Collection:
    """Every image."""
    driver = current_driver()
    entries = [image_data(driver, image) for image in driver.images({})]
    ops = (
        [operation("add", url("machine_images"))]
        if driver.supports("create_image")
        else []
    )
    return Collection(
        "MachineImage", url("machine_images"), "machineImages", entries, ops
    )


def list_images() -> Response:
    """GET /machine_images."""
    return respond(apply(images_collection()))


def show_image(image_id: str) -> Response:
    """GET /machine_images/<id>."""
    driver = current_driver()
    image = driver.image(image_id)
    if image is None:
        raise ObjectNotFound("Not found")
    return respond(Entity("MachineImage", image_data(driver, image)))


def create_image() -> Response:
    """POST /machine_images: capture the machine named by ``imageLocation``."""
    driver = current_driver()
    body = parsing.load(parsing.MachineImageCreate)
    instance_id = last_segment(body["imageLocation"]["href"], "imageLocation")
    image = driver.create_image(instance_id, body.get("name"), body.get("description"))
    remember("machine_images", image.id, body)
    data = image_data(driver, image)
    return respond(Entity("MachineImage", data), 201, {"Location": data["id"]})


def delete_image(image_id: str) -> Response:
    """DELETE /machine_images/<id>."""
    current_driver().destroy_image(image_id)
    forget("machine_images", image_id)
    return empty(200)


# -- MachineTemplate -----------------------------------------------------------------
def template_data(stored: dict[str, Any]) -> dict[str, Any]:
    """A stored template as a MachineTemplate."""
    own = url("machine_templates", stored["id"])
    return compact(
        {
            "id": own,
            "name": stored.get("name"),
            "description": stored.get("description"),
            "created": stored.get("created"),
            "properties": stored.get("properties"),
            "initialState": stored.get("initialState"),
            "realm": stored.get("realm"),
            "machineConfig": stored.get("machineConfig"),
            "machineImage": stored.get("machineImage"),
            "credential": stored.get("credential"),
            "operations": [operation(ACTION_URI + "delete", own)],
        }
    )


def templates_collection() -> Collection:
    """Every stored machine template."""
    entries = [template_data(t) for t in cimi_store().all("machine_templates")]
    add = [operation("add", url("machine_templates"))]
    return Collection(
        "MachineTemplate", url("machine_templates"), "machineTemplates", entries, add
    )


def list_templates() -> Response:
    """GET /machine_templates."""
    return respond(apply(templates_collection()))


def show_template(template_id: str) -> Response:
    """GET /machine_templates/<id>."""
    return respond(
        Entity(
            "MachineTemplate",
            template_data(cimi_store().get("machine_templates", template_id)),
        )
    )


def create_template() -> Response:
    """POST /machine_templates: config and image by reference (checked to exist)."""
    driver = current_driver()
    body = parsing.load(parsing.MachineTemplateCreate)
    hwp_id = last_segment(body["machineConfig"]["href"], "machineConfig")
    if driver.hardware_profile(hwp_id) is None:
        raise ValidationFailure(f"MachineConfiguration '{hwp_id}' does not exist")
    image_id = last_segment(body["machineImage"]["href"], "machineImage")
    if driver.image(image_id) is None:
        raise ValidationFailure(f"MachineImage '{image_id}' does not exist")
    stored: dict[str, Any] = {
        key: body[key] for key in TEMPLATE_FIELDS if body.get(key)
    }
    stored.update(
        created=iso(),
        machineConfig=ref("machine_configurations", hwp_id),
        machineImage=ref("machine_images", image_id),
    )
    if body.get("credential"):
        stored["credential"] = ref(
            "credentials", last_segment(body["credential"]["href"], "credential")
        )
    data = template_data(cimi_store().create("machine_templates", stored))
    return respond(Entity("MachineTemplate", data), 201, {"Location": data["id"]})


def delete_template(template_id: str) -> Response:
    """DELETE /machine_templates/<id>."""
    if not cimi_store().delete("machine_templates", template_id):
        raise ObjectNotFound("Not found")
    return empty(200)


# -- Credential --------------------------------------------------------------------
def credential_data(driver: BaseDriver, key: Key) -> dict[str, Any]:
    """A key as a Credential (a password credential shows its user name)."""
    own = url("credentials", key.id)
    stored = overrides("credentials", key.id)
    return compact(
        {
            "id": own,
            "name": key.name or key.id,
            "description": stored.get("description"),
            "created": iso(),
            "properties": stored.get("properties"),
            "username": key.username,
            "password": key.password if key.credential_type == "password" else None,
            "key": key.pem_rsa_key,
            "operations": [operation("delete", own)]
            if driver.supports("destroy_key")
            else [],
        }
    )


def credentials_collection() -> Collection:
    """Every key."""
    driver = current_driver()
    entries = [credential_data(driver, key) for key in driver.keys({})]
    ops = (
        [operation("add", url("credentials"))] if driver.supports("create_key") else []
    )
    return Collection("Credential", url("credentials"), "credentials", entries, ops)


def list_credentials() -> Response:
    """GET /credentials."""
    return respond(apply(credentials_collection()))


def show_credential(key_id: str) -> Response:
    """GET /credentials/<id>."""
    driver = current_driver()
    key = driver.key(key_id)
    if key is None:
        raise ObjectNotFound("Not found")
    return respond(Entity("Credential", credential_data(driver, key)))


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
    data = credential_data(driver, key)
    return respond(Entity("Credential", data), 201, {"Location": data["id"]})


def delete_credential(key_id: str) -> Response:
    """DELETE /credentials/<id>."""
    current_driver().destroy_key(key_id)
    forget("credentials", key_id)
    return empty(200)


def _has_profiles(cls: type[BaseDriver]) -> bool:
    return bool(cls.static_hardware_profiles) or cls.supports("hardware_profiles")


ENTRY_POINT = {
    "machineTemplates": (
        "machine_templates",
        lambda cls: cls.supports("create_instance"),
        templates_collection,
    ),
    "machineConfigs": (
        "machine_configurations",
        _has_profiles,
        configurations_collection,
    ),
    "machineImages": (
        "machine_images",
        lambda cls: cls.supports("images"),
        images_collection,
    ),
    "credentials": (
        "credentials",
        lambda cls: cls.supports("keys"),
        credentials_collection,
    ),
}
