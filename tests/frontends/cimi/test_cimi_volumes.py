"""CIMI volumes, their configurations, templates and images, and MachineVolumes."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.support.cimi import BASE
from tests.support.cimi import NS
from tests.support.cimi import create
from tests.support.cimi import post_json
from tests.support.cimi import post_xml
from tests.support.helpers import assert_error
from tests.support.helpers import parse_xml

GB_IN_KIB = 1024 * 1024


def test_volume_lists_in_both_formats(
    cimi: FlaskClient, xml: dict[str, str], json_headers: dict[str, str]
) -> None:
    data = cimi.get("/cimi/volumes", headers=json_headers).get_json()
    assert data["count"] == len(data["volumes"]) >= 1
    root = parse_xml(cimi.get("/cimi/volumes/vol1", headers=xml))
    assert root.findtext(f"{NS}capacity") == str(GB_IN_KIB)
    images = cimi.get("/cimi/volume_images", headers=json_headers).get_json()
    assert images["volumeImages"][0]["imageLocation"] == {
        "href": f"{BASE}/volumes/vol1"
    }
    assert (
        cimi.get("/cimi/volume_images/snap2", headers=json_headers).get_json()["name"]
        == "snap2"
    )


def test_volume_by_value_and_by_template_reference(
    cimi: FlaskClient, xml: dict[str, str], json_headers: dict[str, str]
) -> None:
    body = """<VolumeCreate><name>v-xml</name><volumeTemplate><volumeConfig>
      <capacity>2097152</capacity></volumeConfig></volumeTemplate></VolumeCreate>"""
    response = post_xml(cimi, "/cimi/volumes", body, xml)
    assert response.status_code == 201
    assert parse_xml(response).findtext(f"{NS}capacity") == str(2 * GB_IN_KIB)
    config = create(
        cimi,
        "/cimi/volume_configurations",
        "<VolumeConfigurationCreate><format>ext3</format><capacity>1048576</capacity>"
        "</VolumeConfigurationCreate>",
        xml,
    )
    template = create(
        cimi,
        "/cimi/volume_templates",
        {
            "name": "vt",
            "volumeConfig": {"href": config},
            "volumeImage": {"href": f"{BASE}/volume_images/snap1"},
        },
        json_headers,
    )
    response = post_json(
        cimi,
        "/cimi/volumes",
        {"name": "v-json", "volumeTemplate": {"href": template}},
        json_headers,
    )
    assert response.status_code == 201
    data = response.get_json()
    assert data["capacity"] == GB_IN_KIB and data["name"] == "v-json"
    delete = data["operations"][0]["href"].removeprefix("http://localhost")
    assert cimi.delete(delete, headers=xml).status_code == 200
    for location in (template, config):
        assert (
            cimi.delete(
                location.removeprefix("http://localhost"), headers=xml
            ).status_code
            == 200
        )


def test_volume_create_validation(cimi: FlaskClient, xml: dict[str, str]) -> None:
    assert_error(
        post_xml(
            cimi, "/cimi/volumes", "<VolumeCreate><name>x</name></VolumeCreate>", xml
        ),
        400,
    )
    body = f'<VolumeCreate><volumeTemplate href="{BASE}/volume_templates/77"/></VolumeCreate>'
    assert_error(post_xml(cimi, "/cimi/volumes", body, xml), 404)


def test_attach_and_detach(
    cimi: FlaskClient, xml: dict[str, str], json_headers: dict[str, str]
) -> None:
    body = f"""<MachineVolume><initialLocation>/dev/sdf</initialLocation>
      <volume href="{BASE}/volumes/vol1"/></MachineVolume>"""
    location = create(cimi, "/cimi/machines/inst0/volume_attach", body, xml)
    assert location == f"{BASE}/machines/inst0/volumes/vol1"
    data = cimi.get("/cimi/machines/inst0/volumes", headers=json_headers).get_json()
    assert (
        data["count"] == 1
        and data["machineVolumes"][0]["initialLocation"] == "/dev/sdf"
    )
    assert data["operations"] == [
        {"rel": "add", "href": f"{BASE}/machines/inst0/volume_attach"}
    ]
    member = cimi.get(
        "/cimi/machines/inst0/volumes/vol1", headers=json_headers
    ).get_json()
    assert "delete" in member["operations"][0]["rel"]
    assert_error(cimi.get("/cimi/machines/inst1/volumes/vol1", headers=xml), 404)
    expanded = cimi.get(
        "/cimi/machines/inst0?$expand=volumes", headers=json_headers
    ).get_json()
    assert expanded["volumes"]["count"] == 1
    response = cimi.delete("/cimi/machines/inst0/volumes/vol1", headers=xml)
    assert response.status_code == 200
    assert parse_xml(response).findtext(f"{NS}count") == "0"


def test_attach_rejects_missing_volume_and_machine(
    cimi: FlaskClient, json_headers: dict[str, str]
) -> None:
    body = {"initialLocation": "/dev/sdf", "volume": {"href": f"{BASE}/volumes/nosuch"}}
    assert_error(
        post_json(cimi, "/cimi/machines/inst0/volume_attach", body, json_headers),
        404,
        "json",
    )
    body["volume"] = {"href": f"{BASE}/volumes/vol2"}
    assert_error(
        post_json(cimi, "/cimi/machines/nosuch/volume_attach", body, json_headers),
        404,
        "json",
    )
    assert_error(
        post_json(
            cimi,
            "/cimi/machines/inst0/volume_attach",
            {"volume": body["volume"]},
            json_headers,
        ),
        400,
        "json",
    )
