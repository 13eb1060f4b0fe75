"""A plugin module that fails to import."""

raise ImportError("the fancy cloud SDK is not installed")
