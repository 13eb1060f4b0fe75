"""Where the command line finds its server and credentials: options first,
then ``DELTAFLASK_*`` environment variables, then a config file."""

from __future__ import annotations

import configparser
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

DEFAULT_URL = "http://localhost:3001/api"
FIELDS = ("url", "user", "password", "driver", "provider")
SECTION = "deltaflask"


def default_config_path() -> Path:
    """``$XDG_CONFIG_HOME/deltaflask/client.ini`` (``~/.config/...``)."""
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "deltaflask" / "client.ini"


@dataclass
class Settings:
    """The server, credentials and cloud the command line talks to."""

    url: str = DEFAULT_URL
    user: str | None = None
    password: str | None = None
    driver: str | None = None
    provider: str | None = None

    def __repr__(self) -> str:  # never show the password
        return f"Settings(url={self.url!r}, user={self.user!r}, driver={self.driver!r})"


def read_config(path: Path, section: str) -> dict[str, str]:
    """The ``[section]`` of an INI file (empty when there is no file); warns
    when the file, which may hold a password, is readable by others."""
    if not path.exists():
        return {}
    if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        print(
            f"deltaflask-cli: warning: {path} is readable by others; chmod 600 it",
            file=sys.stderr,
        )
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(path, encoding="utf-8")
    if not parser.has_section(section):
        return {}
    return {
        key: parser.get(section, key)
        for key in FIELDS
        if parser.has_option(section, key)
    }


def resolve(
    options: dict[str, str | None], config: Path | None, section: str = SECTION
) -> Settings:
    """Each setting from ``options``, else ``DELTAFLASK_<NAME>``, else the
    config file (``config`` or :func:`default_config_path`)."""
    from_file = read_config(config or default_config_path(), section)
    found: dict[str, str] = {}
    for name in FIELDS:
        value = options.get(name) or os.environ.get(f"DELTAFLASK_{name.upper()}")
        value = value or from_file.get(name)
        if value:
            found[name] = value
    return Settings(**found)
