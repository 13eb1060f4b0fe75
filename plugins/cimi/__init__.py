"""The DMTF CIMI 1.0.1 frontend, mounted at ``/cimi``."""

from flask import Flask

from deltaflask import FrontendSpec
from deltaflask import hookimpl
from deltaflask.plugins.cimi.blueprint import create_blueprint
from deltaflask.plugins.cimi.errors import render_error
from deltaflask.plugins.cimi.store import prepare_seeds


@hookimpl
def register_frontends() -> list[FrontendSpec]:
    """Offer the CIMI frontend."""
    return [
        FrontendSpec(
            "cimi", "/cimi", create_blueprint, render_error, "/cloudEntryPoint"
        )
    ]


@hookimpl
def prepare_app(app: Flask) -> None:
    """Copy CIMI's seed data once, before any request reads it."""
    if "cimi" in app.config["FRONTENDS"]:
        prepare_seeds(app)
