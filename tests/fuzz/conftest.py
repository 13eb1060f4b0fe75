"""Prints how many requests the fuzz sent (the line CI logs show)."""

from __future__ import annotations

import pytest

from tests.fuzz.support import SENT
from tests.fuzz.support import summary


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line: requests sent by frontend, examples per test, seconds."""
    if SENT:
        terminalreporter.write_line(summary())
