"""The action registry: ``@action("DescribeInstances")`` and dispatching."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Response

from deltaflask.drivers import BaseDriver
from deltaflask.plugins.ec2_frontend.errors import EC2Error
from deltaflask.plugins.ec2_frontend.errors import translate
from deltaflask.plugins.ec2_frontend.params import get_bool
from deltaflask.plugins.ec2_frontend.render import respond

Handler = Callable[[BaseDriver, Mapping[str, str]], Mapping[str, Any]]


@dataclass(frozen=True)
class Action:
    """A registered action: its handler and the error codes of its family."""

    name: str
    handler: Handler
    not_found: str
    incorrect_state: str


ACTIONS: dict[str, Action] = {}


def action(
    name: str,
    not_found: str = "InvalidParameterValue",
    incorrect_state: str = "IncorrectState",
) -> Callable[[Handler], Handler]:
    """Register ``handler(driver, params) -> result`` as EC2 action ``name``.

    ``not_found`` is the code a driver's 404 becomes, ``incorrect_state``
    the code of a 405/409.
    """

    def register(handler: Handler) -> Handler:
        ACTIONS[name] = Action(name, handler, not_found, incorrect_state)
        return handler

    return register


def lookup(name: str | None) -> Action:
    """The registered action ``name`` (``InvalidAction`` otherwise)."""
    if not name:
        raise EC2Error("MissingAction", "The request must contain the parameter Action")
    found = ACTIONS.get(name)
    if found is None:
        raise EC2Error(
            "InvalidAction",
            f"The action {name} is not valid for this web service.",
        )
    return found


def dispatch(found: Action, driver: BaseDriver, params: Mapping[str, str]) -> Response:
    """Run ``found`` and render its result, translating core errors."""
    if get_bool(params, "DryRun"):
        raise EC2Error(
            "DryRunOperation",
            "Request would have succeeded, but DryRun flag is set.",
            412,
        )
    try:
        result = found.handler(driver, params)
    except Exception as error:
        raise translate(error, found.not_found, found.incorrect_state) from error
    return respond(found.name, result)
