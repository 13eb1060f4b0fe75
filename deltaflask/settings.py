"""Configuration: defaults, and the original's environment variables."""

from __future__ import annotations

import getpass
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

#: setting -> (environment variable, default)
ENVIRONMENT: dict[str, tuple[str, Any]] = {
    "DRIVER": ("API_DRIVER", "mock"),
    "PROVIDER": ("API_PROVIDER", None),
    "FRONTENDS": ("API_FRONTEND", "deltacloud"),
    "API_USER": ("API_USER", None),
    "API_PASSWORD": ("API_PASSWORD", None),
    "MOCK_STORAGE": ("DELTACLOUD_MOCK_STORAGE", None),
    "HOSTNAME": ("HOSTNAME", ""),
    "DISABLED_PLUGINS": ("DELTAFLASK_DISABLED_PLUGINS", ""),
    "MAX_FORM_BYTES": ("DELTAFLASK_MAX_FORM_BYTES", 1024 * 1024),
}

DEFAULTS: dict[str, Any] = {
    "LOAD_ENTRYPOINTS": True,
    "EXTRA_PLUGINS": (),
    "API_VERSION": "1.1.3",
}


def from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """Settings read from environment variables, with their defaults."""
    settings = dict(DEFAULTS)
    for key, (variable, default) in ENVIRONMENT.items():
        settings[key] = environ.get(variable, default)
    return settings


def normalise(config: dict[str, Any]) -> None:
    """Turn comma lists into lists and fill derived defaults, in place."""
    for key in ("FRONTENDS", "DISABLED_PLUGINS"):
        value = config.get(key) or ""
        if isinstance(value, str):
            config[key] = [part.strip() for part in value.split(",") if part.strip()]
    config["MAX_FORM_BYTES"] = int(config["MAX_FORM_BYTES"])
    if not config.get("MOCK_STORAGE"):
        config["MOCK_STORAGE"] = str(default_mock_storage())


def default_mock_storage() -> Path:
    """The per-user mock cloud directory used when none is configured."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid())
    return Path(tempfile.gettempdir()) / f"deltaflask-{user}" / "mock"
