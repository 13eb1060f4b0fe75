"""Compute and network scenarios every driver must pass through /api, unchanged."""

from __future__ import annotations

import ipaddress
from typing import Any

from flask.testing import FlaskClient

from tests.ec2_driver_support import add_rule

Headers = dict[str, str]


def _json(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def _error(response: Any, status: int) -> str:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert body["code"] == status
    assert "Traceback" not in response.get_data(as_text=True)
    return str(body["message"])


def _first_image(client: FlaskClient, auth: Headers) -> str:
    images = _json(client.get("/api/images", headers=auth))["images"]
    assert images
    return str(images[0]["id"])


def _first_realm(client: FlaskClient, auth: Headers) -> str:
    return str(_json(client.get("/api/realms", headers=auth))["realms"][0]["id"])


def _launch(client: FlaskClient, auth: Headers, **params: str) -> dict[str, Any]:
    params.setdefault("image_id", _first_image(client, auth))
    created = client.post("/api/instances", data=params, headers=auth)
    instance = _json(created, 201)["instance"]
    assert created.headers["Location"].endswith(f"/api/instances/{instance['id']}")
    return instance


def _show(client: FlaskClient, auth: Headers, instance_id: str) -> dict[str, Any]:
    return _json(client.get(f"/api/instances/{instance_id}", headers=auth))["instance"]


def _gone_or_finished(client: FlaskClient, auth: Headers, instance_id: str) -> None:
    response = client.get(f"/api/instances/{instance_id}", headers=auth)
    if response.status_code == 404:
        return
    instance = _json(response)["instance"]
    assert instance["state"] == "FINISH"
    assert instance["actions"] == []


def _destroy(client: FlaskClient, auth: Headers, path: str) -> None:
    """``DELETE path`` answers 204, and ``path`` is gone (404) afterwards."""
    deleted = client.delete(path, headers=auth)
    assert deleted.status_code == 204, deleted.get_data(as_text=True)
    _error(client.get(path, headers=auth), 404)


def _rels(instance: dict[str, Any]) -> set[str]:
    return {action["rel"] for action in instance["actions"]}


# entry point and catalogues --------------------------------------------------------


def test_entry_point_links_answer(
    driver_client: FlaskClient, driver_auth: Headers, driver_name: str
) -> None:
    api = _json(driver_client.get("/api", headers=driver_auth))["api"]
    assert api["driver"] == driver_name
    rels = {link["rel"] for link in api["links"]}
    assert {"realms", "hardware_profiles", "images", "instances", "keys"} <= rels
    assert {"addresses", "firewalls", "networks", "subnets"} <= rels
    for rel in sorted(rels - {"drivers", "images", "metrics"}):
        listed = driver_client.get(f"/api/{rel}", headers=driver_auth)
        assert listed.status_code == 200, (rel, listed.get_data(as_text=True))


def test_realms_list_show_and_unknown(
    driver_client: FlaskClient, driver_auth: Headers
) -> None:
    realms = _json(driver_client.get("/api/realms", headers=driver_auth))["realms"]
    assert realms and all(r["state"] == "AVAILABLE" for r in realms)
    first = realms[0]["id"]
    shown = _json(driver_client.get(f"/api/realms/{first}", headers=driver_auth))
    assert shown["realm"]["id"] == first
    _error(driver_client.get("/api/realms/no-such-realm", headers=driver_auth), 404)


def test_hardware_profiles_list_show_and_unknown(
    driver_client: FlaskClient, driver_auth: Headers
) -> None:
    profiles = _json(driver_client.get("/api/hardware_profiles", headers=driver_auth))
    listed = profiles["hardware_profiles"]
    assert listed
    with_cpu = next(p for p in listed if "cpu" in p.get("properties", {}))
    shown = driver_client.get(
        f"/api/hardware_profiles/{with_cpu['id']}", headers=driver_auth
    )
    assert _json(shown)["hardware_profile"]["id"] == with_cpu["id"]
    missing = driver_client.get("/api/hardware_profiles/no-such", headers=driver_auth)
    _error(missing, 404)


def test_images_list_show_filter_and_unknown(
    driver_client: FlaskClient, driver_auth: Headers
) -> None:
    images = _json(driver_client.get("/api/images", headers=driver_auth))["images"]
    assert images
    image = images[0]
    shown = _json(driver_client.get(f"/api/images/{image['id']}", headers=driver_auth))
    assert shown["image"]["id"] == image["id"]
    arch = image["architecture"]
    same = driver_client.get(f"/api/images?architecture={arch}", headers=driver_auth)
    assert {i["architecture"] for i in _json(same)["images"]} == {arch}
    _error(driver_client.get("/api/images/ami-00000000", headers=driver_auth), 404)


def test_instance_states_start_with_start(
    driver_client: FlaskClient, driver_auth: Headers
) -> None:
    states = _json(driver_client.get("/api/instance_states", headers=driver_auth))
    names = [state["name"] for state in states]
    assert names[0] == "start"
    assert {"running", "stopped", "finish"} <= set(names)


# instances -----------------------------------------------------------------------


def test_instance_lifecycle(driver_client: FlaskClient, driver_auth: Headers) -> None:
    created = _launch(driver_client, driver_auth, name="contract-web")
    instance_id = created["id"]
    assert created["name"] == "contract-web"
    running = _show(driver_client, driver_auth, instance_id)
    assert running["state"] == "RUNNING"
    assert {"stop", "reboot"} <= _rels(running)
    listed = _json(driver_client.get("/api/instances", headers=driver_auth))
    assert instance_id in {i["id"] for i in listed["instances"]}

    stopped = driver_client.post(
        f"/api/instances/{instance_id}/stop", headers=driver_auth
    )
    assert _json(stopped, 202)["state"] == "STOPPED"
    assert "start" in _rels(_show(driver_client, driver_auth, instance_id))
    started = driver_client.post(
        f"/api/instances/{instance_id}/start", headers=driver_auth
    )
    assert _json(started, 202)["state"] == "RUNNING"
    rebooted = driver_client.post(
        f"/api/instances/{instance_id}/reboot", headers=driver_auth
    )
    assert _json(rebooted, 202)["state"] == "RUNNING"
    _error(
        driver_client.post(f"/api/instances/{instance_id}/start", headers=driver_auth),
        405,
    )
    driver_client.post(f"/api/instances/{instance_id}/stop", headers=driver_auth)
    destroyed = driver_client.delete(
        f"/api/instances/{instance_id}", headers=driver_auth
    )
    assert destroyed.status_code == 204
    _gone_or_finished(driver_client, driver_auth, instance_id)


def test_instance_count_and_realm_filter(
    driver_client: FlaskClient, driver_auth: Headers
) -> None:
    realm = _first_realm(driver_client, driver_auth)
    image = _first_image(driver_client, driver_auth)
    asked = {"image_id": image, "realm_id": realm, "instance_count": "2"}
    response = driver_client.post("/api/instances", data=asked, headers=driver_auth)
    launched = _json(response, 201)["instances"]
    assert len(launched) == 2
    in_realm = driver_client.get(
        f"/api/instances?realm_id={realm}", headers=driver_auth
    )
    ids = {i["id"] for i in _json(in_realm)["instances"]}
    assert {i["id"] for i in launched} <= ids


def test_instance_bad_input(driver_client: FlaskClient, driver_auth: Headers) -> None:
    _error(driver_client.get("/api/instances/i-0000000000", headers=driver_auth), 404)
    _error(
        driver_client.post("/api/instances/i-0000000000/stop", headers=driver_auth),
        404,
    )
    _error(driver_client.post("/api/instances", data={}, headers=driver_auth), 400)
    image_id = _first_image(driver_client, driver_auth)
    for bad in (
        {"hwp_id": "no-such-profile"},
        {"instance_count": "0"},
        {"user_data": "not base64!"},
        {"keyname": "no-such-key"},
    ):
        response = driver_client.post(
            "/api/instances", data={"image_id": image_id, **bad}, headers=driver_auth
        )
        _error(response, 400)


def test_no_credentials_is_401(driver_client: FlaskClient) -> None:
    response = driver_client.get(
        "/api/instances", headers={"Accept": "application/json"}
    )
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic")


# keys ----------------------------------------------------------------------------


def test_key_create_show_destroy(
    driver_client: FlaskClient, driver_auth: Headers
) -> None:
    created = driver_client.post(
        "/api/keys", data={"name": "contract-key"}, headers=driver_auth
    )
    key = _json(created, 201)["key"]
    assert key["id"] == "contract-key"
    assert "PRIVATE KEY" in key["pem_rsa_key"]
    shown = _json(driver_client.get("/api/keys/contract-key", headers=driver_auth))
    assert shown["key"]["id"] == "contract-key"
    listed = _json(driver_client.get("/api/keys", headers=driver_auth))["keys"]
    assert "contract-key" in {k["id"] for k in listed}
    launched = _launch(driver_client, driver_auth, keyname="contract-key")
    assert _show(driver_client, driver_auth, launched["id"])["state"] == "RUNNING"
    _destroy(driver_client, driver_auth, "/api/keys/contract-key")
    _error(driver_client.delete("/api/keys/contract-key", headers=driver_auth), 404)


# addresses -------------------------------------------------------------------------


def test_address_allocate_associate_release(
    driver_client: FlaskClient, driver_auth: Headers
) -> None:
    instance = _launch(driver_client, driver_auth)
    address = _json(driver_client.post("/api/addresses", headers=driver_auth), 201)
    ip = address["address"]["id"]
    ipaddress.ip_address(ip)
    associated = driver_client.post(
        f"/api/addresses/{ip}/associate",
        data={"instance_id": instance["id"]},
        headers=driver_auth,
    )
    assert associated.status_code == 202
    shown = _json(driver_client.get(f"/api/addresses/{ip}", headers=driver_auth))
    assert shown["address"]["instance_id"] == instance["id"]
    public = _show(driver_client, driver_auth, instance["id"])["public_addresses"]
    assert ip in {a["address"] for a in public}
    _error(driver_client.delete(f"/api/addresses/{ip}", headers=driver_auth), 403)
    freed = driver_client.post(f"/api/addresses/{ip}/disassociate", headers=driver_auth)
    assert freed.status_code == 202
    again = driver_client.post(f"/api/addresses/{ip}/disassociate", headers=driver_auth)
    _error(again, 403)
    _destroy(driver_client, driver_auth, f"/api/addresses/{ip}")


def test_address_associate_unknown_instance_is_400(
    driver_client: FlaskClient, driver_auth: Headers
) -> None:
    ip = _json(driver_client.post("/api/addresses", headers=driver_auth), 201)[
        "address"
    ]["id"]
    response = driver_client.post(
        f"/api/addresses/{ip}/associate",
        data={"instance_id": "i-0000000000"},
        headers=driver_auth,
    )
    _error(response, 400)


# firewalls -------------------------------------------------------------------------


def test_firewall_rules(driver_client: FlaskClient, driver_auth: Headers) -> None:
    created = driver_client.post(
        "/api/firewalls",
        data={"name": "contract-fw", "description": "contract"},
        headers=driver_auth,
    )
    firewall = _json(created, 201)["firewall"]
    firewall_id = firewall["id"]
    assert firewall["name"] == "contract-fw" and firewall["rules"] == []
    ruled = add_rule(
        driver_client, driver_auth, firewall_id, "22", ip_address1="10.0.0.0/8"
    )
    rules = _json(ruled, 201)["firewall"]["rules"]
    assert len(rules) == 1
    rule = rules[0]
    assert (rule["allow_protocol"], rule["port_from"], rule["port_to"]) == (
        "tcp",
        "22",
        "22",
    )
    assert rule["sources"][0]["address"] == "10.0.0.0"
    assert rule["sources"][0]["prefix"] == "8"
    bad = add_rule(
        driver_client, driver_auth, firewall_id, "x-22", ip_address1="1.2.3.4/32"
    )
    _error(bad, 400)
    gone = driver_client.delete(
        f"/api/firewalls/{firewall_id}/{rule['id']}", headers=driver_auth
    )
    assert gone.status_code == 204
    shown = _json(
        driver_client.get(f"/api/firewalls/{firewall_id}", headers=driver_auth)
    )
    assert shown["firewall"]["rules"] == []
    _destroy(driver_client, driver_auth, f"/api/firewalls/{firewall_id}")


# load balancers ------------------------------------------------------------------


def test_load_balancer_membership(
    driver_client: FlaskClient, driver_auth: Headers
) -> None:
    created = driver_client.post(
        "/api/load_balancers",
        data={
            "name": "contract-lb",
            "realm_id": _first_realm(driver_client, driver_auth),
            "listener_protocol": "HTTP",
            "listener_balancer_port": "80",
            "listener_instance_port": "8080",
        },
        headers=driver_auth,
    )
    assert created.status_code == 201, created.get_data(as_text=True)
    instance = _launch(driver_client, driver_auth)
    registered = driver_client.post(
        "/api/load_balancers/contract-lb/register",
        data={"instance_id": instance["id"]},
        headers=driver_auth,
    )
    assert registered.status_code == 200, registered.get_data(as_text=True)
    assert instance["id"] in registered.get_data(as_text=True)
    unregistered = driver_client.post(
        "/api/load_balancers/contract-lb/unregister",
        data={"instance_id": instance["id"]},
        headers=driver_auth,
    )
    assert unregistered.status_code == 200
    assert instance["id"] not in unregistered.get_data(as_text=True)
    _destroy(driver_client, driver_auth, "/api/load_balancers/contract-lb")


# networks ------------------------------------------------------------------------


def test_network_subnet_and_placement(
    driver_client: FlaskClient, driver_auth: Headers
) -> None:
    network = _json(
        driver_client.post(
            "/api/networks",
            data={"name": "contract-net", "address_block": "10.20.0.0/16"},
            headers=driver_auth,
        ),
    )["network"]
    network_id = network["id"]
    assert network["address_blocks"] == ["10.20.0.0/16"]
    subnet = _json(
        driver_client.post(
            "/api/subnets",
            data={
                "network_id": network_id,
                "address_block": "10.20.1.0/24",
                "name": "contract-subnet",
            },
            headers=driver_auth,
        ),
    )["subnet"]
    subnet_id = subnet["id"]
    shown = _json(driver_client.get(f"/api/networks/{network_id}", headers=driver_auth))
    assert shown["network"]["address_blocks"] == ["10.20.1.0/24"]
    assert [s["id"] for s in shown["network"]["subnets"]] == [subnet_id]
    listed = driver_client.get(
        f"/api/subnets?network_id={network_id}", headers=driver_auth
    )
    assert [s["id"] for s in _json(listed)["subnets"]] == [subnet_id]

    instance = _launch(
        driver_client, driver_auth, network_id=network_id, subnet_id=subnet_id
    )
    bindings = _show(driver_client, driver_auth, instance["id"])["network_bindings"]
    assert len(bindings) == 1
    binding = bindings[0]
    assert binding["network"]["id"] == network_id
    assert binding["subnet"]["id"] == subnet_id
    assert ipaddress.ip_address(binding["ip_address"]) in ipaddress.ip_network(
        "10.20.1.0/24"
    )
    driver_client.post(f"/api/instances/{instance['id']}/stop", headers=driver_auth)
    driver_client.delete(f"/api/instances/{instance['id']}", headers=driver_auth)


def test_network_bad_input(driver_client: FlaskClient, driver_auth: Headers) -> None:
    bad_block = driver_client.post(
        "/api/networks", data={"address_block": "10.0.0.300/16"}, headers=driver_auth
    )
    _error(bad_block, 400)
    network_id = _json(
        driver_client.post(
            "/api/networks", data={"address_block": "10.30.0.0/16"}, headers=driver_auth
        )
    )["network"]["id"]
    for block in ("not-a-cidr", "10.30.0.1/24"):
        response = driver_client.post(
            "/api/subnets",
            data={"network_id": network_id, "address_block": block},
            headers=driver_auth,
        )
        _error(response, 400)
    outside = driver_client.post(
        "/api/subnets",
        data={"network_id": network_id, "address_block": "192.168.0.0/24"},
        headers=driver_auth,
    )
    _error(outside, 400)
    unknown = driver_client.post(
        "/api/subnets",
        data={"network_id": "vpc-00000000", "address_block": "10.30.1.0/24"},
        headers=driver_auth,
    )
    _error(unknown, 400)
    _error(driver_client.get("/api/networks/vpc-00000000", headers=driver_auth), 404)
    _error(
        driver_client.delete("/api/subnets/subnet-00000000", headers=driver_auth), 404
    )
    _destroy(driver_client, driver_auth, f"/api/networks/{network_id}")
