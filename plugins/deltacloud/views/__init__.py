"""Routes of the classic API, one module per collection."""

from __future__ import annotations

from flask import Blueprint

from deltaflask.plugins.deltacloud.render import cdata
from deltaflask.plugins.deltacloud.render import href
from deltaflask.plugins.deltacloud.views import addresses
from deltaflask.plugins.deltacloud.views import blobs
from deltaflask.plugins.deltacloud.views import buckets
from deltaflask.plugins.deltacloud.views import drivers
from deltaflask.plugins.deltacloud.views import entry
from deltaflask.plugins.deltacloud.views import firewalls
from deltaflask.plugins.deltacloud.views import hardware_profiles
from deltaflask.plugins.deltacloud.views import images
from deltaflask.plugins.deltacloud.views import instance_states
from deltaflask.plugins.deltacloud.views import instances
from deltaflask.plugins.deltacloud.views import keys
from deltaflask.plugins.deltacloud.views import load_balancers
from deltaflask.plugins.deltacloud.views import metrics
from deltaflask.plugins.deltacloud.views import network_interfaces
from deltaflask.plugins.deltacloud.views import networks
from deltaflask.plugins.deltacloud.views import openapi
from deltaflask.plugins.deltacloud.views import realms
from deltaflask.plugins.deltacloud.views import storage_snapshots
from deltaflask.plugins.deltacloud.views import storage_volumes
from deltaflask.plugins.deltacloud.views import subnets

MODULES = (
    entry,
    drivers,
    realms,
    hardware_profiles,
    images,
    instances,
    instance_states,
    keys,
    metrics,
    storage_volumes,
    storage_snapshots,
    buckets,
    blobs,
    addresses,
    networks,
    subnets,
    network_interfaces,
    firewalls,
    load_balancers,
    openapi,
)

#: endpoint -> formats it offers (default: xml, json, html)
FORMATS: dict[str, tuple[str, ...]] = {}
#: endpoints whose bodies are not held to the form size cap (uploads)
UNCAPPED: set[str] = set()


def register_all(bp: Blueprint) -> None:
    """Add every collection's routes and the template helpers to ``bp``."""
    bp.add_app_template_global(href, "href")
    bp.add_app_template_filter(cdata, "cdata")
    for module in MODULES:
        module.register(bp)
        FORMATS.update(getattr(module, "FORMATS", {}))
        UNCAPPED.update(getattr(module, "UNCAPPED", ()))
