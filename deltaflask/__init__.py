"""deltaflask: many IaaS clouds behind one REST API."""

from deltaflask.app import create_app as create_app
from deltaflask.hookspecs import hookimpl as hookimpl
from deltaflask.registry import DriverSpec as DriverSpec
from deltaflask.registry import FrontendSpec as FrontendSpec

__version__ = "0.1.0"
__all__ = ["DriverSpec", "FrontendSpec", "__version__", "create_app", "hookimpl"]
