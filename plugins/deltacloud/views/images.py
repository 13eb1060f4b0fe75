"""``/api/images``: list, show, create from an instance, destroy."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint
from flask import Response
from flask import request
from werkzeug.wrappers import Response as BaseResponse

from deltaflask.context import current_driver
from deltaflask.context import current_driver_class
from deltaflask.models import Image
from deltaflask.plugins.deltacloud.params import filters
from deltaflask.plugins.deltacloud.params import request_params
from deltaflask.plugins.deltacloud.params import require
from deltaflask.plugins.deltacloud.render import href
from deltaflask.plugins.deltacloud.render import link
from deltaflask.plugins.deltacloud.render import respond
from deltaflask.plugins.deltacloud.views.collection import Collection
from deltaflask.plugins.deltacloud.views.forms import Field
from deltaflask.plugins.deltacloud.views.forms import Form
from deltaflask.plugins.deltacloud.views.forms import instance_options
from deltaflask.plugins.deltacloud.views.forms import new_form

#: images on one HTML page
PAGE_SIZE = 100


def actions(image: Image) -> list[dict[str, str]]:
    """The links to launch from and to delete the image."""
    driver = current_driver_class()
    found = []
    if driver.supports("create_instance"):
        found.append(
            link("create_instance", f"{href('instances')};image_id={image.id}")
        )
    if driver.supports("destroy_image") and current_driver().may_destroy_image(image):
        found.append(link("destroy_image", href("images", image.id), "delete"))
    return found


def to_json(image: Image) -> dict[str, object]:
    """An image as the classic JSON shows it (``owner``, not ``owner_id``)."""
    return {
        "id": image.id,
        "href": href("images", image.id),
        "name": image.name,
        "description": image.description,
        "owner": image.owner_id,
        "architecture": image.architecture,
        "state": image.state,
        "root_type": image.root_type,
        "creation_time": image.creation_time,
        "hardware_profiles": [
            {"id": p, "href": href("hardware_profiles", p), "rel": "hardware_profile"}
            for p in image.hardware_profile_ids
        ],
    }


IMAGES = Collection(
    "images", "image", "image_id", "Image", to_json, helpers={"actions": actions}
)
FORMATS = IMAGES.formats


def register(bp: Blueprint) -> None:
    """Add the image routes."""
    IMAGES.register(bp, create=create, destroy=destroy, form=form, index=index)


def index() -> Response:
    """List images, filtered by id, architecture and owner.

    A page shows :data:`PAGE_SIZE` of them (a cloud may offer thousands);
    XML and JSON list them all.
    """
    chosen = filters(("id", "architecture", "owner_id"))
    images = current_driver().images(chosen)
    number, pages = page_of(len(images))
    return respond(
        "images/index",
        lambda: {"images": [to_json(i) for i in images]},
        images=images,
        page_images=images[(number - 1) * PAGE_SIZE : number * PAGE_SIZE],
        total=len(images),
        first=(number - 1) * PAGE_SIZE + 1,
        page=number,
        pages=pages,
        page_url=lambda n: f"{href('images')}?{urlencode({**chosen, 'page': n})}",
        filter_form=filter_form(chosen),
        actions=actions,
    )


def page_of(total: int) -> tuple[int, int]:
    """The page the request asks for (clamped) and how many there are."""
    pages = max(1, -(-total // PAGE_SIZE))
    try:
        number = int(request.args.get("page", "1"))
    except ValueError:
        number = 1
    return min(max(number, 1), pages), pages


def filter_form(chosen: dict[str, str]) -> Form:
    """The GET form that filters the list by owner and architecture."""
    form = Form(
        title="Filter",
        action=href("images"),
        method="get",
        key="filter",
        fields=[
            Field(
                "owner_id",
                "Owner",
                placeholder="self, amazon or an account id",
            ),
            Field("architecture", "Architecture", placeholder="x86_64"),
        ],
        submit="Filter",
        crumbs=[],
    )
    form.values = dict(chosen)
    return form


def form(values: dict[str, str]) -> Form:
    """The form to image an instance (name and description where declared)."""
    driver = current_driver()
    instances = instance_options()
    fields = [
        Field("instance_id", "Instance", "select", required=True, options=instances)
    ]
    if driver.has_feature("images", "image_name"):
        fields.append(Field("name", "Name"))
    if driver.has_feature("images", "image_description"):
        fields.append(Field("description", "Description"))
    return new_form(
        "images", "Create an image from an instance", fields, "Create image"
    )


def create() -> BaseResponse:
    """Create an image from ``instance_id`` (201 with ``Location``)."""
    params = request_params()
    require(params, "instance_id")
    image = current_driver().create_image(
        params["instance_id"], params.get("name") or None, params.get("description")
    )
    return IMAGES.created(image)


def destroy(image_id: str) -> BaseResponse:
    """Delete an image (204)."""
    current_driver().destroy_image(image_id)
    return IMAGES.gone(image_id)
