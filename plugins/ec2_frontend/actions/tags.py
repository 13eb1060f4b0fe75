"""Tags: the only tag a driver holds is an instance's ``Name``.

DescribeTags lists those; CreateTags answers ``UnsupportedOperation``
because no driver of the contract can store arbitrary tags.
"""

from __future__ import annotations

from deltaflask.drivers import BaseDriver
from deltaflask.plugins.ec2_frontend.actions.common import Item
from deltaflask.plugins.ec2_frontend.actions.common import apply_filters
from deltaflask.plugins.ec2_frontend.actions.common import path
from deltaflask.plugins.ec2_frontend.dispatch import action
from deltaflask.plugins.ec2_frontend.errors import EC2Error
from deltaflask.plugins.ec2_frontend.params import Params

FILTERS = {
    "resource-id": path("resourceId"),
    "resource-type": path("resourceType"),
    "key": path("key"),
    "value": path("value"),
}


@action("DescribeTags")
def describe_tags(driver: BaseDriver, params: Params) -> Item:
    """The ``Name`` tags of instances."""
    items = [
        {"resourceId": i.id, "resourceType": "instance", "key": "Name", "value": i.name}
        for i in driver.instances({})
        if i.name
    ]
    return {"tagSet": apply_filters(items, params, FILTERS)}


@action("CreateTags")
def create_tags(driver: BaseDriver, params: Params) -> Item:
    """Refuse: tags cannot be stored by the driver contract."""
    raise EC2Error(
        "UnsupportedOperation",
        "The operation is not supported: the current driver cannot store tags",
    )
