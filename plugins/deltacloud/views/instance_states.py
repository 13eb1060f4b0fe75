"""``/api/instance_states``: the driver's state machine (also as Graphviz)."""

from __future__ import annotations

import shutil
import subprocess

from flask import Blueprint
from flask import Response
from flask import g

from deltaflask.context import current_driver_class
from deltaflask.drivers.states import StateMachine
from deltaflask.errors import CapabilityMissing
from deltaflask.errors import NotAcceptable
from deltaflask.negotiation import CONTENT_TYPES
from deltaflask.plugins.deltacloud.render import respond

FORMATS = {"api.instance_states": ("xml", "json", "html", "gv", "png")}


def register(bp: Blueprint) -> None:
    """Add the instance states route."""
    bp.add_url_rule("/instance_states", "instance_states", index, methods=["GET"])


def graphviz(machine: StateMachine) -> str:
    """The state machine as Graphviz ``dot`` source."""
    lines = ["digraph instance_states {", "  rankdir=LR;"]
    for state in machine.states:
        lines.append(f'  {state.label} [label="{state.label}"];')
    for t in machine.transitions:
        label = t.action or "auto"
        style = ' style="dashed"' if t.automatic else ""
        lines.append(
            f'  {t.source.label} -> {t.target.label} [label="{label}"{style}];'
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def index() -> Response:
    """The states, each with its outgoing transitions."""
    machine = current_driver_class().state_machine
    if machine is None:
        raise CapabilityMissing("instance_states")
    if g.format in ("gv", "png"):
        source = graphviz(machine)
        if g.format == "gv":
            return Response(source, content_type=CONTENT_TYPES["gv"])
        dot = shutil.which("dot")
        if dot is None:
            raise NotAcceptable("Graphviz is not installed")
        png = subprocess.run(
            [dot, "-Tpng"], input=source.encode(), capture_output=True, check=True
        ).stdout
        return Response(png, content_type=CONTENT_TYPES["png"])
    states = [
        {
            "name": state.label,
            "transitions": [
                {"to": t.target.label, "auto": "true"}
                if t.automatic
                else {"to": t.target.label, "action": t.action}
                for t in machine.transitions_from(state)
            ],
        }
        for state in machine.states
    ]
    return respond("instance_states/index", lambda: states, states=states)
