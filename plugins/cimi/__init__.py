"""The DMTF CIMI 1.0.1 frontend, mounted at ``/cimi``."""

from deltaflask import FrontendSpec
from deltaflask import hookimpl
from deltaflask.plugins.cimi.blueprint import create_blueprint
from deltaflask.plugins.cimi.errors import render_error


@hookimpl
def register_frontends() -> list[FrontendSpec]:
    """Offer the CIMI frontend."""
    return [
        FrontendSpec(
            "cimi", "/cimi", create_blueprint, render_error, "/cloudEntryPoint"
        )
    ]
