"""A driver whose SDK is not installed."""

import deltaflask_sample_missing_sdk  # noqa: F401


class Driver:
    """Never importable."""
