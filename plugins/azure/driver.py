"""The azure driver: every part of it composed into one class."""

from __future__ import annotations

from typing import ClassVar

from deltaflask.plugins.azure.blobs import AzureBlobs
from deltaflask.plugins.azure.buckets import AzureBuckets
from deltaflask.plugins.azure.segmented import AzureSegmented


class AzureDriver(AzureBuckets, AzureBlobs, AzureSegmented):
    """Azure Blob Storage: containers as buckets, blobs, segmented blobs."""

    name: ClassVar[str] = "azure"
    display_name: ClassVar[str] = "Microsoft Azure Blob Storage"
