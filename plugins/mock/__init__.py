"""The mock cloud driver plugin: a JSON-file cloud mirroring Deltacloud's mock."""

from deltaflask import DriverSpec
from deltaflask import hookimpl

#: the one account the mock cloud accepts (the original mock's)
MOCK_USER = "mockuser"
MOCK_PASSWORD = "mockpassword"


@hookimpl
def register_drivers() -> list[DriverSpec]:
    """Offer the mock driver."""
    return [
        DriverSpec(
            "mock",
            "Mock",
            "deltaflask.plugins.mock.driver:MockDriver",
            sample_credentials=(MOCK_USER, MOCK_PASSWORD),
        )
    ]
