"""Images are Glance images; an instance's snapshot is a new image."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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
            found = by_id(glance.get_image, wanted)
        else:
            query = {"owner": owner} if owner else {}
            with openstack_errors():
                found = list(glance.images(**query))
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
            return to_image(self.connection().image.get_image(image.id))

    def destroy_image(self, image_id: str) -> None:
        """Delete an image."""
        with openstack_errors():
            self.connection().image.delete_image(image_id, ignore_missing=False)

    def may_destroy_image(self, image: Image) -> bool:
        """Only the project owning an image may delete it."""
        return image.owner_id == self.project_id


def to_image(image: Any) -> Image:
    """An image from a Glance image."""
    properties = image.properties or {}
    return Image(
        id=image.id,
        name=image.name or image.id,
        owner_id=image.owner,
        description=properties.get("description") or image.name,
        architecture=image.architecture or DEFAULT_ARCHITECTURE,
        state=STATES.get(image.status or "", (image.status or "unknown").upper()),
        creation_time=image.created_at,
        extra={
            "visibility": image.visibility,
            "disk_format": image.disk_format,
            "min_disk": image.min_disk,
            "min_ram": image.min_ram,
        },
    )
