"""The catalogue of optional features a driver may declare per collection."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Feature:
    """An optional capability of one collection operation and the parameters it adds."""

    name: str
    collection: str
    operation: str | None
    params: tuple[str, ...]
    description: str


CATALOGUE: tuple[Feature, ...] = (
    Feature("owner_id", "images", "index", ("owner_id",), "Filter images by owner"),
    Feature("image_name", "images", "create", ("name",), "Name the created image"),
    Feature(
        "image_description",
        "images",
        "create",
        ("description",),
        "Describe the created image",
    ),
    Feature(
        "bucket_location",
        "buckets",
        "create",
        ("location",),
        "Region or location of a new bucket",
    ),
    Feature("metrics", "instances", "create", ("metrics",), "Detailed monitoring"),
    Feature("realm_filter", "instances", "index", ("realm_id",), "Filter by realm"),
    Feature("user_name", "instances", "create", ("name",), "User-defined name"),
    Feature("user_data", "instances", "create", ("user_data",), "Base64 user data"),
    Feature(
        "user_files", "instances", "create", ("user_files",), "Files injected at boot"
    ),
    Feature("user_iso", "instances", "create", ("user_iso",), "Base64 ISO as CD-ROM"),
    Feature(
        "firewalls",
        "instances",
        "create",
        ("firewalls",),
        "Launch into firewalls (security groups)",
    ),
    Feature(
        "authentication_key",
        "instances",
        "create",
        ("keyname",),
        "SSH key pair authentication",
    ),
    Feature(
        "authentication_password",
        "instances",
        "create",
        ("password",),
        "Password authentication",
    ),
    Feature("hardware_profiles", "instances", None, (), "Profile-based sizing"),
    Feature(
        "register_to_load_balancer",
        "instances",
        "create",
        ("load_balancer_id",),
        "Register to a load balancer at launch",
    ),
    Feature(
        "instance_count",
        "instances",
        "create",
        ("instance_count",),
        "Launch several instances at once",
    ),
    Feature(
        "attach_snapshot",
        "instances",
        "create",
        ("snapshot_id", "device_name"),
        "Attach a snapshot as a volume at launch",
    ),
    Feature(
        "network_placement",
        "instances",
        "create",
        ("network_id", "subnet_id"),
        "Place the instance into a network and subnet",
    ),
    Feature("sandboxing", "instances", "create", ("sandbox",), "Sandbox images"),
    Feature("import_key", "keys", "create", ("public_key",), "Import a public key"),
    Feature("volume_name", "storage_volumes", "create", ("name",), "Volume name"),
    Feature(
        "volume_description",
        "storage_volumes",
        "create",
        ("description",),
        "Volume description",
    ),
)

BY_KEY = {(feature.collection, feature.name): feature for feature in CATALOGUE}


def lookup(collection: str, name: str) -> Feature | None:
    """The catalogue entry for ``name`` on ``collection``, if there is one."""
    return BY_KEY.get((collection, name))


def names(collection: str) -> list[str]:
    """The names of the catalogue's features on ``collection``, sorted."""
    return sorted(name for known, name in BY_KEY if known == collection)
