"""Regions: the driver's providers, or the one configured region."""

from __future__ import annotations

from flask import current_app
from flask import g

from deltaflask.context import current_driver_class
from deltaflask.plugins.ec2_frontend.errors import EC2Error

DEFAULT_REGION = "us-east-1"


def regions() -> list[str]:
    """The regions this endpoint answers for (config ``EC2_REGION`` by default)."""
    providers = list(current_driver_class().providers)
    return providers or [current_app.config.get("EC2_REGION") or DEFAULT_REGION]


def use_region(region: str | None) -> str | None:
    """Remember the signing region; return the provider it selects, if any."""
    known = regions()
    if region is None:
        g.ec2_region = known[0]
        return None
    if region not in known:
        raise EC2Error(
            "AuthFailure",
            f"Credential should be scoped to a valid region, not '{region}'.",
            401,
        )
    g.ec2_region = region
    return region if current_driver_class().providers else None


def current_region() -> str:
    """The region of this request."""
    return str(g.get("ec2_region") or regions()[0])
