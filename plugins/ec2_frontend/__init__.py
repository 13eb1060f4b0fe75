"""The EC2 Query API frontend, mounted at ``/ec2`` (``FRONTENDS=["ec2", ...]``).

Unmodified AWS tooling talks to it: ``boto3.client("ec2",
endpoint_url="http://host:port/ec2", region_name="us-east-1",
aws_access_key_id=..., aws_secret_access_key=...)`` or
``aws ec2 ... --endpoint-url http://host:port/ec2``. Every request must be
signed (Signature Version 4 in the ``Authorization`` header or presigned
query, or Version 2); the server checks the signature before calling the
driver, which is the app's default driver (config ``DRIVER``). Only signed
parameters are used: a presigned URL signed with ``UNSIGNED-PAYLOAD`` must
come without a body, and a parameter may be given only once.

Credentials: the access key id is the provider user name and the secret key
the provider password (for the mock, ``mockuser`` / ``mockpassword``). A
server can also map other access keys with the config ``EC2_KEY_FILE``, a
JSON file::

    {"AKIAEXAMPLE": {"user": "provider-user", "password": "provider-password",
                     "secret": "optional secret key, defaults to password"}}

and ``API_USER``/``API_PASSWORD`` act as one more access key/secret pair.
Unknown access keys are refused (``AuthFailure``).

Regions: the SigV4 region must be one of the driver's providers (and then
selects it) or, for drivers without providers, config ``EC2_REGION``
(default ``us-east-1``).
"""

from deltaflask import FrontendSpec
from deltaflask import hookimpl
from deltaflask.plugins.ec2_frontend.blueprint import create_blueprint
from deltaflask.plugins.ec2_frontend.errors import render_error


@hookimpl
def register_frontends() -> list[FrontendSpec]:
    """Offer the EC2 Query API frontend."""
    return [FrontendSpec("ec2", "/ec2", create_blueprint, render_error)]
