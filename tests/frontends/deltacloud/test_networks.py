"""Networks, subnets, network interfaces and instance network bindings on /api."""

from __future__ import annotations

import pytest

from tests.support.helpers import assert_error
from tests.support.helpers import assert_replays
from tests.support.helpers import mock_wire
from tests.support.helpers import parse_xml
from tests.support.transcripts import Exchange
from tests.support.transcripts import WireSession
from tests.support.transcripts import load_transcripts

# -- wire format against the original's recordings ------------------------------

WIRE_SEQS = [*range(106, 118), 152, 153, 154, *range(274, 287)]
_BLOCKS = "a network with subnets reports its subnets' blocks (seed post, issue 4)"
_NIC = "an interface names its real network and its subnet (spec 14.5 #36)"
_PLAIN_400 = "a missing parameter is a 400 error document, not plain text"
WIRE_DEVIATIONS: dict[int, tuple[int, str]] = {
    106: (200, _BLOCKS),
    108: (200, _BLOCKS),
    114: (200, _NIC),
    115: (200, _NIC),
    117: (200, _NIC),
    274: (200, "creating a network works (the original's view crashed)"),
    276: (200, "a created subnet has a type (PRIVATE), not null"),
    279: (400, _PLAIN_400),
    280: (200, "the network parameter names the subnet (spec 14.5 #34)"),
    282: (200, _NIC + "; golden-nic of seq 280 exists too"),
    286: (200, _BLOCKS),
}
#: requests sent after a seq so the recorded flow can go on
AFTER: dict[int, str] = {283: "/api/network_interfaces/golden-nic"}

EXCHANGES = [e for e in load_transcripts("deltacloud") if e.seq in WIRE_SEQS]


@pytest.fixture(scope="module")
def wire(tmp_path_factory: pytest.TempPathFactory) -> WireSession:
    return mock_wire(tmp_path_factory.mktemp("mock"))


def test_wire_exchanges_found() -> None:
    assert len(EXCHANGES) == len(WIRE_SEQS)


@pytest.mark.parametrize("exchange", EXCHANGES, ids=lambda e: e.id)
def test_wire(exchange: Exchange, wire: WireSession) -> None:
    assert_replays(wire, exchange, WIRE_DEVIATIONS)
    if exchange.seq in AFTER:
        headers = {"Authorization": exchange.request["headers"]["Authorization"]}
        assert (
            wire.client.delete(AFTER[exchange.seq], headers=headers).status_code == 204
        )


# -- networks ------------------------------------------------------------------------


def test_network_reports_subnet_blocks_or_its_own(client, json_headers):
    net1 = client.get("/api/networks/net1", headers=json_headers).get_json()["network"]
    assert net1["address_blocks"] == ["192.168.1.0/24", "192.168.2.0/24"]
    assert [s["id"] for s in net1["subnets"]] == ["subnet1", "subnet2"]
    created = client.post(
        "/api/networks",
        data={"name": "lab", "address_block": "172.16.0.0/16"},
        headers=json_headers,
    )
    assert created.status_code == 200
    assert created.get_json()["network"]["address_blocks"] == ["172.16.0.0/16"]
    client.post(
        "/api/subnets",
        data={"network_id": "lab", "address_block": "172.16.5.0/24"},
        headers=json_headers,
    )
    lab = client.get("/api/networks/lab", headers=json_headers).get_json()["network"]
    assert lab["address_blocks"] == ["172.16.5.0/24"]


def test_network_xml_and_html(client, xml, auth):
    root = parse_xml(client.get("/api/networks/net2", headers=xml))
    assert root.tag == "network" and root.findtext("name") == "network2"
    assert [b.text for b in root.iter("address_block")] == [
        "10.1.0.0/16",
        "10.2.0.0/16",
    ]
    assert root.find("actions/link").get("rel") == "destroy"
    page = client.get("/api/networks", headers={**auth, "Accept": "text/html"})
    assert page.status_code == 200 and b"network1" in page.data
    assert (
        client.get(
            "/api/networks/new", headers={**auth, "Accept": "text/html"}
        ).status_code
        == 200
    )


@pytest.mark.parametrize("block", ["10.0.0.0/33", "banana", "10.0.0.1/8"])
def test_malformed_network_block_is_400(client, xml, block):
    response = client.post("/api/networks", data={"address_block": block}, headers=xml)
    assert "Invalid address_block" in assert_error(response, 400)


def test_destroy_network_with_subnets_is_refused(client, xml, json_headers):
    assert_error(client.delete("/api/networks/net1", headers=xml), 409)
    assert_error(client.delete("/api/networks/net1", headers=json_headers), 409, "json")
    assert client.get("/api/networks/net1", headers=xml).status_code == 200
    assert client.get("/api/subnets/subnet1", headers=xml).status_code == 200


def test_destroy_empty_network(client, xml):
    client.post("/api/networks", data={"name": "tmp"}, headers=xml)
    assert client.delete("/api/networks/tmp", headers=xml).status_code == 204
    assert_error(client.get("/api/networks/tmp", headers=xml), 404)
    assert_error(client.delete("/api/networks/tmp", headers=xml), 404)


