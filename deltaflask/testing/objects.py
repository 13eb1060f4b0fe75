"""Object-level scenarios: the driver's methods called directly.

Every supported listing returns the contract's models (an instance's state an
:class:`~deltaflask.models.InstanceState`), a listed id is found
again by the single lookup and an unknown one is ``None``; destroying an
unknown id raises one of the contract's typed errors (404, or 400 for an id
the cloud finds malformed); an operation the driver does not implement raises
:class:`~deltaflask.errors.CapabilityMissing` (412).
"""

from __future__ import annotations

import inspect

import pytest

from deltaflask import models
from deltaflask.drivers import BaseDriver
from deltaflask.errors import CapabilityMissing
from deltaflask.errors import DeltaflaskError
from deltaflask.models import InstanceState

#: listing operation -> (single lookup, model)
LISTINGS: dict[str, tuple[str, type]] = {
    "realms": ("realm", models.Realm),
    "hardware_profiles": ("hardware_profile", models.HardwareProfile),
    "images": ("image", models.Image),
    "instances": ("instance", models.Instance),
    "keys": ("key", models.Key),
    "addresses": ("address", models.Address),
    "firewalls": ("firewall", models.Firewall),
    "load_balancers": ("load_balancer", models.LoadBalancer),
    "storage_volumes": ("storage_volume", models.StorageVolume),
    "storage_snapshots": ("storage_snapshot", models.StorageSnapshot),
    "buckets": ("bucket", models.Bucket),
    "networks": ("network", models.Network),
    "subnets": ("subnet", models.Subnet),
    "network_interfaces": ("network_interface", models.NetworkInterface),
}
#: destroying operations that take one id
DESTROYERS = (
    "destroy_image",
    "destroy_instance",
    "destroy_key",
    "destroy_address",
    "delete_firewall",
    "destroy_load_balancer",
    "destroy_storage_volume",
    "destroy_storage_snapshot",
    "delete_bucket",
    "destroy_network",
    "destroy_subnet",
    "destroy_network_interface",
)
UNKNOWN_ID = "deltaflask-contract-no-such-id"


def contract_operations() -> list[str]:
    """Every operation of the driver contract, by name."""
    return sorted(
        name
        for name, member in inspect.getmembers(BaseDriver, callable)
        if getattr(member, "__contract__", False)
    )


class ObjectScenarios:
    """The driver object against the contract, without a frontend."""

    def test_listings_return_models_and_lookups_find_them(
        self, driver: BaseDriver
    ) -> None:
        for listing, (lookup, model) in LISTINGS.items():
            # the base class lists static hardware profiles (maybe none)
            if listing != "hardware_profiles" and not driver.supports(listing):
                continue
            found = getattr(driver, listing)({})
            assert isinstance(found, list), listing
            assert all(isinstance(item, model) for item in found), listing
            if listing == "instances":
                states = [item.state for item in found]
                assert all(isinstance(s, InstanceState) for s in states), states
            if found:
                again = getattr(driver, lookup)(found[0].id)
                assert isinstance(again, model), lookup
                assert again.id == found[0].id, lookup
            assert getattr(driver, lookup)(UNKNOWN_ID) is None, lookup

    def test_destroying_an_unknown_id_is_a_typed_error(
        self, driver: BaseDriver
    ) -> None:
        for destroyer in DESTROYERS:
            if not driver.supports(destroyer):
                continue
            with pytest.raises(DeltaflaskError) as raised:
                getattr(driver, destroyer)(UNKNOWN_ID)
            assert raised.value.status in (400, 404), (destroyer, raised.value)

    def test_unsupported_operations_raise_capability_missing(
        self, driver: BaseDriver
    ) -> None:
        for name in contract_operations():
            if driver.supports(name):
                continue
            method = getattr(driver, name)
            arguments = [
                None
                for parameter in inspect.signature(method).parameters.values()
                if parameter.default is inspect.Parameter.empty
                and parameter.kind is not inspect.Parameter.VAR_KEYWORD
            ]
            with pytest.raises(CapabilityMissing) as raised:
                method(*arguments)
            assert raised.value.status == 412, name
