"""deltaflask's built-in plugins: drivers and frontends, found by entry points."""
