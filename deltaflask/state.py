"""Per-application state kept in ``app.extensions["deltaflask"]``."""

from __future__ import annotations

from dataclasses import dataclass

import pluggy
from flask import Flask
from flask import current_app

from deltaflask.registry import Registry


@dataclass
class Deltaflask:
    """The plugin manager and registry of one application."""

    pm: pluggy.PluginManager
    registry: Registry


def state(app: Flask | None = None) -> Deltaflask:
    """The deltaflask state of ``app`` (default: the current app)."""
    target = app if app is not None else current_app
    return target.extensions["deltaflask"]  # type: ignore[no-any-return]
