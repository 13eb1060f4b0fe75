"""Glance images as the openstack driver reads them: Glance's own JSON, in
pages of up to a thousand (openstacksdk's default page of 25 costs a round
trip each), with the image's own properties mapped."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.support.openstack_cloud import OpenStackCloud

pytestmark = pytest.mark.xdist_group("openstack")

#: one more than openstacksdk's (and Glance's default) page of images
IMAGES = 26


@pytest.fixture
def own_images(openstack: OpenStackCloud) -> Iterator[list[Any]]:
    """``IMAGES`` small images of the demo project, the first with an
    architecture and a description of its own; deleted afterwards."""
    glance = openstack.sdk("demo").image
    tag = secrets.token_hex(3)
    made = [
        glance.create_image(
            name=f"paged-{tag}-{n:02}",
            data=b"\0" * 512,
            disk_format="raw",
            container_format="bare",
            **(
                {"architecture": "aarch64", "description": "arm build"}
                if n == 0
                else {}
            ),
        )
        for n in range(IMAGES)
    ]
    try:
        yield made
    finally:
        for image in made:
            glance.delete_image(image, ignore_missing=True)


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def test_more_images_than_a_page_come_in_one_glance_request(
    api: FlaskClient,
    auth: dict[str, str],
    openstack: OpenStackCloud,
    own_images: list[Any],
) -> None:
    sdk = openstack.sdk("demo")
    project = sdk.current_project_id
    log = openstack.folder / "log" / "glance.log"
    seen = len(log.read_text(errors="replace").splitlines())
    listed = ok(api.get("/api/images?owner_id=self", headers=auth))["images"]
    requests = [
        line
        for line in log.read_text(errors="replace").splitlines()[seen:]
        if "GET /v2/images?" in line and f"owner={project}" in line
    ]
    assert len(requests) == 1, requests
    assert "marker=" not in requests[0]
    direct = {i.id for i in sdk.image.images(owner=project)}
    assert {i["id"] for i in listed} == direct
    assert {i.id for i in own_images} <= direct
    assert {i["owner"] for i in listed} == {project}
    first = next(i for i in listed if i["id"] == own_images[0].id)
    assert (first["name"], first["architecture"], first["description"]) == (
        own_images[0].name,
        "aarch64",
        "arm build",
    )
    assert first["state"] == "AVAILABLE"
    other = next(i for i in listed if i["id"] == own_images[1].id)
    assert (other["architecture"], other["description"]) == ("x86_64", other["name"])
    by_arch = ok(api.get("/api/images?architecture=aarch64", headers=auth))["images"]
    assert own_images[0].id in {i["id"] for i in by_arch}
    assert own_images[1].id not in {i["id"] for i in by_arch}


def test_one_image_and_unknown_ids(
    api: FlaskClient, auth: dict[str, str], openstack: OpenStackCloud
) -> None:
    seed = next(
        i for i in openstack.sdk("demo").image.images() if i.name == "cirros-fake"
    )
    shown = ok(api.get(f"/api/images/{seed.id}", headers=auth))["image"]
    assert (shown["id"], shown["name"], shown["owner"]) == (
        seed.id,
        seed.name,
        seed.owner,
    )
    for unknown in ("00000000-0000-0000-0000-000000000000", "no%2Fsuch", "a?b"):
        response = api.get(f"/api/images/{unknown}", headers=auth)
        assert response.status_code == 404, response.get_data(as_text=True)
