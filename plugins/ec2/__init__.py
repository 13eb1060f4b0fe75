"""The Amazon EC2 driver plugin: EC2, EBS, VPC and S3 through boto3.

The user name of HTTP Basic is the access key id and the password the secret
key; the provider is the region (``-P eu-west-1`` or ``X-Deltacloud-Provider``).
boto3's own settings choose the endpoint, so ``AWS_ENDPOINT_URL`` (or the
per-service ``AWS_ENDPOINT_URL_EC2`` / ``AWS_ENDPOINT_URL_S3``) points the driver
at any EC2-compatible cloud or emulator; the ``EC2_ENDPOINT_URL`` setting of the
app does the same for one server.
"""

from deltaflask import DriverSpec
from deltaflask import hookimpl


@hookimpl
def register_drivers() -> list[DriverSpec]:
    """Offer the ec2 driver (needs the ``ec2`` extra: boto3)."""
    return [
        DriverSpec(
            "ec2",
            "Amazon EC2",
            "deltaflask.plugins.ec2.driver:Ec2Driver",
            sdk_extra="ec2",
            requires=("boto3", "botocore"),
        )
    ]
