"""Per-application state kept in ``app.extensions["deltaflask"]``."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

import pluggy
from flask import Flask
from flask import current_app

from deltaflask.provider_calls import CallPolicy
from deltaflask.provider_calls import ProviderCalls
from deltaflask.registry import Registry


@dataclass
class Deltaflask:
    """The plugin manager, registry and provider-call guard of one application."""

    pm: pluggy.PluginManager
    registry: Registry
    calls: ProviderCalls = field(default_factory=lambda: ProviderCalls(CallPolicy()))


def state(app: Flask | None = None) -> Deltaflask:
    """The deltaflask state of ``app`` (default: the current app)."""
    target = app if app is not None else current_app
    return target.extensions["deltaflask"]  # type: ignore[no-any-return]
