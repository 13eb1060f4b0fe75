"""deltaflask: many IaaS clouds behind one REST API.

The public names are imported on first use, so that ``deltaflask.client``
(and ``deltaflask-cli``) start without loading Flask and the server.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING
from typing import Any

__version__ = "0.1.0"
#: public name -> the module defining it
_EXPORTS = {
    "create_app": "deltaflask.app",
    "hookimpl": "deltaflask.hookspecs",
    "DriverSpec": "deltaflask.registry",
    "FrontendSpec": "deltaflask.registry",
}
__all__ = ["DriverSpec", "FrontendSpec", "__version__", "create_app", "hookimpl"]

if TYPE_CHECKING:
    from deltaflask.app import create_app as create_app
    from deltaflask.hookspecs import hookimpl as hookimpl
    from deltaflask.registry import DriverSpec as DriverSpec
    from deltaflask.registry import FrontendSpec as FrontendSpec


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'deltaflask' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value
