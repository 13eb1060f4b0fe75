"""Configuration: defaults, the original's environment variables, the data folder."""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from deltaflask import files
from deltaflask.errors import ProviderError

#: seconds a provider call may take (connecting, and each read)
PROVIDER_TIMEOUT = 30.0

#: setting -> (environment variable, default)
ENVIRONMENT: dict[str, tuple[str, Any]] = {
    "DRIVER": ("API_DRIVER", "mock"),
    "PROVIDER": ("API_PROVIDER", None),
    "FRONTENDS": ("API_FRONTEND", "deltacloud"),
    "API_USER": ("API_USER", None),
    "API_PASSWORD": ("API_PASSWORD", None),
    "DATA": ("DELTAFLASK_DATA", None),
    "MOCK_STORAGE": ("DELTACLOUD_MOCK_STORAGE", None),
    "HOSTNAME": ("HOSTNAME", ""),
    "DISABLED_PLUGINS": ("DELTAFLASK_DISABLED_PLUGINS", ""),
    "MAX_FORM_BYTES": ("DELTAFLASK_MAX_FORM_BYTES", 1024 * 1024),
    "SECRET_KEY": ("DELTAFLASK_SECRET_KEY", None),
    "SECURE_COOKIES": ("DELTAFLASK_SECURE_COOKIES", ""),
    "CIMI_STORAGE": ("CIMI_STORAGE", None),
    # shared state of several nodes (deltaflask/store/postgres.py); unset: files
    "DATABASE_URL": ("DELTAFLASK_DATABASE_URL", None),
    "TMP_MAX_AGE": ("DELTAFLASK_TMP_MAX_AGE", files.TMP_MAX_AGE),
    # the mock's default (plugins/mock/segmented.py SEGMENT_MAX_AGE)
    "SEGMENT_MAX_AGE": ("DELTAFLASK_SEGMENT_MAX_AGE", 24 * 3600.0),
    "SWEEP_INTERVAL": ("DELTAFLASK_SWEEP_INTERVAL", files.SWEEP_INTERVAL),
    "ACCESS_LOG": ("DELTAFLASK_ACCESS_LOG", "text"),
    "METRICS": ("DELTAFLASK_METRICS", "on"),
    "METRICS_ALLOW": ("DELTAFLASK_METRICS_ALLOW", ""),
    "PROVIDER_TIMEOUT": ("DELTAFLASK_PROVIDER_TIMEOUT", PROVIDER_TIMEOUT),
    "PROVIDER_RETRIES": ("DELTAFLASK_PROVIDER_RETRIES", 2),
    "BREAKER_THRESHOLD": ("DELTAFLASK_BREAKER_THRESHOLD", 5),
    "BREAKER_COOLDOWN": ("DELTAFLASK_BREAKER_COOLDOWN", 30.0),
}
#: the access log's formats (``off``: no access log)
ACCESS_LOG_FORMATS = ("text", "json", "off")

DEFAULTS: dict[str, Any] = {
    "LOAD_ENTRYPOINTS": True,
    "EXTRA_PLUGINS": (),
    "API_VERSION": "1.1.3",
}

#: the file in the data folder holding the generated session secret
SECRET_KEY_FILE = "secret_key"
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})


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
    for key in (
        "TMP_MAX_AGE",
        "SEGMENT_MAX_AGE",
        "SWEEP_INTERVAL",
        "PROVIDER_TIMEOUT",
        "BREAKER_COOLDOWN",
    ):
        config[key] = float(config[key])
    for key in ("PROVIDER_RETRIES", "BREAKER_THRESHOLD"):
        config[key] = int(config[key])
    config["SECURE_COOKIES"] = flag(config.get("SECURE_COOKIES"))
    config["METRICS"] = flag(config.get("METRICS"))
    config["ACCESS_LOG"] = str(config.get("ACCESS_LOG") or "off").lower()
    if config["ACCESS_LOG"] not in ACCESS_LOG_FORMATS:
        formats = ", ".join(ACCESS_LOG_FORMATS)
        raise ValueError(f"DELTAFLASK_ACCESS_LOG must be one of {formats}")
    config["DATA"] = str(data_dir(config))
    if not config.get("MOCK_STORAGE"):
        config["MOCK_STORAGE"] = str(Path(config["DATA"]) / "mock")


def provider_timeout(settings: Mapping[str, Any]) -> float:
    """The time-out a driver gives its SDK's calls (``PROVIDER_TIMEOUT``)."""
    return float(settings.get("PROVIDER_TIMEOUT") or PROVIDER_TIMEOUT)


def setting(settings: Mapping[str, Any], name: str, default: Any = None) -> Any:
    """A driver's setting ``name``: the app's, else the environment variable
    of that name (how a server started by gunicorn is configured), else
    ``default``."""
    value = settings.get(name)
    if value is None or value == "":
        value = os.environ.get(name) or default
    return value


def seconds(
    settings: Mapping[str, Any], name: str, default: float | None = None
) -> float:
    """A time-out in seconds: the setting ``name``, else ``default``, else the
    server's ``PROVIDER_TIMEOUT``; a value that is no positive number is a 502
    naming the setting (the server, not the client, is misconfigured)."""
    raw = setting(settings, name)
    if raw is None:
        return provider_timeout(settings) if default is None else default
    try:
        value = float(raw)
    except (TypeError, ValueError):
        value = 0.0
    if not 0 < value < float("inf"):
        raise ProviderError(f"The server's {name} must be a number of seconds")
    return value


def flag(value: object) -> bool:
    """A boolean setting given as a word (``1``, ``true``, ``yes``, ``on``)."""
    if isinstance(value, str):
        return value.strip().lower() in TRUE_WORDS
    return bool(value)


def default_data_dir() -> Path:
    """The per-user data folder: ``$XDG_STATE_HOME/deltaflask``, else
    ``~/.local/state/deltaflask``."""
    state_home = os.environ.get("XDG_STATE_HOME", "")
    if not os.path.isabs(state_home):
        state_home = str(Path.home() / ".local" / "state")
    return Path(state_home) / "deltaflask"


def data_dir(config: Mapping[str, Any]) -> Path:
    """The server's own data folder (``DATA`` / ``DELTAFLASK_DATA``, else
    :func:`default_data_dir`), created owner-only (0700) when missing.

    The generated session secret, the default mock cloud folder and other
    stores' defaults live in it.
    """
    folder = Path(config.get("DATA") or default_data_dir()).expanduser()
    if not folder.is_dir():
        folder.parent.mkdir(parents=True, exist_ok=True)
        folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def secret_key(config: Mapping[str, Any]) -> str:
    """The session secret when none is configured: kept in the database every
    node shares when ``DATABASE_URL`` is set, else in the data folder."""
    if config.get("DATABASE_URL"):
        from deltaflask.store.postgres import database

        return database(config["DATABASE_URL"]).shared_secret("session")
    return stored_secret_key(Path(config["DATA"]))


def stored_secret_key(folder: Path) -> str:
    """The session secret kept in ``folder``, generated on first use.

    The first process to start writes a random key to a private (0600)
    temporary file and links it into place, which fails if another process got
    there first; every process then reads the one key that won, so concurrent
    workers and later restarts all sign cookies alike.
    """
    target = folder / SECRET_KEY_FILE
    if not target.exists():
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-secret-")
        try:
            with os.fdopen(handle, "w", encoding="ascii") as stream:
                stream.write(secrets.token_hex(32))
            os.link(temporary, target)
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)
    return target.read_text(encoding="ascii").strip()
