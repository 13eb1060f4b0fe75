"""CIMI machines, configurations, images, templates and credentials."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.support.cimi import ACTION
from tests.support.cimi import BASE
from tests.support.cimi import NS
from tests.support.cimi import count
from tests.support.cimi import post_json
from tests.support.cimi import post_xml
from tests.support.helpers import assert_error
from tests.support.helpers import parse_xml


def _state(client: FlaskClient, machine_id: str, headers: dict[str, str]) -> str:
    return client.get(
        f"/cimi/machines/{machine_id}?format=json", headers=headers
    ).get_json()["state"]


def test_machine_show_in_both_formats(
    cimi: FlaskClient, xml: dict[str, str], json_headers: dict[str, str]
) -> None:
    root = parse_xml(cimi.get("/cimi/machines/inst0", headers=xml))
    assert root.findtext(f"{NS}memory") == "12582912"
    rels = [op.get("rel") for op in root.findall(f"{NS}operation")]
    assert rels == [ACTION + "restart", ACTION + "stop", ACTION + "capture", "edit"]
    data = cimi.get("/cimi/machines/inst1", headers=json_headers).get_json()
    assert (
        data["cpu"] == "1" and data["memory"] == 1782579 and data["state"] == "STARTED"
    )


def test_create_by_value_xml_then_actions_and_delete(
    cimi: FlaskClient, xml: dict[str, str]
) -> None:
    body = f"""<MachineCreate xmlns="http://schemas.dmtf.org/cimi/1">
      <name>xml-machine</name><description>by value</description>
      <property key="owner">me</property>
      <machineTemplate>
        <machineConfig href="{BASE}/machine_configurations/m1-small"/>
        <machineImage href="http://example.com/images/img1"/>
      </machineTemplate></MachineCreate>"""
    response = post_xml(cimi, "/cimi/machines", body, xml)
    assert response.status_code == 201
    root = parse_xml(response)
    assert response.headers["Location"] == root.findtext(f"{NS}id")
    assert root.findtext(f"{NS}description") == "by value"
    assert root.find(f"{NS}property").text == "me"
    machine_id = response.headers["Location"].rsplit("/", 1)[-1]
    stop = f'<Action xmlns="http://schemas.dmtf.org/cimi/1"><action>{ACTION}stop</action></Action>'
    response = post_xml(cimi, f"/cimi/machines/{machine_id}/stop", stop, xml)
    assert response.status_code == 202 and response.get_data() == b""
    assert _state(cimi, machine_id, xml) == "STOPPED"
    assert_error(post_xml(cimi, f"/cimi/machines/{machine_id}/stop", stop, xml), 409)
    assert_error(post_xml(cimi, f"/cimi/machines/{machine_id}/start", stop, xml), 400)
    assert cimi.delete(f"/cimi/machines/{machine_id}", headers=xml).status_code == 200
    assert_error(cimi.get(f"/cimi/machines/{machine_id}", headers=xml), 404)


def test_create_by_value_json_with_config_by_value(
    cimi: FlaskClient, json_headers: dict[str, str]
) -> None:
    body = {
        "name": "json-machine",
        "realm": "eu",
        "machineTemplate": {
            "machineConfig": {"cpu": 2, "memory": 8192 * 1024},
            "machineImage": {"imageLocation": {"href": f"{BASE}/machine_images/img2"}},
            "credential": {"href": f"{BASE}/credentials/test-key"},
            "initialState": "STOPPED",
        },
    }
    response = post_json(cimi, "/cimi/machines", body, json_headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    data = response.get_json()
    assert data["id"] == response.headers["Location"]
    assert (data["cpu"], data["memory"], data["realm"], data["state"]) == (
        "2",
        8192 * 1024,
        "eu",
        "STOPPED",
    )
    restart = {"action": ACTION + "start"}
    response = post_json(
        cimi,
        f"{data['id'].removeprefix('http://localhost')}/start",
        restart,
        json_headers,
    )
    assert response.status_code == 202
    assert _state(cimi, data["id"].rsplit("/", 1)[-1], json_headers) == "STARTED"


def test_create_from_template_reference(
    cimi: FlaskClient, xml: dict[str, str], json_headers: dict[str, str]
) -> None:
    body = f"""<MachineTemplateCreate xmlns="http://schemas.dmtf.org/cimi/1"><name>t</name>
      <machineConfig href="{BASE}/machine_configurations/m1-xlarge"/>
      <machineImage href="{BASE}/machine_images/img3"/></MachineTemplateCreate>"""
    response = post_xml(cimi, "/cimi/machine_templates", body, xml)
    assert response.status_code == 201
    template = response.headers["Location"]
    listing = cimi.get("/cimi/machine_templates", headers=json_headers).get_json()
    assert listing["count"] == 1 and listing["operations"][0]["rel"] == "add"
    response = post_json(
        cimi,
        "/cimi/machines",
        {"name": "ref", "machineTemplate": {"href": template}},
        json_headers,
    )
    assert response.status_code == 201
    assert response.get_json()["cpu"] == "4"
    path = template.removeprefix("http://localhost")
    assert cimi.delete(path, headers=xml).status_code == 200
    response = post_json(
        cimi, "/cimi/machines", {"machineTemplate": {"href": template}}, json_headers
    )
    assert_error(response, 404, "json")


def test_create_rejects_missing_references(
    cimi: FlaskClient, json_headers: dict[str, str]
) -> None:
    for config, image in (("nosuch", "img1"), ("m1-small", "nosuch")):
        body = {
            "machineTemplate": {
                "machineConfig": {"href": f"{BASE}/machine_configurations/{config}"},
                "machineImage": {"href": f"{BASE}/machine_images/{image}"},
            }
        }
        assert_error(post_json(cimi, "/cimi/machines", body, json_headers), 400, "json")
    assert count(cimi, "/cimi/machines", json_headers) == 4


def test_configurations_images_credentials(
    cimi: FlaskClient, xml: dict[str, str], json_headers: dict[str, str]
) -> None:
    data = cimi.get(
        "/cimi/machine_configurations/m1-small", headers=json_headers
    ).get_json()
    assert data["disks"] == [{"capacity": 167772160, "format": "unknown"}]
    images = cimi.get("/cimi/machine_images", headers=json_headers).get_json()
    assert images["count"] == 3 and images["machineImages"][0]["type"] == "IMAGE"
    root = parse_xml(cimi.get("/cimi/credentials/test-key", headers=xml))
    assert root.findtext(f"{NS}key").startswith("-----BEGIN")


def test_capture_machine_image(cimi: FlaskClient, json_headers: dict[str, str]) -> None:
    body = """<MachineImageCreate><name>captured</name><type>IMAGE</type>
      <imageLocation>http://localhost/cimi/machines/inst0</imageLocation></MachineImageCreate>"""
    response = cimi.post(
        "/cimi/machine_images",
        data=body,
        headers=json_headers,
        content_type="application/xml; charset=utf-8",
    )
    assert response.status_code == 201
    assert response.get_json()["id"] == response.headers["Location"]
    assert (
        cimi.delete("/cimi/machine_images/captured", headers=json_headers).status_code
        == 200
    )


def test_create_and_delete_credential(cimi: FlaskClient, xml: dict[str, str]) -> None:
    body = """<CredentialCreate><name>cred</name><credentialTemplate>
      <username>u</username><password>p</password><key>ssh-rsa AAA u@h</key>
      </credentialTemplate></CredentialCreate>"""
    response = post_xml(cimi, "/cimi/credentials", body, xml)
    assert response.status_code == 201
    assert parse_xml(response).findtext(f"{NS}name") == "cred"
    assert cimi.delete("/cimi/credentials/cred", headers=xml).status_code == 200
