"""The classic Deltacloud API frontend, mounted at ``/api``."""

from deltaflask import FrontendSpec
from deltaflask import hookimpl
from deltaflask.plugins.deltacloud.blueprint import create_blueprint
from deltaflask.plugins.deltacloud.errors import render_error


@hookimpl
def register_frontends() -> list[FrontendSpec]:
    """Offer the classic API frontend."""
    return [FrontendSpec("deltacloud", "/api", create_blueprint, render_error)]
