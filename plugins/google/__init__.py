"""The google driver plugin: Cloud Storage buckets and objects (google-cloud-storage).

The user name of HTTP Basic is the Google Cloud project, the password a
service-account JSON key (the key file's text, or it base64-encoded); the
provider is the default location of new buckets (``-P EU``). The
``GOOGLE_ENDPOINT_URL`` setting points the driver at an emulator such as
gcp-storage-emulator (any password then sends requests anonymously).
Segmented blobs are parts joined with ``compose`` (see ``segmented``).
"""

from deltaflask import DriverSpec
from deltaflask import hookimpl


@hookimpl
def register_drivers() -> list[DriverSpec]:
    """Offer the google driver (needs the ``google`` extra: google-cloud-storage)."""
    return [
        DriverSpec(
            "google",
            "Google Cloud Storage",
            "deltaflask.plugins.google.driver:GoogleDriver",
            sdk_extra="google",
            requires=("google.cloud.storage",),
        )
    ]
