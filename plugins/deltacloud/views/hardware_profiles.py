"""``/api/hardware_profiles``: fixed, range and enum properties."""

from __future__ import annotations

from flask import Blueprint
from flask import Response

from deltaflask.context import current_driver
from deltaflask.context import require_collection
from deltaflask.errors import ObjectNotFound
from deltaflask.models import HardwareProfile
from deltaflask.plugins.deltacloud.params import filters
from deltaflask.plugins.deltacloud.render import href
from deltaflask.plugins.deltacloud.render import respond


def register(bp: Blueprint) -> None:
    """Add the hardware profile routes."""
    bp.add_url_rule(
        "/hardware_profiles", "hardware_profiles_index", index, methods=["GET"]
    )
    bp.add_url_rule(
        "/hardware_profiles/<profile_id>",
        "hardware_profiles_show",
        show,
        methods=["GET"],
    )


def to_json(profile: HardwareProfile) -> dict[str, object]:
    """A profile with each property's default value as a string."""
    data: dict[str, object] = {
        "id": profile.id,
        "href": href("hardware_profiles", profile.id),
        "name": profile.name,
    }
    if profile.properties:
        data["properties"] = {p.name: str(p.value) for p in profile.properties}
    return data


def _sort_key(profile: HardwareProfile) -> tuple[int, float, float]:
    cpu, memory = profile.property("cpu"), profile.property("memory")
    if cpu is None or memory is None:
        return (1, 0.0, 0.0)
    return (0, float(cpu.value), float(memory.value))


def index() -> Response:
    """List profiles, filtered by id and architecture (no auth needed)."""
    require_collection("hardware_profiles")
    profiles = sorted(
        current_driver().hardware_profiles(filters(("id", "architecture"))),
        key=_sort_key,
    )
    return respond(
        "hardware_profiles/index",
        lambda: {"hardware_profiles": [to_json(p) for p in profiles]},
        profiles=profiles,
    )


def show(profile_id: str) -> Response:
    """One profile."""
    require_collection("hardware_profiles")
    profile = current_driver().hardware_profile(profile_id)
    if profile is None:
        raise ObjectNotFound(f"Hardware profile '{profile_id}' not found")
    return respond(
        "hardware_profiles/show",
        lambda: {"hardware_profile": to_json(profile)},
        profile=profile,
    )
