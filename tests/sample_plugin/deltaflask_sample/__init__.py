"""A sample driver plugin: one realm, found through its entry point."""

from deltaflask import DriverSpec
from deltaflask import hookimpl


@hookimpl
def register_drivers():
    """Offer the sample driver and one whose SDK is missing."""
    return [
        DriverSpec("sample", "Sample", "deltaflask_sample.driver:SampleDriver"),
        DriverSpec(
            "sample_sdkless",
            "Sample without SDK",
            "deltaflask_sample.needs_sdk:Driver",
            sdk_extra="sample",
        ),
    ]
