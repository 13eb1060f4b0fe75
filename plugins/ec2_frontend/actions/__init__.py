"""EC2 actions by resource family; importing a module registers its actions."""

from __future__ import annotations

import importlib

MODULES = (
    "catalog",
    "images",
    "instances",
    "instance_state",
    "keypairs",
    "volumes",
    "snapshots",
    "addresses",
    "security_groups",
    "vpcs",
    "tags",
)


def load_all() -> None:
    """Import every action module (each registers itself once)."""
    for name in MODULES:
        importlib.import_module(f"{__name__}.{name}")
