"""How an instance looks in the classic API: its action links and JSON form."""

from __future__ import annotations

from functools import lru_cache

from flask import g

from deltaflask.context import current_driver
from deltaflask.context import current_driver_class
from deltaflask.drivers import BaseDriver
from deltaflask.models import Instance
from deltaflask.models import InstanceAddress
from deltaflask.plugins.deltacloud.render import api_url
from deltaflask.plugins.deltacloud.render import href_from
from deltaflask.plugins.deltacloud.render import link
from deltaflask.plugins.deltacloud.render import quote_part


def actions(
    instance: Instance, base: str = "", member: str = ""
) -> list[dict[str, str]]:
    """State actions, then ``run`` and ``create_image`` where possible, on
    the request's driver.

    ``base`` (the ``/api`` URL) and ``member`` (the instance's URL) default
    to the request's.
    """
    base = base or api_url()
    member = member or href_from(base, "instances", instance.id)
    return _actions(instance, current_driver_class(), base, member)


def _actions(
    instance: Instance, driver_class: type[BaseDriver], base: str, member: str
) -> list[dict[str, str]]:
    found = [
        link("destroy", member, "delete")
        if action == "destroy"
        else link(action, f"{member}/{quote_part(action)}")
        for action in current_driver().instance_actions(instance)
    ]
    runs, images = _abilities(driver_class)
    if runs:
        found.append(link("run", f"{member}/run;id={instance.id}"))
    if instance.create_image and images:
        found.append(link("create_image", f"{base}/images;instance_id={instance.id}"))
    return found


@lru_cache(maxsize=32)
def _abilities(driver_class: type[BaseDriver]) -> tuple[bool, bool]:
    """Whether a driver runs commands on instances and makes images of them
    (class data, looked up once per driver class)."""
    return (
        driver_class.supports("run_on_instance"),
        driver_class.supports("create_image"),
    )


def authentication_type() -> str | None:
    """``key`` or ``password`` when the request's driver authenticates
    logins, else None."""
    return _authentication_type(current_driver_class())


@lru_cache(maxsize=32)
def _authentication_type(driver_class: type[BaseDriver]) -> str | None:
    if driver_class.has_feature("instances", "authentication_key"):
        return "key"
    if driver_class.has_feature("instances", "authentication_password"):
        return "password"
    return None


def _address(address: InstanceAddress) -> dict[str, str]:
    data = {"address": address.address, "type": address_type(address)}
    if address.port:
        data["port"] = address.port
    return data


def address_type(address: InstanceAddress) -> str:
    """The address type, ``unavailable`` for a blank address."""
    return address.type if address.address.strip() else "unavailable"


def to_json(instance: Instance) -> dict[str, object]:
    """An instance as the classic JSON shows it."""
    base = api_url()
    driver_class = current_driver_class()
    member = f"{base}/instances/{quote_part(instance.id)}"

    def href(collection: str, item: str) -> str:  # ``href_from(base, ...)``
        return f"{base}/{collection}/{quote_part(str(item))}"

    data: dict[str, object] = {
        "id": instance.id,
        "href": member,
        "name": instance.name,
        "state": instance.state,
        "owner": instance.owner_id,
        "image": {
            "href": href("images", instance.image_id or ""),
            "id": instance.image_id,
            "rel": "image",
        },
        "realm": {
            "href": href("realms", instance.realm_id or ""),
            "id": instance.realm_id,
            "rel": "realm",
        },
        "actions": _actions(instance, driver_class, base, member),
    }
    profile = instance.profile
    if profile is not None:
        data["hardware_profile"] = {
            "id": profile.id,
            "href": href("hardware_profiles", profile.id),
            "rel": "hardware_profile",
            "properties": dict(profile.overrides),
        }
    data["public_addresses"] = [_address(a) for a in instance.public_addresses]
    data["private_addresses"] = [_address(a) for a in instance.private_addresses]
    if instance.launch_time:
        data["create_time"] = instance.launch_time
    if instance.create_image:
        data["create_image"] = True
    if instance.firewalls:
        data["firewalls"] = [
            {"id": f, "href": href("firewalls", f), "rel": "firewall"}
            for f in instance.firewalls
        ]
    data["storage_volumes"] = [
        {"id": v, "href": href("storage_volumes", v), "rel": "storage_volume"}
        for v, _device in instance.storage_volumes
    ]
    auth = _authentication_type(driver_class)
    if auth:
        data["authentication_type"] = auth
    if instance.keyname is not None:
        data["authentication"] = {"keyname": instance.keyname}
    elif instance.username:
        data["authentication"] = {
            "user": instance.username,
            "password": instance.password,
        }
    if instance.network_bindings:
        data["network_bindings"] = [
            {
                "network": {"id": b.network_id, "href": href("networks", b.network_id)},
                "subnet": (
                    {"id": b.subnet_id, "href": href("subnets", b.subnet_id)}
                    if b.subnet_id
                    else None
                ),
                "ip_address": b.ip_address,
            }
            for b in instance.network_bindings
        ]
    return data


def template_context() -> dict[str, object]:
    """Helpers the instance templates call."""
    return {
        "actions": actions,
        "authentication_type": authentication_type(),
        "address_type": address_type,
        "fmt": g.format,
    }