def test_duplicate_network_name_is_409(client, xml):
    assert_error(client.post("/api/networks", data={"name": "net1"}, headers=xml), 409)


# -- subnets -------------------------------------------------------------------------


def test_subnets_filter_by_network(client, json_headers):
    found = client.get("/api/subnets?network_id=net2", headers=json_headers).get_json()
    assert [s["id"] for s in found["subnets"]] == ["subnet3", "subnet4"]


@pytest.mark.parametrize(
    ("block", "status", "words"),
    [
        ("192.168.300.0/24", 400, "Invalid address_block"),
        ("10.5.0.0/16", 400, "outside network"),
        ("192.168.1.128/25", 409, "overlaps subnet 'subnet1'"),
        ("192.168.0.0/16", 409, "overlaps"),
    ],
)
def test_bad_subnet_blocks(client, xml, mock_storage, block, status, words):
    response = client.post(
        "/api/subnets",
        data={"network_id": "net1", "address_block": block, "name": "bad"},
        headers=xml,
    )
    assert words in assert_error(response, status)
    assert not (mock_storage / "subnets" / "bad.json").exists()
    network = client.get("/api/networks/net1", headers=xml)
    assert "bad" not in {s.get("id") for s in parse_xml(network).iter("subnet")}


def test_subnet_of_missing_network_is_400(client, json_headers):
    response = client.post(
        "/api/subnets",
        data={"network_id": "nosuch", "address_block": "10.0.0.0/24"},
        headers=json_headers,
    )
    assert "nosuch" in assert_error(response, 400, "json")


def test_subnet_create_and_destroy(client, json_headers):
    created = client.post(
        "/api/subnets",
        data={"network_id": "net1", "address_block": "192.168.3.0/24", "name": "s3"},
        headers=json_headers,
    )
    assert created.status_code == 200
    subnet = created.get_json()["subnet"]
    assert (
        subnet["network"]["id"] == "net1"
        and subnet["address_block"] == "192.168.3.0/24"
    )
    assert client.delete("/api/subnets/s3", headers=json_headers).status_code == 204
    net1 = client.get("/api/networks/net1", headers=json_headers).get_json()["network"]
    assert "s3" not in [s["id"] for s in net1["subnets"]]


def test_subnet_in_a_realm(client, xml, json_headers, mock_storage):
    created = client.post(
        "/api/subnets",
        data={
            "network_id": "net1",
            "address_block": "192.168.4.0/24",
            "name": "s4",
            "realm_id": "eu",
        },
        headers=json_headers,
    )
    assert created.status_code == 200
    assert created.get_json()["subnet"]["realm"] == {
        "id": "eu",
        "href": "http://localhost/api/realms/eu",
    }
    assert (
        parse_xml(client.get("/api/subnets/s4", headers=xml)).find("realm").get("id")
        == "eu"
    )
    plain = client.get("/api/subnets/subnet1", headers=json_headers).get_json()
    assert "realm" not in plain["subnet"]
    assert (
        parse_xml(client.get("/api/subnets/subnet1", headers=xml)).find("realm") is None
    )
    unknown = client.post(
        "/api/subnets",
        data={
            "network_id": "net1",
            "address_block": "192.168.5.0/24",
            "name": "s5",
            "realm_id": "mars",
        },
        headers=xml,
    )
    assert "Realm 'mars' does not exist" in assert_error(unknown, 400)
    assert not (mock_storage / "subnets" / "s5.json").exists()


# -- network bindings ------------------------------------------------------------------


def _launch(client, headers, **params):
    return client.post(
        "/api/instances", data={"image_id": "img1", **params}, headers=headers
    )


def test_instance_placed_in_subnet(client, xml, json_headers):
    response = _launch(client, xml, network_id="net2", subnet_id="subnet3")
    assert response.status_code == 201
    binding = parse_xml(response).find("network_bindings/network_binding")
    assert binding.find("network").get("id") == "net2"
    assert binding.find("subnet").get("id") == "subnet3"
    assert binding.findtext("ip_address") == "10.1.0.2"
    instance_id = parse_xml(response).get("id")
    shown = client.get(f"/api/instances/{instance_id}", headers=json_headers).get_json()
    assert shown["instance"]["network_bindings"] == [
        {
            "network": {"id": "net2", "href": "http://localhost/api/networks/net2"},
            "subnet": {"id": "subnet3", "href": "http://localhost/api/subnets/subnet3"},
            "ip_address": "10.1.0.2",
        }
    ]


def test_subnet_alone_deduces_network_and_ips_are_unique(client, json_headers):
    response = _launch(client, json_headers, subnet_id="subnet1", instance_count="3")
    assert response.status_code == 201
    bindings = [i["network_bindings"][0] for i in response.get_json()["instances"]]
    assert {b["network"]["id"] for b in bindings} == {"net1"}
    ips = [b["ip_address"] for b in bindings]
    # .1 is the gateway and .2 belongs to the seeded nic1
    assert ips == ["192.168.1.3", "192.168.1.4", "192.168.1.5"]


