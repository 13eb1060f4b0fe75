"""Declarative instance state machines (the classic API's ``instance_states``)."""

from __future__ import annotations

from dataclasses import dataclass

STATE_NAMES = ("start", "pending", "running", "stopping", "stopped", "finish", "error")
ACTION_NAMES = ("create", "reboot", "stop", "start", "destroy")


@dataclass(frozen=True, slots=True)
class Transition:
    """A move from one state to another, by an action or automatically."""

    source: str
    target: str
    action: str | None = None

    @property
    def automatic(self) -> bool:
        """Whether the transition happens without an action."""
        return self.action is None


class StateMachine:
    """The states an instance goes through and the actions that move it."""

    def __init__(self, transitions: list[Transition]) -> None:
        for transition in transitions:
            for state in (transition.source, transition.target):
                if state not in STATE_NAMES:
                    raise ValueError(f"unknown instance state {state!r}")
            if transition.action is not None and transition.action not in ACTION_NAMES:
                raise ValueError(f"unknown instance action {transition.action!r}")
        self.transitions = tuple(transitions)
        order: list[str] = []
        for transition in transitions:
            for state in (transition.source, transition.target):
                if state not in order:
                    order.append(state)
        self.states = tuple(order)

    def transitions_from(self, state: str) -> list[Transition]:
        """The outgoing transitions of ``state`` (compared case-insensitively)."""
        wanted = state.lower()
        return [t for t in self.transitions if t.source == wanted]

    def actions_for(self, state: str | None) -> list[str]:
        """The actions allowed in ``state``, in declaration order."""
        if not state:
            return []
        return [t.action for t in self.transitions_from(state) if t.action]


def machine(*rows: tuple[str, str, str | None]) -> StateMachine:
    """Build a state machine from ``(source, target, action-or-None)`` rows."""
    return StateMachine([Transition(src, dst, action) for src, dst, action in rows])
