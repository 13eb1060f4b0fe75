"""What every part of the google driver shares: its client and its settings."""

from __future__ import annotations

import re
from typing import Any

from deltaflask.drivers import BaseDriver
from deltaflask.errors import ValidationFailure
from deltaflask.plugins.google.clients import client
from deltaflask.plugins.google.errors import gcs_errors

#: seconds the SDK keeps retrying a failed idempotent call (``GOOGLE_RETRY_SECONDS``,
#: 0 for no retries)
RETRY_SECONDS = 30.0
#: bytes sent or read per request of a streamed blob (``GOOGLE_CHUNK_SIZE``)
CHUNK_SIZE = 8 * 1024 * 1024
#: the SDK's unit for chunk sizes of resumable uploads
CHUNK_UNIT = 256 * 1024
#: where new buckets go unless the request or the provider names a location
DEFAULT_LOCATION = "US"
#: https://cloud.google.com/storage/docs/buckets#naming (dotted names are
#: limited to 222 characters, each part to 63)
BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$")


class GoogleBase(BaseDriver):
    """The base every mixin of the google driver extends: the Cloud Storage
    client of the request's credentials and the settings of its calls."""

    @property
    def gcs(self) -> Any:
        """The ``google.cloud.storage.Client`` of this request: the endpoint
        is ``GOOGLE_ENDPOINT_URL``, else ``STORAGE_EMULATOR_HOST`` (the SDK's
        own variable), else Google's."""
        endpoint = self.setting("GOOGLE_ENDPOINT_URL") or self.setting(
            "STORAGE_EMULATOR_HOST"
        )
        with gcs_errors():
            return client(self.credentials, endpoint)

    @property
    def call_options(self) -> dict[str, Any]:
        """``timeout`` and ``retry`` keyword arguments for every SDK call."""
        from google.cloud.storage.retry import DEFAULT_RETRY

        seconds = float(self.setting("GOOGLE_RETRY_SECONDS", RETRY_SECONDS))
        return {
            "timeout": self.seconds("GOOGLE_TIMEOUT"),
            "retry": DEFAULT_RETRY.with_timeout(seconds) if seconds > 0 else None,
        }

    @property
    def chunk_size(self) -> int:
        """Bytes per request of a streamed blob, a multiple of 256 KiB."""
        size = int(self.setting("GOOGLE_CHUNK_SIZE", CHUNK_SIZE))
        return max(CHUNK_UNIT, size - size % CHUNK_UNIT)

    def bucket_handle(self, name: str) -> Any:
        """A handle on bucket ``name`` (no request is made)."""
        return self.gcs.bucket(name)


def check_bucket_name(name: str) -> None:
    """Refuse a name Cloud Storage would refuse (400), before asking it."""
    parts = name.split(".")
    if (
        not BUCKET_NAME.match(name)
        or (len(name) > 63 and "." not in name)
        or any(not part or len(part) > 63 for part in parts)
        or name.startswith("goog")
        or re.fullmatch(r"[0-9.]+", name)
    ):
        raise ValidationFailure(
            f"Invalid bucket name '{name[:80]}': Cloud Storage wants 3 to 63 "
            "lower-case letters, digits, '-', '_' or '.', starting and ending "
            "with a letter or digit, not starting with 'goog'"
        )


#: the folder of each bucket holding the parts of segmented uploads in
#: progress; listings leave it out
UPLOADS = ".deltaflask-uploads/"
