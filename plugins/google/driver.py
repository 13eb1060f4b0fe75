"""The google driver: every part of it composed into one class."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from deltaflask.plugins.google.blobs import GoogleBlobs
from deltaflask.plugins.google.buckets import GoogleBuckets
from deltaflask.plugins.google.segmented import GoogleSegmented

#: the locations ``/api/drivers/google`` lists as providers (any location
#: Cloud Storage knows is accepted): the multi-regions
LOCATIONS = ("US", "EU", "ASIA")


class GoogleDriver(GoogleBuckets, GoogleBlobs, GoogleSegmented):
    """Google Cloud Storage buckets and objects."""

    name: ClassVar[str] = "google"
    display_name: ClassVar[str] = "Google Cloud Storage"
    features: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "buckets": ("bucket_location",),
    }
    providers: ClassVar[Mapping[str, Mapping[str, str]]] = {
        location: {"storage": "storage.googleapis.com"} for location in LOCATIONS
    }
