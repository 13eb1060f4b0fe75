"""Images are Glance images; an instance's snapshot is a new image.

Images are read as Glance's own JSON, in pages of up to :data:`PAGE_SIZE`:
openstacksdk's image resources cost about a millisecond of CPU each to build
(more than the rest of a listing's work in deltaflask), and its default pages
of 25 cost a round trip each.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import quote
from urllib.parse import urlsplit

from deltaflask.drivers.base import filter_on
from deltaflask.errors import ValidationFailure
from deltaflask.models import Image
from deltaflask.plugins.openstack.base import OpenStackBase
from deltaflask.plugins.openstack.calls import by_id
from deltaflask.plugins.openstack.errors import openstack_errors

#: the architecture of an image whose ``architecture`` property is unset
DEFAULT_ARCHITECTURE = "x86_64"
#: Glance status -> the classic API's image state
STATES = {"active": "AVAILABLE", "queued": "PENDING", "saving": "PENDING"}
#: the ``owner_id`` filter meaning the project of the credentials
SELF = "self"
#: images asked for per page (Glance answers at most its ``api_limit_max``)
PAGE_SIZE = 1000


class OpenStackImages(OpenStackBase):
    """Image operations of the openstack driver."""

    def images(self, filters: Mapping[str, Any]) -> list[Image]:
        """Images by ``id``, ``owner_id`` (``self``: the project's) and
        ``architecture``."""
        glance = self.connection().image
        wanted = filters.get("id")
        owner = filters.get("owner_id")
        if owner == SELF:
            owner = self.project_id
            filters = {**filters, "owner_id": owner}
        if wanted:
            found = by_id(lambda image_id: glance_image(glance, image_id), wanted)
        else:
            found = glance_images(glance, {"owner": owner} if owner else {})
        return filter_on(
            [to_image(i) for i in found], filters, "owner_id", "architecture"
        )

    def create_image(
        self, instance_id: str, name: str | None, description: str | None
    ) -> Image:
        """Snapshot an instance into a new image (Glance fills it later)."""
        compute = self.connection().compute
        server = by_id(compute.get_server, instance_id)
        if not server:
            raise ValidationFailure(f"Instance '{instance_id}' does not exist.")
        metadata = {"description": description} if description else None
        with openstack_errors():
            image = compute.create_server_image(
                server[0], name or f"{server[0].name}-image", metadata=metadata
            )
        return to_image(glance_image(self.connection().image, image.id))

    def destroy_image(self, image_id: str) -> None:
        """Delete an image."""
        with openstack_errors():
            self.connection().image.delete_image(image_id, ignore_missing=False)

    def may_destroy_image(self, image: Image) -> bool:
        """Only the project owning an image may delete it."""
        return image.owner_id == self.project_id


def glance_json(proxy: Any, path: str, params: Mapping[str, Any] | None = None) -> Any:
    """The JSON Glance answers to ``GET <path>`` (errors typed)."""
    from openstack.exceptions import raise_from_response

    with openstack_errors():
        response = proxy.get(path, params=params, raise_exc=False)
        raise_from_response(response)
        return response.json()


def glance_image(proxy: Any, image_id: str) -> dict[str, Any]:
    """One image as Glance's JSON (an unknown id is a 404)."""
    return dict(glance_json(proxy, f"/images/{quote(image_id, safe='')}"))


def glance_images(proxy: Any, query: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every image ``query`` selects, following Glance's ``next`` links."""
    params = {**query, "limit": PAGE_SIZE}
    found: list[dict[str, Any]] = []
    while True:
        page = glance_json(proxy, "/images", params)
        found.extend(page.get("images") or ())
        marker = parse_qs(urlsplit(page.get("next") or "").query).get("marker")
        if not marker:
            return found
        params["marker"] = marker[0]


def to_image(image: Mapping[str, Any]) -> Image:
    """An image from Glance's JSON of it (its own properties are top-level)."""
    status = image.get("status") or ""
    return Image(
        id=image["id"],
        name=image.get("name") or image["id"],
        owner_id=image.get("owner"),
        description=image.get("description") or image.get("name"),
        architecture=image.get("architecture") or DEFAULT_ARCHITECTURE,
        state=STATES.get(status, (status or "unknown").upper()),
        creation_time=image.get("created_at"),
        extra={
            "visibility": image.get("visibility"),
            "disk_format": image.get("disk_format"),
            "min_disk": image.get("min_disk"),
            "min_ram": image.get("min_ram"),
        },
    )