def test_destroying_instance_frees_its_ip(client, json_headers):
    first = _launch(client, json_headers, subnet_id="subnet4").get_json()["instance"]
    ip = first["network_bindings"][0]["ip_address"]
    client.post(f"/api/instances/{first['id']}/stop", headers=json_headers)
    assert (
        client.delete(f"/api/instances/{first['id']}", headers=json_headers).status_code
        == 204
    )
    again = _launch(client, json_headers, subnet_id="subnet4").get_json()["instance"]
    assert again["network_bindings"][0]["ip_address"] == ip


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"subnet_id": "nosuch"}, "Subnet 'nosuch' does not exist"),
        ({"network_id": "net2", "subnet_id": "subnet1"}, "does not belong"),
        ({"network_id": "net1"}, "subnet_id is required"),
        ({"network_id": "nosuch"}, "Network 'nosuch' does not exist"),
    ],
)
def test_bad_placement_is_400_and_creates_nothing(client, xml, params, words):
    before = len(parse_xml(client.get("/api/instances", headers=xml)))
    assert words in assert_error(_launch(client, xml, **params), 400)
    assert len(parse_xml(client.get("/api/instances", headers=xml))) == before


def test_full_subnet_is_409_and_creates_nothing(client, xml, json_headers):
    client.post(
        "/api/networks",
        data={"name": "tiny", "address_block": "10.9.0.0/29"},
        headers=xml,
    )
    client.post(
        "/api/subnets",
        data={"network_id": "tiny", "address_block": "10.9.0.0/30", "name": "t0"},
        headers=xml,
    )
    before = len(parse_xml(client.get("/api/instances", headers=xml)))
    response = _launch(client, json_headers, subnet_id="t0", instance_count="2")
    assert "no free address" in assert_error(response, 409, "json")
    assert len(parse_xml(client.get("/api/instances", headers=xml))) == before


def test_subnet_with_bound_instance_cannot_be_destroyed(client, xml):
    instance_id = parse_xml(_launch(client, xml, subnet_id="subnet3")).get("id")
    assert instance_id in assert_error(
        client.delete("/api/subnets/subnet3", headers=xml), 409
    )
    assert client.get("/api/subnets/subnet3", headers=xml).status_code == 200


def test_entry_point_advertises_network_placement(client):
    root = parse_xml(client.get("/api"))
    feature = root.find("link[@rel='instances']/feature[@name='network_placement']")
    assert feature.get("rel") == "create"
    assert [p.get("name") for p in feature.findall("param")] == [
        "network_id",
        "subnet_id",
    ]
    rels = {link.get("rel") for link in root.findall("link")}
    assert {"networks", "subnets", "network_interfaces", "addresses"} <= rels


# -- network interfaces ----------------------------------------------------------------


def test_interface_create_show_destroy(client, xml, json_headers):
    response = client.post(
        "/api/network_interfaces",
        data={"instance": "inst0", "network": "subnet2", "name": "eth1"},
        headers=xml,
    )
    assert response.status_code == 200
    root = parse_xml(response)
    assert root.find("network").get("id") == "subnet2"
    ip = root.findtext("ip_address")
    assert ip not in {"192.168.2.1", "192.168.2.189"}
    shown = client.get("/api/network_interfaces/eth1", headers=json_headers).get_json()
    assert shown["network_interface"]["network"]["id"] == "net1"
    assert shown["network_interface"]["subnet"]["id"] == "subnet2"
    inst0 = parse_xml(client.get("/api/instances/inst0", headers=xml))
    assert "eth1" in {n.get("id") for n in inst0.iter("network_interface")}
    assert_error(client.delete("/api/subnets/subnet2", headers=xml), 409)
    assert client.delete("/api/network_interfaces/eth1", headers=xml).status_code == 204
    inst0 = parse_xml(client.get("/api/instances/inst0", headers=xml))
    assert "eth1" not in {n.get("id") for n in inst0.iter("network_interface")}


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"instance": "nosuch", "network": "subnet1"}, 400),
        ({"instance": "inst0", "network": "nosuch"}, 400),
        ({"instance": "inst0", "network": "net1"}, 400),
        ({"instance": "inst0"}, 400),
    ],
)
def test_bad_interface_requests(client, xml, data, status):
    assert_error(client.post("/api/network_interfaces", data=data, headers=xml), status)
    listed = parse_xml(client.get("/api/network_interfaces", headers=xml))
    assert {n.get("id") for n in listed} == {"nic1", "nicinst3"}


def test_hostile_ids_are_rejected(client, xml):
    assert_error(client.get("/api/networks/..%2F..%2Fetc", headers=xml), 404)
    response = client.post("/api/networks", data={"name": "../evil"}, headers=xml)
    assert_error(response, 400)
