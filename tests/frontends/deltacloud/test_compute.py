"""Compute collections of the classic API over the mock: the original's shapes."""

from __future__ import annotations

import base64
import json

import pytest

from deltaflask import create_app
from tests.support.helpers import assert_error
from tests.support.helpers import parse_xml


def test_realms(client, xml, json_headers):
    root = parse_xml(client.get("/api/realms", headers=xml))
    assert [r.get("id") for r in root.findall("realm")] == ["us", "eu"]
    assert root.find("realm/name").text == "United States"
    data = client.get("/api/realms/eu", headers=json_headers).get_json()
    assert data["realm"] == {
        "id": "eu",
        "href": "http://localhost/api/realms/eu",
        "name": "Europe",
        "state": "AVAILABLE",
        "limit": "unlimited",
    }
    assert_error(client.get("/api/realms/nosuch", headers=xml), 404)


@pytest.mark.parametrize(
    ("realm", "status"), [("500", 500), ("501", 501), ("502", 502), ("504", 504)]
)
def test_mock_error_triggers(client, xml, json_headers, realm, status):
    assert_error(client.get(f"/api/realms/{realm}", headers=xml), status)
    body = client.get(f"/api/realms/{realm}", headers=json_headers).get_json()
    assert body["code"] == status
    assert body["error"].startswith("Deltacloud::Exceptions::")


def test_hardware_profiles_need_no_auth(client):
    root = parse_xml(client.get("/api/hardware_profiles"))
    ids = [p.get("id") for p in root.findall("hardware_profile")]
    assert ids == ["m1-small", "m1-large", "m1-xlarge", "opaque"]
    large = root.find("hardware_profile[@id='m1-large']")
    cpu = large.find("property[@name='cpu']")
    assert cpu.get("kind") == "range" and cpu.get("unit") == "count"
    assert cpu.find("range").attrib == {"first": "1", "last": "6"}
    assert cpu.find("param").get("name") == "hwp_cpu"
    storage = large.find("property[@name='storage']")
    assert [e.get("value") for e in storage.findall("enum/entry")] == ["850", "1024"]
    assert large.findtext("id") == "m1-large"


def test_hardware_profile_json_and_architecture_filter(client):
    data = client.get("/api/hardware_profiles/m1-small?format=json").get_json()
    assert data["hardware_profile"]["properties"] == {
        "cpu": "1",
        "memory": "1740.8",
        "storage": "160",
        "architecture": "i386",
    }
    opaque = client.get("/api/hardware_profiles/opaque?format=json").get_json()
    assert "properties" not in opaque["hardware_profile"]
    x86 = client.get("/api/hardware_profiles?architecture=x86_64&format=json")
    assert [p["id"] for p in x86.get_json()["hardware_profiles"]] == [
        "m1-large",
        "m1-xlarge",
    ]


def test_images_and_filters(client, xml, json_headers):
    root = parse_xml(client.get("/api/images", headers=xml))
    assert [i.get("id") for i in root.findall("image")] == ["img1", "img2", "img3"]
    img1 = root.find("image[@id='img1']")
    for tag in ("state", "owner_id", "architecture", "description"):
        assert img1.find(tag) is not None
    profiles = img1.findall("hardware_profiles/hardware_profile")
    assert profiles and all(p.get("rel") == "hardware_profile" for p in profiles)
    rels = {a.get("rel") for a in img1.findall("actions/link")}
    assert rels == {"create_instance"}
    img3 = root.find("image[@id='img3']")
    rels = {a.get("rel") for a in img3.findall("actions/link")}
    assert rels == {"create_instance", "destroy_image"}
    mine = client.get("/api/images?owner_id=mockuser", headers=json_headers)
    assert [i["id"] for i in mine.get_json()["images"]] == ["img3"]
    own = client.get("/api/images?owner_id=self", headers=json_headers)
    assert [i["id"] for i in own.get_json()["images"]] == ["img3"]
    i386 = client.get("/api/images?architecture=i386", headers=json_headers)
    assert [i["id"] for i in i386.get_json()["images"]] == ["img2", "img3"]
    img = client.get("/api/images/img1", headers=json_headers).get_json()["image"]
    assert img["owner"] == "fedoraproject"


