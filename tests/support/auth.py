"""Credentials the tests authenticate with (HTTP Basic headers)."""

from __future__ import annotations

import base64

MOCK_AUTH = "Basic " + base64.b64encode(b"mockuser:mockpassword").decode()
EC2_AUTH = "Basic " + base64.b64encode(b"testing:testing").decode()


def basic(user: str, password: str) -> str:
    """An ``Authorization`` header value for HTTP Basic."""
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
