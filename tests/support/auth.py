"""Credentials the tests authenticate with (HTTP Basic headers)."""

from __future__ import annotations

import base64

MOCK_AUTH = "Basic " + base64.b64encode(b"mockuser:mockpassword").decode()
EC2_AUTH = "Basic " + base64.b64encode(b"testing:testing").decode()