def test_instances_list_show_and_filters(client, xml, json_headers):
    root = parse_xml(client.get("/api/instances", headers=xml))
    assert [i.get("id") for i in root.findall("instance")] == [
        "inst0",
        "inst1",
        "inst2",
        "inst3",
    ]
    inst0 = parse_xml(client.get("/api/instances/inst0", headers=xml))
    assert inst0.findtext("name") == "Mock Instance With Profile Change"
    assert inst0.find("image").get("id") == "img1"
    memory = inst0.find("hardware_profile/property")
    assert (memory.get("name"), memory.get("value")) == ("memory", "12288")
    assert inst0.find("storage_volumes") is not None
    assert [a.get("rel") for a in inst0.findall("actions/link")] == [
        "reboot",
        "stop",
        "run",
        "create_image",
    ]
    assert inst0.find("public_addresses/address").get("type") == "hostname"
    eu = client.get("/api/instances?realm_id=eu", headers=json_headers).get_json()
    assert [i["id"] for i in eu["instances"]] == ["inst3"]
    stopped = client.get("/api/instances?state=STOPPED", headers=json_headers)
    assert stopped.get_json()["instances"] == []
    inst3 = client.get("/api/instances/inst3", headers=json_headers).get_json()
    assert "create_image" not in {a["rel"] for a in inst3["instance"]["actions"]}


def test_instances_need_credentials(client):
    response = client.get("/api/instances")
    assert_error(response, 401)
    assert response.headers["WWW-Authenticate"] == 'Basic realm="mock-deltacloud@"'
    wrong = client.get(
        "/api/instances",
        headers={"Authorization": "Basic " + base64.b64encode(b"mockuser:x").decode()},
    )
    assert_error(wrong, 401)
    assert "WWW-Authenticate" not in wrong.headers


def test_instance_life_cycle(client, xml, json_headers):
    created = client.post(
        "/api/instances",
        data={
            "image_id": "img1",
            "hwp_id": "m1-large",
            "hwp_cpu": "2",
            "realm_id": "eu",
            "name": "web",
            "keyname": "test-key",
            "user_data": base64.b64encode(b"#!/bin/sh\necho hi").decode(),
        },
        headers=xml,
    )
    assert created.status_code == 201
    assert created.headers["Location"] == "http://localhost/api/instances/inst4"
    root = parse_xml(created)
    assert root.findtext("name") == "web"
    assert root.findtext("authentication/login/keyname") == "test-key"
    shown = client.get("/api/instances/inst4", headers=json_headers).get_json()
    instance = shown["instance"]
    assert (instance["image"]["id"], instance["realm"]["id"]) == ("img1", "eu")
    assert instance["hardware_profile"]["properties"] == {"cpu": "2"}
    assert client.post("/api/instances/inst4/start", headers=xml).status_code == 405
    assert client.delete("/api/instances/inst4", headers=xml).status_code == 405
    stopped = client.post("/api/instances/inst4/stop", headers=xml)
    assert stopped.status_code == 202
    assert parse_xml(stopped).findtext("state") == "STOPPED"
    assert client.post("/api/instances/inst4/reboot", headers=xml).status_code == 405
    started = client.post("/api/instances/inst4/start", headers=json_headers)
    assert started.get_json()["state"] == "RUNNING"
    assert client.post("/api/instances/inst4/reboot", headers=xml).status_code == 202
    client.post("/api/instances/inst4/stop", headers=xml)
    destroyed = client.delete("/api/instances/inst4", headers=xml)
    assert destroyed.status_code == 204 and destroyed.get_data() == b""
    assert_error(client.get("/api/instances/inst4", headers=xml), 404)
    assert_error(client.post("/api/instances/inst4/stop", headers=xml), 404)


def test_instance_count(client, json_headers):
    response = client.post(
        "/api/instances",
        data={"image_id": "img1", "instance_count": "3"},
        headers=json_headers,
    )
    assert response.status_code == 201
    assert "Location" not in response.headers
    assert len(response.get_json()["instances"]) == 3


@pytest.mark.parametrize(
    ("form", "fragment"),
    [
        ({"hwp_id": "m1-small"}, "Required parameter 'image_id'"),
        ({"image_id": "img1", "hwp_id": "nosuch"}, "Hardware profile 'nosuch'"),
        ({"image_id": "nosuch"}, "Image 'nosuch'"),
        ({"image_id": "img1", "realm_id": "mars"}, "Realm 'mars'"),
        ({"image_id": "img1", "hwp_id": "m1-large", "hwp_cpu": "99"}, "hwp_cpu=99"),
        ({"image_id": "img1", "hwp_id": "m1-large", "hwp_storage": "5"}, "hwp_storage"),
        ({"image_id": "img1", "keyname": "nosuch"}, "Key 'nosuch'"),
        ({"image_id": "img1", "instance_count": "many"}, "instance_count"),
        ({"image_id": "img1", "instance_count": "0"}, "instance_count"),
        ({"image_id": "img1", "user_data": "not base64!"}, "base64"),
    ],
)
def test_bad_instance_create_changes_nothing(client, xml, form, fragment):
    before = client.get("/api/instances?format=json", headers=xml).get_data()
    message = assert_error(client.post("/api/instances", data=form, headers=xml), 400)
    assert fragment in message
    assert client.get("/api/instances?format=json", headers=xml).get_data() == before


