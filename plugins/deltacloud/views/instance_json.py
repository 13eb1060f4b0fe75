"""How an instance looks in the classic API: its action links and JSON form."""

from __future__ import annotations

from flask import g

from deltaflask.context import current_driver
from deltaflask.drivers import BaseDriver
from deltaflask.models import Instance
from deltaflask.models import InstanceAddress
from deltaflask.plugins.deltacloud.render import api_url
from deltaflask.plugins.deltacloud.render import href_from
from deltaflask.plugins.deltacloud.render import link
from deltaflask.plugins.deltacloud.render import quote_part


def actions(
    instance: Instance,
    driver: BaseDriver | None = None,
    base: str = "",
    member: str = "",
) -> list[dict[str, str]]:
    """State actions, then ``run`` and ``create_image`` where possible.

    ``driver``, ``base`` (the ``/api`` URL) and ``member`` (the instance's
    URL) default to the request's.
    """
    driver = driver or current_driver()
    base = base or api_url()
    member = member or href_from(base, "instances", instance.id)
    found = []
    for action in driver.instance_actions(instance):
        if action == "destroy":
            found.append(link("destroy", member, "delete"))
        else:
            found.append(link(action, f"{member}/{quote_part(action)}"))
    if driver.supports("run_on_instance"):
        found.append(link("run", f"{member}/run;id={instance.id}"))
    if instance.create_image and driver.supports("create_image"):
        images = href_from(base, "images")
        found.append(link("create_image", f"{images};instance_id={instance.id}"))
    return found


def authentication_type(driver: BaseDriver | None = None) -> str | None:
    """``key`` or ``password`` when the driver authenticates logins, else None."""
    driver = driver or current_driver()
    if driver.has_feature("instances", "authentication_key"):
        return "key"
    if driver.has_feature("instances", "authentication_password"):
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
    driver = current_driver()
    base = api_url()
    member = href_from(base, "instances", instance.id)

    def href(*parts: str) -> str:
        return href_from(base, *parts)

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
        "actions": actions(instance, driver, base, member),
    }
    if instance.profile is not None:
        data["hardware_profile"] = {
            "id": instance.profile.id,
            "href": href("hardware_profiles", instance.profile.id),
            "rel": "hardware_profile",
            "properties": dict(instance.profile.overrides),
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
    auth = authentication_type(driver)
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
