"""A driver whose provider fails on demand: the mock cloud, with the failures
of its ``instances`` / ``create_key`` calls scripted by the test."""

from __future__ import annotations

from collections import deque
from pathlib import Path
from typing import Any

from flask import Flask

from deltaflask import DriverSpec
from deltaflask import create_app
from deltaflask import hookimpl
from deltaflask.errors import DeltaflaskError
from deltaflask.plugins.mock.driver import MockDriver

#: what the next calls raise (``None``: answer normally), oldest first
SCRIPT: deque[DeltaflaskError | None] = deque()
#: how often each scripted operation reached the driver
CALLS: dict[str, int] = {}


class FlakyDriver(MockDriver):
    """The mock cloud whose ``instances`` and ``create_key`` follow
    :data:`SCRIPT`."""

    def _scripted(self, operation: str) -> None:
        CALLS[operation] = CALLS.get(operation, 0) + 1
        failure = SCRIPT.popleft() if SCRIPT else None
        if failure is not None:
            raise failure

    def instances(self, filters: Any) -> Any:
        self._scripted("instances")
        return super().instances(filters)

    def create_key(self, name: str, public_key: str | None = None) -> Any:
        self._scripted("create_key")
        return super().create_key(name, public_key)


class FlakyPlugin:
    """Offers the ``flaky`` driver."""

    @hookimpl
    def register_drivers(self) -> list[DriverSpec]:
        return [
            DriverSpec(
                "flaky",
                "Flaky",
                f"{__name__}:FlakyDriver",
                sample_credentials=("mockuser", "mockpassword"),
            )
        ]


def flaky_app(tmp_path: Path, **config: Any) -> Flask:
    """An app on the flaky driver, with no back-off wait between retries."""
    SCRIPT.clear()
    CALLS.clear()
    return create_app(
        {
            "TESTING": True,
            "DRIVER": "flaky",
            "DATA": str(tmp_path / "data"),
            "MOCK_STORAGE": str(tmp_path / "mock"),
            "EXTRA_PLUGINS": [FlakyPlugin()],
            **config,
        }
    )