def test_run_on_instance(client, xml, json_headers):
    response = client.post(
        "/api/instances/inst1/run", data={"cmd": "uptime"}, headers=xml
    )
    assert response.status_code == 200
    root = parse_xml(response)
    assert root.findtext("command") == "uptime"
    assert root.findtext("public_address") == "img1.inst1.public.com"
    assert "uptime" in root.findtext("output")
    body = client.post(
        "/api/instances/inst1/run", data={"cmd": "ls"}, headers=json_headers
    ).get_json()
    assert body["instance"]["command"] == "ls"
    assert_error(client.post("/api/instances/inst1/run", headers=xml), 400)


def test_create_and_destroy_image(client, xml):
    created = client.post(
        "/api/images;instance_id=inst0",
        data={"name": "golden", "description": "made from inst0"},
        headers=xml,
    )
    assert created.status_code == 201
    assert created.headers["Location"].endswith("/api/images/golden")
    assert parse_xml(created).findtext("description") == "made from inst0"
    assert client.delete("/api/images/golden", headers=xml).status_code == 204
    assert_error(client.delete("/api/images/golden", headers=xml), 404)
    assert_error(
        client.post("/api/images", data={"instance_id": "nosuch"}, headers=xml), 404
    )
    assert_error(client.post("/api/images", headers=xml), 400)
    assert_error(
        client.post("/api/images", data={"instance_id": "inst3"}, headers=xml), 409
    )


def test_only_the_owner_destroys_an_image(client, xml, json_headers, auth):
    """19.S7: another owner's image is refused with 403 and stays; its XML and
    HTML pages offer no destroy action; the owner's image offers and allows it."""
    assert "not owned" in assert_error(
        client.delete("/api/images/img1", headers=xml), 403
    )
    refused = client.delete("/api/images/img1", headers=json_headers)
    assert_error(refused, 403, "json")
    shown = parse_xml(client.get("/api/images/img1", headers=xml))
    assert [a.get("rel") for a in shown.findall("actions/link")] == ["create_instance"]
    html = {**auth, "Accept": "text/html"}
    page = client.get("/api/images/img1", headers=html).get_data(as_text=True)
    assert "/api/images/img1?_method=DELETE" not in page
    own = client.get("/api/images/img3", headers=html).get_data(as_text=True)
    assert "/api/images/img3?_method=DELETE" in own
    mine = parse_xml(client.get("/api/images/img3", headers=xml))
    assert "destroy_image" in [a.get("rel") for a in mine.findall("actions/link")]
    assert client.delete("/api/images/img3", headers=xml).status_code == 204


def test_instance_states(client):
    root = parse_xml(client.get("/api/instance_states"))
    assert root.tag == "states"
    assert [s.get("name") for s in root.findall("state")] == [
        "start",
        "pending",
        "running",
        "stopped",
        "finish",
    ]
    data = client.get("/api/instance_states?format=json").get_json()
    assert data[1] == {
        "name": "pending",
        "transitions": [{"to": "running", "auto": "true"}],
    }
    graph = client.get("/api/instance_states?format=gv")
    assert graph.content_type == "application/ghostscript"
    assert b"running -> stopped" in graph.get_data()


def test_keys(client, xml, json_headers):
    created = client.post("/api/keys", data={"name": "deploy"}, headers=xml)
    assert created.status_code == 201
    assert created.headers["Location"].endswith("/api/keys/deploy")
    root = parse_xml(created)
    assert root.get("id") == "deploy" and root.findtext("pem").strip()
    duplicate = client.post("/api/keys", data={"name": "deploy"}, headers=json_headers)
    assert_error(duplicate, 403, "json")
    listed = client.get("/api/keys", headers=json_headers).get_json()["keys"]
    assert {k["id"] for k in listed} == {"deploy", "test-key"}
    assert client.delete("/api/keys/deploy", headers=xml).status_code == 204
    assert_error(client.delete("/api/keys/deploy", headers=xml), 404)
    assert_error(client.post("/api/keys", headers=xml), 400)


@pytest.mark.parametrize("name", ["../etc", "a/b", "x" * 200, ".hidden", "a b"])
def test_hostile_ids_are_refused(client, xml, name):
    assert_error(client.post("/api/keys", data={"name": name}, headers=xml), 400)


