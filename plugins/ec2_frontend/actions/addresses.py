"""Elastic addresses: Describe, Allocate, Associate, Disassociate, Release.

The driver's address id is both the ``publicIp`` and the ``allocationId``;
the association id is ``eipassoc-<address id>``.
"""

from __future__ import annotations

from deltaflask.drivers import BaseDriver
from deltaflask.models import Address
from deltaflask.plugins.ec2_frontend.actions.common import Item
from deltaflask.plugins.ec2_frontend.actions.common import apply_filters
from deltaflask.plugins.ec2_frontend.actions.common import chosen
from deltaflask.plugins.ec2_frontend.actions.common import existing
from deltaflask.plugins.ec2_frontend.actions.common import path
from deltaflask.plugins.ec2_frontend.actions.instance_items import find_instances
from deltaflask.plugins.ec2_frontend.dispatch import action
from deltaflask.plugins.ec2_frontend.errors import EC2Error
from deltaflask.plugins.ec2_frontend.errors import missing_parameter
from deltaflask.plugins.ec2_frontend.params import Params
from deltaflask.plugins.ec2_frontend.params import check_ids
from deltaflask.plugins.ec2_frontend.params import get_list
from deltaflask.plugins.ec2_frontend.params import get_str
from deltaflask.plugins.ec2_frontend.params import require

NOT_FOUND = "InvalidAllocationID.NotFound"
ASSOCIATION = "eipassoc-"
FILTERS = {
    "public-ip": path("publicIp"),
    "allocation-id": path("allocationId"),
    "instance-id": path("instanceId"),
    "association-id": path("associationId"),
    "domain": path("domain"),
}


def _item(address: Address) -> Item:
    return {
        "publicIp": address.id,
        "allocationId": address.id,
        "domain": "vpc",
        "instanceId": address.instance_id,
        "associationId": f"{ASSOCIATION}{address.id}" if address.associated else None,
    }


def _address(driver: BaseDriver, params: Params, *names: str) -> Address:
    value = next((v for name in names if (v := get_str(params, name))), None)
    if value is None:
        raise missing_parameter(names[0])
    if value.startswith(ASSOCIATION):
        value = value[len(ASSOCIATION) :]
    check_ids([value], "InvalidAllocationID.Malformed", "allocation")
    return existing(driver.address(value), NOT_FOUND, "allocation", value)


@action("DescribeAddresses", not_found=NOT_FOUND)
def describe_addresses(driver: BaseDriver, params: Params) -> Item:
    """Addresses by ``PublicIp.N``, ``AllocationId.N`` and filters."""
    wanted = get_list(params, "PublicIp") + get_list(params, "AllocationId")
    check_ids(wanted, "InvalidAllocationID.Malformed", "allocation")
    addresses = chosen(driver.addresses({}), wanted, NOT_FOUND, "allocation")
    items = [_item(a) for a in addresses]
    return {"addressesSet": apply_filters(items, params, FILTERS)}


@action("AllocateAddress")
def allocate_address(driver: BaseDriver, params: Params) -> Item:
    """Allocate a new address."""
    address = driver.create_address()
    return {"publicIp": address.id, "allocationId": address.id, "domain": "vpc"}


@action(
    "AssociateAddress",
    not_found=NOT_FOUND,
    incorrect_state="Resource.AlreadyAssociated",
)
def associate_address(driver: BaseDriver, params: Params) -> Item:
    """Bind an address to an instance."""
    address = _address(driver, params, "AllocationId", "PublicIp")
    instance_id = require(params, "InstanceId")
    find_instances(driver, [instance_id])
    if address.associated and address.instance_id != instance_id:
        raise EC2Error(
            "Resource.AlreadyAssociated",
            f"The address '{address.id}' is already associated with an instance",
        )
    if address.instance_id != instance_id:
        driver.associate_address(address.id, instance_id)
    return {"return": True, "associationId": f"{ASSOCIATION}{address.id}"}


@action("DisassociateAddress", not_found="InvalidAssociationID.NotFound")
def disassociate_address(driver: BaseDriver, params: Params) -> Item:
    """Unbind an address from its instance."""
    address = _address(driver, params, "AssociationId", "PublicIp")
    if not address.associated:
        raise EC2Error(
            "InvalidAssociationID.NotFound",
            f"The address '{address.id}' is not associated",
        )
    driver.disassociate_address(address.id)
    return {"return": True}


@action("ReleaseAddress", not_found=NOT_FOUND, incorrect_state="InvalidIPAddress.InUse")
def release_address(driver: BaseDriver, params: Params) -> Item:
    """Release an address that is not associated."""
    address = _address(driver, params, "AllocationId", "PublicIp")
    if address.associated:
        raise EC2Error(
            "InvalidIPAddress.InUse", f"The address '{address.id}' is in use"
        )
    driver.destroy_address(address.id)
    return {"return": True}
