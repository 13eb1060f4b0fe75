"""Images: DescribeImages, CreateImage, DeregisterImage."""

from __future__ import annotations

from deltaflask.drivers import BaseDriver
from deltaflask.models import Image
from deltaflask.plugins.ec2_frontend.actions.common import Item
from deltaflask.plugins.ec2_frontend.actions.common import apply_filters
from deltaflask.plugins.ec2_frontend.actions.common import check_found
from deltaflask.plugins.ec2_frontend.actions.common import existing
from deltaflask.plugins.ec2_frontend.actions.common import max_results
from deltaflask.plugins.ec2_frontend.actions.common import paginate
from deltaflask.plugins.ec2_frontend.actions.common import path
from deltaflask.plugins.ec2_frontend.actions.instance_items import find_instances
from deltaflask.plugins.ec2_frontend.dispatch import action
from deltaflask.plugins.ec2_frontend.params import Params
from deltaflask.plugins.ec2_frontend.params import check_ids
from deltaflask.plugins.ec2_frontend.params import get_list
from deltaflask.plugins.ec2_frontend.params import get_str
from deltaflask.plugins.ec2_frontend.params import require
from deltaflask.plugins.ec2_frontend.params import require_id
from deltaflask.plugins.ec2_frontend.render import iso_time

NOT_FOUND = "InvalidAMIID.NotFound"
MALFORMED = "InvalidAMIID.Malformed"
FILTERS = {
    "image-id": path("imageId"),
    "name": path("name"),
    "owner-id": path("imageOwnerId"),
    "architecture": path("architecture"),
    "state": path("imageState"),
    "description": path("description"),
}


def image_item(image: Image) -> Item:
    """An image as an ``imagesSet`` item."""
    state = (image.state or "available").lower()
    return {
        "imageId": image.id,
        "imageLocation": image.name,
        "imageState": "available" if state == "available" else state,
        "imageOwnerId": image.owner_id,
        "creationDate": iso_time(image.creation_time),
        "isPublic": False,
        "architecture": image.architecture,
        "imageType": "machine",
        "name": image.name,
        "description": image.description,
        "rootDeviceType": "ebs"
        if image.root_type == "persistent"
        else "instance-store",
        "virtualizationType": "hvm",
        "hypervisor": "xen",
        "blockDeviceMapping": [],
    }


@action("DescribeImages", not_found=NOT_FOUND)
def describe_images(driver: BaseDriver, params: Params) -> Item:
    """Images, by ``ImageId.N``, ``Owner.N`` and filters."""
    ids = check_ids(get_list(params, "ImageId"), MALFORMED, "image")
    owners = get_list(params, "Owner")
    by_driver = bool(owners) and driver.has_feature("images", "owner_id")
    if by_driver:
        images = _owned_by(driver, ids, owners)
    else:
        images = driver.images({"id": ids} if ids else {})
        check_found(ids, [image.id for image in images], NOT_FOUND, "image")
    items = [image_item(image) for image in images]
    if owners and not by_driver:
        user = driver.credentials.user
        wanted = {user if owner == "self" else owner for owner in owners}
        items = [item for item in items if item["imageOwnerId"] in wanted]
    items = apply_filters(items, params, FILTERS)
    page, token = paginate(items, "imageId", params, max_results(params))
    return {"imagesSet": page, "nextToken": token}


def _owned_by(driver: BaseDriver, ids: list[str], owners: list[str]) -> list[Image]:
    """Images of any of ``owners``, filtered by a driver that knows owners
    (and their aliases: ``self``, ``amazon`` ...), one owner at a time."""
    found: dict[str, Image] = {}
    for owner in owners:
        wanted = {"id": ids, "owner_id": owner} if ids else {"owner_id": owner}
        found.update((image.id, image) for image in driver.images(wanted))
    return list(found.values())


@action(
    "CreateImage",
    not_found="InvalidInstanceID.NotFound",
    incorrect_state="IncorrectInstanceState",
)
def create_image(driver: BaseDriver, params: Params) -> Item:
    """Make an image of an instance."""
    instance_id = require(params, "InstanceId")
    find_instances(driver, [instance_id])
    name = require(params, "Name")
    image = driver.create_image(instance_id, name, get_str(params, "Description"))
    return {"imageId": image.id}


@action("DeregisterImage", not_found=NOT_FOUND)
def deregister_image(driver: BaseDriver, params: Params) -> Item:
    """Delete an image."""
    image_id = require_id(params, "ImageId", MALFORMED, "image")
    existing(driver.image(image_id), NOT_FOUND, "image", image_id)
    driver.destroy_image(image_id)
    return {"return": True}
