"""Bad input to the CIMI create operations: malformed bodies, wrong resourceURIs
and missing references answer 400/404 in the requested format, and nothing is
created."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.support.cimi import BASE
from tests.support.cimi import count
from tests.support.helpers import assert_error

#: collection -> the resource type its create request names
CREATES = {
    "networks": "NetworkCreate",
    "network_configurations": "NetworkConfigurationCreate",
    "network_templates": "NetworkTemplateCreate",
    "network_ports": "NetworkPortCreate",
    "network_port_templates": "NetworkPortTemplateCreate",
    "network_port_configurations": "NetworkPortConfigurationCreate",
    "addresses": "AddressCreate",
    "address_templates": "AddressTemplateCreate",
    "forwarding_group_templates": "ForwardingGroupTemplateCreate",
    "systems": "SystemCreate",
    "system_templates": "SystemTemplateCreate",
    "machines": "MachineCreate",
    "volumes": "VolumeCreate",
}
MALFORMED = [
    (b"<NetworkCreate><name>x</NetworkCreate>", "application/xml"),
    (b'<!DOCTYPE x [<!ENTITY e "e">]><x>&e;</x>', "application/xml"),
    (b'{"name": "x",', "application/json"),
    (b'["name"]', "application/json"),
]


def _count(cimi: FlaskClient, path: str, headers: dict[str, str]) -> int:
    return int(count(cimi, f"{path}?format=json", headers))


@pytest.mark.parametrize("collection", sorted(CREATES))
def test_malformed_and_mistyped_bodies(
    cimi: FlaskClient,
    xml: dict[str, str],
    json_headers: dict[str, str],
    collection: str,
) -> None:
    path = f"/cimi/{collection}"
    before = count(cimi, path, xml)
    for headers, fmt in ((xml, "xml"), (json_headers, "json")):
        for body, media in MALFORMED:
            response = cimi.post(path, data=body, headers=headers, content_type=media)
            assert_error(response, 400, fmt)
        wrong = {"resourceURI": "http://schemas.dmtf.org/cimi/1/Nonsense", "name": "x"}
        message = assert_error(cimi.post(path, json=wrong, headers=headers), 400, fmt)
        assert CREATES[collection] in message
        response = cimi.post(
            path, data=b"x", headers=headers, content_type="text/plain"
        )
        assert_error(response, 415, fmt)
    assert count(cimi, path, xml) == before


@pytest.mark.parametrize(
    ("collection", "body"),
    [
        ("networks", {"networkTemplate": {"href": f"{BASE}/network_templates/9"}}),
        (
            "network_ports",
            {"networkPortTemplate": {"href": f"{BASE}/network_port_templates/9"}},
        ),
        (
            "network_ports",
            {
                "networkPortTemplate": {
                    "network": {"href": f"{BASE}/networks/subnet1"},
                    "networkPortConfig": {
                        "href": f"{BASE}/network_port_configurations/9"
                    },
                }
            },
        ),
        ("addresses", {"addressTemplate": {"href": f"{BASE}/address_templates/9"}}),
        ("systems", {"systemTemplate": {"href": f"{BASE}/system_templates/9"}}),
        (
            "network_templates",
            {"networkConfig": {"href": f"{BASE}/network_configurations/9"}},
        ),
        (
            "network_templates",
            {
                "networkConfig": {
                    "href": f"{BASE}/network_configurations/network_config1"
                },
                "forwardingGroup": {"href": f"{BASE}/forwarding_groups/9"},
            },
        ),
    ],
)
def test_missing_references_are_404_and_create_nothing(
    cimi: FlaskClient,
    xml: dict[str, str],
    json_headers: dict[str, str],
    collection: str,
    body: dict[str, object],
) -> None:
    path = f"/cimi/{collection}"
    before = count(cimi, path, xml)
    groups = count(cimi, "/cimi/forwarding_groups", xml)
    assert "not found" in assert_error(
        cimi.post(path, json=body, headers=json_headers), 404, "json"
    )
    assert_error(cimi.post(path, json=body, headers=xml), 404)
    assert count(cimi, path, xml) == before
    assert count(cimi, "/cimi/forwarding_groups", xml) == groups


def test_required_attributes_are_named(
    cimi: FlaskClient, json_headers: dict[str, str]
) -> None:
    for collection, required in (
        ("networks", "networkTemplate"),
        ("network_ports", "networkPortTemplate"),
        ("addresses", "addressTemplate"),
        ("systems", "systemTemplate"),
        ("network_templates", "networkConfig"),
        ("forwarding_group_templates", "networks"),
    ):
        response = cimi.post(f"/cimi/{collection}", json={}, headers=json_headers)
        message = assert_error(response, 400, "json")
        assert message == f"Required attributes not set: {required}"


def test_inline_values_are_validated(
    cimi: FlaskClient, json_headers: dict[str, str]
) -> None:
    body = {
        "networkTemplate": {
            "networkConfig": {"mtu": "large"},
            "forwardingGroup": {"href": f"{BASE}/forwarding_groups/net1"},
        }
    }
    message = assert_error(
        cimi.post("/cimi/networks", json=body, headers=json_headers), 400, "json"
    )
    assert "networkTemplate" in message
    assert count(cimi, "/cimi/networks", json_headers) == 4
