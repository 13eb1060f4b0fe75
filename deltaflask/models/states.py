"""The one spelling of an instance's life-cycle state, shared by every layer."""

from __future__ import annotations

from enum import StrEnum


class InstanceState(StrEnum):
    """Where an instance is in its life cycle.

    The value is the upper-case word models carry and the classic API shows on
    an instance (``RUNNING``); :attr:`label` is the lower-case name the state
    machine and ``/api/instance_states`` use (``running``). Frontends map these
    members to their own vocabularies (CIMI ``STARTED``, EC2 ``running``/16).
    """

    START = "START"
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    STOPPING = "STOPPING"
    STOPPED = "STOPPED"
    FINISH = "FINISH"
    ERROR = "ERROR"

    @property
    def label(self) -> str:
        """The lower-case name of the state machine (``running``)."""
        return self.value.lower()

    @classmethod
    def parse(cls, text: str) -> InstanceState:
        """The state spelled ``text`` in either case (ValueError if none)."""
        return cls(text.upper())
