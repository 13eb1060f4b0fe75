"""The fake's image and datastore methods."""

from __future__ import annotations

import time
from typing import Any

from tests.fakes.opennebula import documents
from tests.fakes.opennebula.cloud import ACTION
from tests.fakes.opennebula.cloud import ALLOCATE
from tests.fakes.opennebula.cloud import Cloud
from tests.fakes.opennebula.cloud import OneError
from tests.fakes.opennebula.methods import Registry
from tests.fakes.opennebula.methods import User
from tests.fakes.opennebula.methods import existing
from tests.fakes.opennebula.methods import parsed

METHODS = Registry()


# -- images and datastores ----------------------------------------------------------------
@METHODS.method("imagepool.info", int, int, int)
def imagepool_info(cloud: Cloud, user: User, *_: Any) -> str:
    return documents.pool("IMAGE_POOL", map(documents.image, cloud.images.values()))


@METHODS.method("image.info", int)
def image_info(cloud: Cloud, user: User, image_id: int, *_: Any) -> str:
    return documents.image(existing(cloud.images, "one.image.info", "image", image_id))


@METHODS.method("image.allocate", str, int)
def image_allocate(
    cloud: Cloud, user: User, source: str, datastore_id: int, *_: Any
) -> int:
    """A new image; a DATABLOCK needs only SIZE (MB)."""
    call = "one.image.allocate"
    template = parsed(call, source)
    store = existing(cloud.datastores, call, "datastore", datastore_id)
    if store["type"] != 0:
        raise OneError(
            ALLOCATE,
            f"[{call}] Error allocating a new image. "
            "Datastore is not an IMAGE datastore.",
        )
    kind = template.get("TYPE", "OS").upper()
    if kind != "DATABLOCK" and not template.get("PATH"):
        raise OneError(
            ALLOCATE, f"[{call}] Error allocating a new image. No PATH in template."
        )
    size = str(template.get("SIZE", ""))
    if not size.isdigit():
        raise OneError(
            ALLOCATE,
            f"[{call}] Error allocating a new image. "
            "SIZE attribute must be a positive integer value.",
        )
    name = str(template.get("NAME", ""))
    if not name or any(i["name"] == name for i in cloud.images.values()):
        raise OneError(
            ALLOCATE,
            f"[{call}] Error allocating a new image. "
            f"NAME is already taken by IMAGE or is empty: '{name}'.",
        )
    image_id = cloud.next_id("image")
    persistent = str(template.get("PERSISTENT", "NO")).upper() in ("YES", "TRUE", "1")
    extra = {
        k: v
        for k, v in template.items()
        if k not in ("NAME", "TYPE", "SIZE", "PERSISTENT")
    }
    cloud.images[image_id] = {
        "id": image_id,
        "uid": user["id"],
        "uname": user["name"],
        "name": name,
        "type": 2 if kind == "DATABLOCK" else 0,
        "persistent": int(persistent),
        "regtime": int(time.time()),
        "size": int(size),
        "state": 1,
        "vms": [],
        "datastore_id": datastore_id,
        "datastore": store["name"],
        "template": extra,
    }
    store["images"].append(image_id)
    return image_id


@METHODS.method("image.delete", int)
def image_delete(cloud: Cloud, user: User, image_id: int, *_: Any) -> int:
    call = "one.image.delete"
    found = existing(cloud.images, call, "image", image_id)
    if found["vms"]:
        raise OneError(
            ACTION,
            f"[{call}] Cannot delete image. The image is being used by "
            f"{len(found['vms'])} VMs.",
        )
    del cloud.images[image_id]
    cloud.datastores[found["datastore_id"]]["images"].remove(image_id)
    return image_id


@METHODS.method("datastorepool.info")
def datastorepool_info(cloud: Cloud, user: User) -> str:
    return documents.pool(
        "DATASTORE_POOL", map(documents.datastore, cloud.datastores.values())
    )
