"""The Microsoft Azure driver plugin: Blob Storage through azure-storage-blob.

Object storage only: containers are buckets, blobs of every type are blobs,
segmented blobs are Put Block / Put Block List. The user of HTTP Basic is the
storage account's name, the password its key, a SAS token or a connection
string (see ``clients``); the provider is the blob endpoint URL (default
``https://<account>.blob.core.windows.net``). Every other collection answers
412.
"""

from deltaflask import DriverSpec
from deltaflask import hookimpl


@hookimpl
def register_drivers() -> list[DriverSpec]:
    """Offer the azure driver (needs the ``azure`` extra: azure-storage-blob)."""
    return [
        DriverSpec(
            "azure",
            "Microsoft Azure Blob Storage",
            "deltaflask.plugins.azure.driver:AzureDriver",
            sdk_extra="azure",
            requires=("azure.storage.blob", "azure.core"),
        )
    ]
