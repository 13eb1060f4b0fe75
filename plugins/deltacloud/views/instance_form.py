"""The HTML launch form: image, hardware profile (ranges, enums), realm, features.

The profile picker is part of the launch form (no script needed): the form
shows the adjustable properties of the profile it was built for, a second
button shows those of the profile picked instead, and a launch is checked
against the profile that was picked, whichever settings were on show.
"""

from __future__ import annotations

from collections.abc import Mapping

from deltaflask.context import current_driver
from deltaflask.drivers import BaseDriver
from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ValidationFailure
from deltaflask.models import HardwareProfile
from deltaflask.models import Property
from deltaflask.plugins.deltacloud.views.forms import Field
from deltaflask.plugins.deltacloud.views.forms import Form
from deltaflask.plugins.deltacloud.views.forms import new_form

HWP_PROPERTIES = ("cpu", "memory", "storage", "architecture")
NUMERIC_PROPERTIES = ("cpu", "memory", "storage")
#: units that read badly after a number ("1 count", "x86_64 label")
SILENT_UNITS = frozenset({"count", "label"})
LABELS = {"cpu": "CPUs", "memory": "Memory", "storage": "Storage"}


def build(values: Mapping[str, str]) -> Form:
    """The launch form for the submitted (or default) ``values``."""
    driver = current_driver()
    profiles = driver.hardware_profiles({})
    profile_id = values.get("hwp_id") or (profiles[0].id if profiles else "")
    profile = next((p for p in profiles if p.id == profile_id), None)
    image_id = values.get("image_id") or ""
    fields = [image_field(driver, image_id)]
    if profiles:
        fields.append(
            Field(
                "hwp_id",
                "Hardware profile",
                "select",
                options=[(p.id, profile_summary(p)) for p in profiles],
                value=profile_id,
                blank="(the driver's default)",
                hint="The settings below are checked against the profile chosen "
                "here when you launch.",
            )
        )
    if profile is not None:
        fields.extend(profile_fields(profile))
    realms = [(r.id, f"{r.name} ({r.state})") for r in driver.realms({})]
    fields.append(Field("realm_id", "Realm", "select", options=realms, blank="(any)"))
    fields.extend(feature_fields(driver))
    return new_form(
        "instances",
        "Launch a new instance",
        fields,
        "Launch instance",
        refresh="Show this profile's settings" if profiles else "",
    )


def picked_profile_values(values: Mapping[str, str]) -> dict[str, str]:
    """A browser's launch values without the ``hwp_*`` settings the picked
    profile has no field for (they were on show for another profile): the
    picked profile's own values apply."""
    shown = set(build(values).names())
    return {
        name: value
        for name, value in values.items()
        if not name.startswith("hwp_") or name == "hwp_id" or name in shown
    }


def image_field(driver: BaseDriver, image_id: str) -> Field:
    """The image picker: every image, or only the one chosen on its page (a
    cloud may offer thousands of images, which the images page pages through)."""
    if image_id:
        try:
            chosen = driver.image(image_id)
        except (ObjectNotFound, ValidationFailure):  # e.g. a malformed AMI id
            chosen = None
        images = [chosen] if chosen is not None else []
        hint = "Chosen on the images page."
    else:
        images = driver.images({})
        hint = ""
    return Field(
        "image_id",
        "Image",
        "select",
        required=True,
        options=[(i.id, f"{i.name} – {i.description or i.id}") for i in images],
        hint=hint,
    )


def profile_summary(profile: HardwareProfile) -> str:
    """``m1-large: cpu 1-6, memory 7680-15360 MB, ...`` for the picker."""
    parts = [f"{prop.name} {describe(prop)}" for prop in profile.properties]
    return f"{profile.name}: {', '.join(parts)}" if parts else str(profile.name)


def describe(prop: Property) -> str:
    """A property's value, range or choices with its unit."""
    unit = f" {prop.unit}" if prop.unit and prop.unit not in SILENT_UNITS else ""
    if prop.kind == "range":
        return f"{prop.first}–{prop.last}{unit}"
    if prop.kind == "enum":
        return f"{' / '.join(str(v) for v in prop.values)}{unit}"
    return f"{prop.value}{unit}"


def profile_fields(profile: HardwareProfile) -> list[Field]:
    """One input per adjustable property (``hwp_<name>``); fixed ones shown."""
    found = []
    for prop in profile.properties:
        if prop.name not in HWP_PROPERTIES:
            continue
        label = LABELS.get(prop.name, prop.name.capitalize())
        if prop.unit and prop.unit not in SILENT_UNITS:
            label = f"{label} ({prop.unit})"
        name = f"hwp_{prop.name}"
        if prop.kind == "range":
            found.append(
                Field(
                    name,
                    label,
                    "number",
                    minimum=float(prop.first),
                    maximum=float(prop.last),
                    value=str(prop.value),
                    hint=f"{profile.id} allows {describe(prop)}",
                    follows_choice=True,
                )
            )
        elif prop.kind == "enum":
            options = [(str(v), str(v)) for v in prop.values]
            found.append(
                Field(
                    name,
                    label,
                    "select",
                    required=True,
                    options=options,
                    value=str(prop.value),
                    follows_choice=True,
                )
            )
        else:
            found.append(Field(name, label, "static", value=describe(prop)))
    return found


def feature_fields(driver: BaseDriver) -> list[Field]:
    """The optional launch parameters the driver declares as features."""
    has = driver.has_feature
    fields = []
    if has("instances", "user_name"):
        fields.append(Field("name", "Instance name", placeholder="web-1"))
    if has("instances", "authentication_key") and driver.supports("keys"):
        keys = [(k.id, k.name or k.id) for k in driver.keys({})]
        fields.append(Field("keyname", "SSH key", "select", options=keys))
    if has("instances", "authentication_password"):
        fields.append(Field("password", "Root password", "password"))
    if has("instances", "user_data"):
        fields.append(Field("user_data", "User data (base64)", "textarea"))
    if has("instances", "firewalls") and driver.supports("firewalls"):
        groups = [(f.id, f.name) for f in driver.firewalls({})]
        fields.append(Field("firewalls", "Firewalls", "checkboxes", options=groups))
    if has("instances", "instance_count"):
        fields.append(
            Field(
                "instance_count", "How many", "number", minimum=1, value="1", whole=True
            )
        )
    if has("instances", "metrics"):
        fields.append(Field("metrics", "Detailed monitoring", "checkbox"))
    if has("instances", "register_to_load_balancer") and driver.supports(
        "load_balancers"
    ):
        balancers = [(b.id, b.id) for b in driver.load_balancers({})]
        fields.append(
            Field("load_balancer_id", "Load balancer", "select", options=balancers)
        )
    if has("instances", "attach_snapshot") and driver.supports("storage_snapshots"):
        snapshots = [(s.id, s.name or s.id) for s in driver.storage_snapshots({})]
        fields.append(Field("snapshot_id", "Snapshot", "select", options=snapshots))
        fields.append(Field("device_name", "Device", placeholder="/dev/sdb"))
    if has("instances", "network_placement") and driver.supports("subnets"):
        networks = [(n.id, n.name) for n in driver.networks({})]
        subnets = [(s.id, f"{s.name} ({s.address_block})") for s in driver.subnets({})]
        fields.append(Field("network_id", "Network", "select", options=networks))
        fields.append(Field("subnet_id", "Subnet", "select", options=subnets))
    return fields
