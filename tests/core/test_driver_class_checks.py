"""What the driver contract checks when a driver class is defined."""

from __future__ import annotations

import dataclasses
import inspect
import typing
from typing import ClassVar

import pytest

from deltaflask.drivers import BaseDriver
from deltaflask.drivers.states import machine
from deltaflask.models import InstanceState
from deltaflask.plugins.ec2.base import Ec2Base
from deltaflask.plugins.ec2.driver import Ec2Driver
from deltaflask.plugins.mock.base import MockBase
from deltaflask.plugins.mock.driver import MockDriver
from deltaflask.testing.objects import contract_operations

Features = dict[str, tuple[str, ...]]


def test_a_misspelt_feature_fails_the_class_definition() -> None:
    with pytest.raises(TypeError, match=r"'user_nmae' is no feature of 'instances'"):

        class Misspelt(BaseDriver):
            features: ClassVar[Features] = {"instances": ("user_name", "user_nmae")}


def test_a_feature_on_the_wrong_collection_fails_and_lists_the_right_ones() -> None:
    with pytest.raises(TypeError, match=r"catalogue has: .*image_name"):

        class Misplaced(BaseDriver):
            features: ClassVar[Features] = {"images": ("user_data",)}


def test_catalogue_features_are_declared() -> None:
    class Fine(BaseDriver):
        features: ClassVar[Features] = {"instances": ("user_name", "user_data")}

    assert [f.name for f in Fine.declared_features("instances")] == [
        "user_name",
        "user_data",
    ]


def test_a_state_machine_takes_instance_states_not_loose_strings() -> None:
    with pytest.raises(TypeError, match=r"'running' is no InstanceState"):
        machine(("running", "stopped", "stop"))  # type: ignore[arg-type]


def test_one_state_spelling_serves_models_and_machines() -> None:
    built = machine((InstanceState.RUNNING, InstanceState.STOPPED, "stop"))
    assert built.actions_for(InstanceState.RUNNING) == ["stop"]
    assert [state.label for state in built.states] == ["running", "stopped"]
    assert InstanceState.parse("stopped") is InstanceState.STOPPED
    assert f"{InstanceState.RUNNING}" == "RUNNING"


@pytest.mark.parametrize(
    ("driver", "base"), [(MockDriver, MockBase), (Ec2Driver, Ec2Base)]
)
def test_each_mixin_extends_its_drivers_base_and_restates_none_of_it(
    driver: type[BaseDriver], base: type[BaseDriver]
) -> None:
    package = base.__module__.rsplit(".", 1)[0]
    mixins = [
        cls
        for cls in driver.__mro__
        if cls.__module__.startswith(package) and cls not in (driver, base)
    ]
    assert len(mixins) >= 7
    shared = {
        name
        for name in [*vars(base), *vars(base).get("__annotations__", {})]
        if not name.startswith("__")
    }
    assert shared
    for mixin in mixins:
        assert issubclass(mixin, base), mixin
        restated = shared & (
            set(vars(mixin)) | set(vars(mixin).get("__annotations__", {}))
        )
        assert not restated, (mixin, restated)


def test_a_create_takes_a_request_object_or_at_most_three_values() -> None:
    creates = [
        name
        for name in contract_operations()
        if name.startswith("create_") or name == "init_segmented_blob"
    ]
    assert len(creates) >= 15
    for name in creates:
        method = getattr(BaseDriver, name)
        hints = typing.get_type_hints(method)
        parameters = list(inspect.signature(method).parameters)[1:]
        first = hints[parameters[0]] if parameters else None
        if dataclasses.is_dataclass(first):
            assert first.__name__.endswith("Create"), name
            assert len(dataclasses.fields(first)) > 3, name
        else:
            assert len(parameters) <= 3, (name, parameters)
