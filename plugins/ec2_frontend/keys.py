"""Which secret an access key signs with, and which driver credentials it means.

Sources, first match wins:

1. ``EC2_KEY_FILE``: JSON ``{access_key: {"user": ..., "password": ...}}``;
   the secret key is ``"secret"`` if given, else the password;
2. ``API_USER`` / ``API_PASSWORD`` (server-wide credentials);
3. the demo account the default driver declares (its ``sample_credentials``,
   such as the mock's ``mockuser`` / ``mockpassword``), if it declares one.

An unknown access key is refused; no secret is ever derived from the request.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import current_app

from deltaflask.context import sample_credentials
from deltaflask.drivers import Credentials
from deltaflask.plugins.ec2_frontend.errors import EC2Error


def lookup(access_key: str) -> tuple[Credentials, str]:
    """The driver credentials of ``access_key`` and the secret it signs with."""
    config = current_app.config
    entry = _key_file(config.get("EC2_KEY_FILE")).get(access_key)
    if isinstance(entry, dict) and entry.get("user") and entry.get("password"):
        user, password = str(entry["user"]), str(entry["password"])
        return Credentials(user, password), str(entry.get("secret") or password)
    user, password = config.get("API_USER"), config.get("API_PASSWORD")
    if user and password and access_key == user:
        return Credentials(user, password), password
    sample = sample_credentials(str(config.get("DRIVER", "")))
    if sample is not None and access_key == sample[0]:
        return Credentials(*sample), sample[1]
    raise EC2Error(
        "AuthFailure",
        "AWS was not able to validate the provided access credentials",
        401,
    )


def _key_file(path: str | None) -> dict[str, Any]:
    if not path:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        current_app.logger.error("EC2_KEY_FILE %s cannot be read", path)
        return {}
    return data if isinstance(data, dict) else {}
