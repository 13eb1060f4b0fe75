"""Build the plugin manager of an application and load plugins into it."""

from __future__ import annotations

import importlib.metadata
import logging
from collections.abc import Iterable

import pluggy

from deltaflask import hookspecs

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "deltaflask"
DEFAULT_PLUGINS = ("deltaflask.default_credentials",)


def get_plugin_manager(
    *,
    load_entrypoints: bool = True,
    blocked: Iterable[str] = (),
    extra_plugins: Iterable[object] = (),
) -> tuple[pluggy.PluginManager, dict[str, str]]:
    """Create a plugin manager with the core plugins and the installed ones.

    A plugin whose import fails is skipped and reported, never fatal.

    :param load_entrypoints: load plugins from the ``deltaflask`` entry points.
    :param blocked: plugin names not to load.
    :param extra_plugins: plugin objects to register as well (tests, embedding).
    :return: the manager and ``{plugin name: reason}`` for plugins that failed.
    """
    pm = pluggy.PluginManager("deltaflask")
    pm.add_hookspecs(hookspecs)
    failed: dict[str, str] = {}
    for name in DEFAULT_PLUGINS:
        pm.register(importlib.import_module(name), name)
    blocked = set(blocked)
    for name in blocked:
        pm.set_blocked(name)
    if load_entrypoints:
        for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            if entry_point.name in blocked or pm.has_plugin(entry_point.name):
                continue
            try:
                plugin = entry_point.load()
            except Exception as exc:  # a broken plugin must not stop the server
                failed[entry_point.name] = f"{type(exc).__name__}: {exc}"
                log.warning("plugin %s disabled: %s", entry_point.name, exc)
                continue
            pm.register(plugin, entry_point.name)
    for plugin in extra_plugins:
        pm.register(plugin)
    pm.check_pending()
    return pm, failed
