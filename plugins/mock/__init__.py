"""The mock cloud driver plugin: a JSON-file cloud mirroring Deltacloud's mock."""

from deltaflask import DriverSpec
from deltaflask import hookimpl


@hookimpl
def register_drivers() -> list[DriverSpec]:
    """Offer the mock driver."""
    return [DriverSpec("mock", "Mock", "deltaflask.plugins.mock.driver:MockDriver")]
