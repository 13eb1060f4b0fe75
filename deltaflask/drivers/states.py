"""Declarative instance state machines (the classic API's ``instance_states``)."""

from __future__ import annotations

from dataclasses import dataclass

from deltaflask.models import InstanceState

ACTION_NAMES = ("create", "reboot", "stop", "start", "destroy")


@dataclass(frozen=True, slots=True)
class Transition:
    """A move from one state to another, by an action or automatically."""

    source: InstanceState
    target: InstanceState
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
                if not isinstance(state, InstanceState):
                    raise TypeError(f"{state!r} is no InstanceState")
            if transition.action is not None and transition.action not in ACTION_NAMES:
                raise ValueError(f"unknown instance action {transition.action!r}")
        self.transitions = tuple(transitions)
        order: list[InstanceState] = []
        for transition in transitions:
            for state in (transition.source, transition.target):
                if state not in order:
                    order.append(state)
        self.states = tuple(order)

    def transitions_from(self, state: InstanceState) -> list[Transition]:
        """The outgoing transitions of ``state``."""
        return [t for t in self.transitions if t.source == state]

    def actions_for(self, state: InstanceState | None) -> list[str]:
        """The actions allowed in ``state``, in declaration order."""
        if state is None:
            return []
        return [t.action for t in self.transitions_from(state) if t.action]


def machine(*rows: tuple[InstanceState, InstanceState, str | None]) -> StateMachine:
    """Build a state machine from ``(source, target, action-or-None)`` rows."""
    return StateMachine([Transition(src, dst, action) for src, dst, action in rows])
