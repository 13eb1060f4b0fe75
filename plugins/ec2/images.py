"""Images: AMIs filtered by owner and architecture, made from instances."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from deltaflask.errors import Conflict
from deltaflask.models import HardwareProfile
from deltaflask.models import Image
from deltaflask.plugins.ec2.base import Ec2Base
from deltaflask.plugins.ec2.calls import ids_of
from deltaflask.plugins.ec2.calls import lookup
from deltaflask.plugins.ec2.calls import only
from deltaflask.plugins.ec2.errors import aws_errors
from deltaflask.plugins.ec2.realms_profiles import architectures

#: whose images are listed when no owner (and no id) is asked for, as the original
DEFAULT_OWNER = "amazon"


class Ec2Images(Ec2Base):
    """Image operations of the ec2 driver (mixed into ``Ec2Driver``)."""

    def images(self, filters: Mapping[str, Any]) -> list[Image]:
        """AMIs by ``id``, else the machine images of ``owner_id`` (default
        ``amazon``, as the original; ``self`` is the caller), filtered by
        ``architecture``; sorted by owner and name."""
        kwargs: dict[str, Any] = {}
        wanted = ids_of(filters)
        if wanted:
            kwargs["ImageIds"] = wanted
        owners = ids_of(filters, "owner_id")
        conditions: list[dict[str, Any]] = []
        if owners or not wanted:
            kwargs["Owners"] = owners or [DEFAULT_OWNER]
        if not wanted:
            conditions.append({"Name": "image-type", "Values": ["machine"]})
        archs = ids_of(filters, "architecture")
        if archs:
            conditions.append({"Name": "architecture", "Values": archs})
        if conditions:
            kwargs["Filters"] = conditions
        found = lookup(self.ec2.describe_images, "Images", **kwargs)
        profiles = self.hardware_profiles({})
        images = [to_image(data, profiles) for data in found]
        return sorted(images, key=lambda i: (i.owner_id or "", i.name))

    def create_image(
        self, instance_id: str, name: str | None, description: str | None
    ) -> Image:
        """Register an AMI of an (EBS-backed) instance that still exists."""
        source = only(self.instances({"id": instance_id}), f"Instance '{instance_id}'")
        if not source.create_image:
            raise Conflict(
                f"Instance '{instance_id}' cannot be imaged in state {source.state}"
            )
        kwargs: dict[str, Any] = {
            "InstanceId": instance_id,
            "Name": name or f"{instance_id}-{int(time.time())}",
        }
        if description:
            kwargs["Description"] = description
        with aws_errors():
            image_id = self.ec2.create_image(**kwargs)["ImageId"]
        return only(self.images({"id": image_id}), f"New image '{image_id}'")

    def destroy_image(self, image_id: str) -> None:
        """Deregister an AMI."""
        with aws_errors():
            self.ec2.deregister_image(ImageId=image_id)


def to_image(data: Mapping[str, Any], profiles: list[HardwareProfile]) -> Image:
    """An image from one entry of ``describe_images``."""
    arch = data.get("Architecture")
    return Image(
        id=data["ImageId"],
        name=data.get("Name") or data["ImageId"],
        owner_id=data.get("OwnerId"),
        description=data.get("Description") or data.get("Name") or "",
        architecture=arch,
        state=str(data.get("State") or "unknown").upper(),
        creation_time=data.get("CreationDate"),
        root_type="persistent" if data.get("RootDeviceType") == "ebs" else "transient",
        hardware_profile_ids=[p.id for p in profiles if arch in architectures(p)],
    )
