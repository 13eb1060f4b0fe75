"""The CloudEntryPoint lists only what the driver can serve: a third-party
driver (registered as an extra plugin) that has compute but no networks, no
storage and no addresses gets no links to those, and their URLs refuse cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from deltaflask import DriverSpec
from deltaflask import create_app
from deltaflask import hookimpl
from deltaflask.drivers import BaseDriver
from deltaflask.plugins.cimi.entry import SPEC_ORDER
from deltaflask.plugins.mock.driver import MockDriver
from tests.support.cimi import BASE
from tests.support.cimi import NS
from tests.support.helpers import assert_error
from tests.support.helpers import parse_xml

#: the contract operations the compute-only driver leaves out
LEFT_OUT = (
    "networks",
    "network",
    "create_network",
    "destroy_network",
    "subnets",
    "subnet",
    "create_subnet",
    "destroy_subnet",
    "network_interfaces",
    "network_interface",
    "create_network_interface",
    "destroy_network_interface",
    "storage_volumes",
    "storage_volume",
    "create_storage_volume",
    "destroy_storage_volume",
    "attach_storage_volume",
    "detach_storage_volume",
    "storage_snapshots",
    "storage_snapshot",
    "create_storage_snapshot",
    "destroy_storage_snapshot",
    "addresses",
    "address",
    "create_address",
    "destroy_address",
)


class ComputeOnly(MockDriver):
    """The mock cloud's compute side only (every operation above is the
    contract's unimplemented default again)."""

    name = "computeonly"


for _operation in LEFT_OUT:
    setattr(ComputeOnly, _operation, getattr(BaseDriver, _operation))


class ComputeOnlyPlugin:
    """Registers :class:`ComputeOnly` as the ``computeonly`` driver."""

    @hookimpl
    def register_drivers(self) -> list[DriverSpec]:
        return [DriverSpec("computeonly", "Compute only", f"{__name__}:ComputeOnly")]


@pytest.fixture
def compute_only(tmp_path: Path) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "MOCK_STORAGE": str(tmp_path / "mock"),
            "FRONTENDS": ["cimi"],
            "DRIVER": "computeonly",
            "EXTRA_PLUGINS": [ComputeOnlyPlugin()],
        }
    )


@pytest.fixture
def client(compute_only: Flask) -> FlaskClient:
    return compute_only.test_client()


#: every CEP collection after the compute families (systems, machines and
#: their templates, configurations, images, credentials)
ABSENT = SPEC_ORDER[SPEC_ORDER.index("volumes") :]


def test_entry_point_leaves_out_what_the_driver_lacks(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    data = client.get("/cimi/cloudEntryPoint?format=json").get_json()
    assert data["driver"] == "computeonly"
    for present in ("machines", "machineConfigs", "machineImages", "credentials"):
        assert data[present]["href"].startswith(f"{BASE}/"), present
    assert len(ABSENT) == 14 and "addresses" in ABSENT
    assert not set(ABSENT) & set(data)
    root = parse_xml(client.get("/cimi/cloudEntryPoint?format=xml"))
    names = {child.tag.removeprefix(NS) for child in root}
    assert "machines" in names and not set(ABSENT) & names
    expanded = client.get(
        "/cimi/cloudEntryPoint?format=json&$expand=*", headers=auth
    ).get_json()
    assert not set(ABSENT) & set(expanded)
    listed = client.get("/cimi/machines?format=json", headers=auth).get_json()
    assert expanded["machines"]["count"] == listed["count"] == 4


def test_metadata_leaves_them_out_too(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    data = client.get("/cimi/resource_metadata?format=json", headers=auth).get_json()
    names = {meta["name"] for meta in data["resourceMetadata"]}
    assert "Machine" in names
    assert not names & {"Volume", "Network", "Address", "ForwardingGroup"}


def test_machines_link_no_volumes_or_interfaces(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    machine = client.get("/cimi/machines/inst0?format=json", headers=auth).get_json()
    assert machine["disks"] == {"href": f"{BASE}/machines/inst0/disks"}
    assert "volumes" not in machine and "networkInterfaces" not in machine
    expanded = client.get(
        "/cimi/machines/inst0?format=json&$expand=*", headers=auth
    ).get_json()
    assert "volumes" not in expanded and "networkInterfaces" not in expanded


@pytest.mark.parametrize(
    "path",
    [
        "/cimi/networks",
        "/cimi/networks/subnet1",
        "/cimi/network_templates",
        "/cimi/network_configurations",
        "/cimi/network_ports",
        "/cimi/vsps",
        "/cimi/vsp_templates/template1",
        "/cimi/forwarding_groups",
        "/cimi/forwarding_group_templates",
        "/cimi/volumes",
        "/cimi/volume_configurations",
        "/cimi/volume_templates",
        "/cimi/volume_images",
        "/cimi/addresses",
        "/cimi/address_templates",
        "/cimi/machines/inst0/volumes",
        "/cimi/machines/inst0/network_interfaces",
    ],
)
def test_urls_of_missing_collections_refuse_cleanly(
    client: FlaskClient, auth: dict[str, str], path: str
) -> None:
    for fmt in ("xml", "json"):
        response = client.get(f"{path}?format={fmt}", headers=auth)
        message = assert_error(response, 412, fmt)
        assert "capability" in message


def test_creates_on_missing_collections_refuse_cleanly(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    attempts = {
        "/cimi/volumes": {"volumeTemplate": {"volumeConfig": {"capacity": 1024}}},
        "/cimi/network_configurations": {"networkType": "PRIVATE"},
        "/cimi/address_templates": {"ip": "10.0.0.1"},
        "/cimi/machines/inst0/volume_attach": {
            "initialLocation": "/dev/sdf",
            "volume": {"href": f"{BASE}/volumes/vol1"},
        },
    }
    for path, body in attempts.items():
        response = client.post(f"{path}?format=json", json=body, headers=auth)
        assert_error(response, 412, "json")