@pytest.mark.parametrize(
    "path", ["/api/instances/..%2F..%2Fetc", "/api/keys/..", "/api/images/%00"]
)
def test_hostile_ids_in_paths_are_not_found(client, xml, path):
    response = client.get(path, headers=xml)
    assert response.status_code in (400, 404)
    assert b"Traceback" not in response.get_data()
    assert parse_xml(response).tag == "error"


def test_metrics(client, xml, json_headers):
    root = parse_xml(client.get("/api/metrics", headers=xml))
    assert [m.get("id") for m in root.findall("metric")][:2] == ["inst0", "inst1"]
    shown = client.get("/api/metrics/inst2", headers=json_headers).get_json()["metric"]
    assert shown["id"] == "inst2" and shown["entity"] == "AnotherInstance"
    cpu = shown["properties"][0]
    assert cpu["name"] == "cpuUtilization" and len(cpu["values"]) == 6
    assert cpu["values"][0]["unit"] == "Percent"
    assert_error(client.get("/api/metrics/nosuch", headers=xml), 404)


def test_unknown_routes_and_methods(client, xml, json_headers):
    assert_error(client.get("/api/nosuch", headers=xml), 404)
    assert_error(client.delete("/api/realms/us", headers=xml), 405)
    assert_error(client.post("/api/instances/inst0/nosuchaction", headers=xml), 404)
    response = client.get("/api/firewalls", headers=json_headers)
    if response.status_code == 412:
        assert response.headers["Expect"] == "firewalls"
    else:
        assert response.status_code in (200, 404)


def test_json_errors_do_not_leak_the_request(client, json_headers):
    response = client.post(
        "/api/instances",
        data={"password": "s3cret", "hwp_id": "x"},
        headers=json_headers,
    )
    body = json.dumps(response.get_json())
    assert "s3cret" not in body
    assert set(response.get_json()) == {"code", "message", "error"}


def test_cross_site_form_post_is_refused(client, xml):
    response = client.post(
        "/api/keys",
        data={"name": "evil"},
        headers={**xml, "Origin": "http://evil.example"},
    )
    assert_error(response, 403)
    assert client.get("/api/keys/evil", headers=xml).status_code == 404


def test_html_pages_render(client, auth):
    html = {**auth, "Accept": "text/html"}
    for path in (
        "/api",
        "/api/realms",
        "/api/hardware_profiles",
        "/api/images",
        "/api/images/img1",
        "/api/instances",
        "/api/instances/inst0",
        "/api/instances/new?image_id=img1",
        "/api/instances/inst0/run",
        "/api/images/new?instance_id=inst0",
        "/api/keys",
        "/api/keys/new",
        "/api/instance_states",
        "/api/metrics/inst0",
        "/api/drivers",
        "/api/drivers/mock",
    ):
        response = client.get(path, headers=html)
        assert response.status_code == 200, path
        assert response.content_type == "text/html", path


def test_html_form_flow(client, auth):
    html = {**auth, "Accept": "text/html"}
    created = client.post("/api/instances", data={"image_id": "img2"}, headers=html)
    assert created.status_code == 303
    location = created.headers["Location"]
    assert client.post(f"{location}/stop", headers=html).status_code == 303
    destroyed = client.post(f"{location}?_method=DELETE", headers=html)
    assert destroyed.status_code == 303
    assert client.get(location, headers=html).status_code == 404
    assert b"<h2>404</h2>" in client.get(location, headers=html).get_data()


def test_cimi_and_ec2_refuse_another_owners_image(mock_storage, auth):
    """19.S7 through CIMI: no delete operation on img1, and its DELETE is 403
    (EC2: tests/test_ec2_frontend.py::test_deregister_another_owners_image_is_refused)."""
    app = create_app(
        {
            "TESTING": True,
            "MOCK_STORAGE": str(mock_storage),
            "FRONTENDS": "deltacloud,cimi",
        }
    )
    client = app.test_client()
    cimi = {**auth, "Accept": "application/json"}
    image = client.get("/cimi/machine_images/img1", headers=cimi).get_json()
    assert "delete" not in {op["rel"] for op in image.get("operations", [])}
    own = client.get("/cimi/machine_images/img3", headers=cimi).get_json()
    assert "delete" in {op["rel"] for op in own["operations"]}
    refused = client.delete("/cimi/machine_images/img1", headers=cimi)
    assert refused.status_code == 403, refused.get_data(as_text=True)
    assert client.get("/cimi/machine_images/img1", headers=cimi).status_code == 200
