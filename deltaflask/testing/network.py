"""Network scenarios through /api: addresses, firewalls, load balancers,
networks and subnets."""

from __future__ import annotations

import ipaddress

from flask.testing import FlaskClient

from deltaflask.testing.api import Headers
from deltaflask.testing.api import add_rule
from deltaflask.testing.api import answer
from deltaflask.testing.api import destroy
from deltaflask.testing.api import error_message
from deltaflask.testing.api import first_id
from deltaflask.testing.api import launch
from deltaflask.testing.api import offers
from deltaflask.testing.api import show


class NetworkScenarios:
    """Addresses, firewalls, load balancers, networks, subnets, placement."""

    def test_address_allocate_associate_release(
        self, driver_client: FlaskClient, driver_auth: Headers
    ) -> None:
        if not offers(driver_client, driver_auth, "addresses", "instances"):
            return
        instance = launch(driver_client, driver_auth)
        address = answer(driver_client.post("/api/addresses", headers=driver_auth), 201)
        ip = address["address"]["id"]
        ipaddress.ip_address(ip)
        associated = driver_client.post(
            f"/api/addresses/{ip}/associate",
            data={"instance_id": instance["id"]},
            headers=driver_auth,
        )
        assert associated.status_code == 202
        shown = answer(driver_client.get(f"/api/addresses/{ip}", headers=driver_auth))
        assert shown["address"]["instance_id"] == instance["id"]
        public = show(driver_client, driver_auth, instance["id"])["public_addresses"]
        assert ip in {a["address"] for a in public}
        error_message(
            driver_client.delete(f"/api/addresses/{ip}", headers=driver_auth), 403
        )
        freed = driver_client.post(
            f"/api/addresses/{ip}/disassociate", headers=driver_auth
        )
        assert freed.status_code == 202
        again = driver_client.post(
            f"/api/addresses/{ip}/disassociate", headers=driver_auth
        )
        error_message(again, 403)
        destroy(driver_client, driver_auth, f"/api/addresses/{ip}")

    def test_address_associate_unknown_instance_is_400(
        self, driver_client: FlaskClient, driver_auth: Headers
    ) -> None:
        if not offers(driver_client, driver_auth, "addresses"):
            return
        ip = answer(driver_client.post("/api/addresses", headers=driver_auth), 201)[
            "address"
        ]["id"]
        response = driver_client.post(
            f"/api/addresses/{ip}/associate",
            data={"instance_id": "i-0000000000"},
            headers=driver_auth,
        )
        error_message(response, 400)

    def test_firewall_rules(
        self, driver_client: FlaskClient, driver_auth: Headers
    ) -> None:
        if not offers(driver_client, driver_auth, "firewalls"):
            return
        created = driver_client.post(
            "/api/firewalls",
            data={"name": "contract-fw", "description": "contract"},
            headers=driver_auth,
        )
        firewall = answer(created, 201)["firewall"]
        firewall_id = firewall["id"]
        assert firewall["name"] == "contract-fw"
        assert firewall["rules"] == []
        ruled = add_rule(
            driver_client, driver_auth, firewall_id, "22", ip_address1="10.0.0.0/8"
        )
        rules = answer(ruled, 201)["firewall"]["rules"]
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
        error_message(bad, 400)
        gone = driver_client.delete(
            f"/api/firewalls/{firewall_id}/{rule['id']}", headers=driver_auth
        )
        assert gone.status_code == 204
        shown = answer(
            driver_client.get(f"/api/firewalls/{firewall_id}", headers=driver_auth)
        )
        assert shown["firewall"]["rules"] == []
        destroy(driver_client, driver_auth, f"/api/firewalls/{firewall_id}")

    def test_load_balancer_membership(
        self, driver_client: FlaskClient, driver_auth: Headers
    ) -> None:
        if not offers(
            driver_client, driver_auth, "load_balancers", "realms", "instances"
        ):
            return
        created = driver_client.post(
            "/api/load_balancers",
            data={
                "name": "contract-lb",
                "realm_id": first_id(driver_client, driver_auth, "realms"),
                "listener_protocol": "HTTP",
                "listener_balancer_port": "80",
                "listener_instance_port": "8080",
            },
            headers=driver_auth,
        )
        assert created.status_code == 201, created.get_data(as_text=True)
        instance = launch(driver_client, driver_auth)
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
        destroy(driver_client, driver_auth, "/api/load_balancers/contract-lb")

    def test_network_subnet_and_placement(
        self, driver_client: FlaskClient, driver_auth: Headers
    ) -> None:
        if not offers(driver_client, driver_auth, "networks", "subnets", "instances"):
            return
        network = answer(
            driver_client.post(
                "/api/networks",
                data={"name": "contract-net", "address_block": "10.20.0.0/16"},
                headers=driver_auth,
            ),
        )["network"]
        network_id = network["id"]
        assert network["address_blocks"] == ["10.20.0.0/16"]
        subnet = answer(
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
        shown = answer(
            driver_client.get(f"/api/networks/{network_id}", headers=driver_auth)
        )
        assert shown["network"]["address_blocks"] == ["10.20.1.0/24"]
        assert [s["id"] for s in shown["network"]["subnets"]] == [subnet_id]
        listed = driver_client.get(
            f"/api/subnets?network_id={network_id}", headers=driver_auth
        )
        assert [s["id"] for s in answer(listed)["subnets"]] == [subnet_id]

        instance = launch(
            driver_client, driver_auth, network_id=network_id, subnet_id=subnet_id
        )
        bindings = show(driver_client, driver_auth, instance["id"])["network_bindings"]
        assert len(bindings) == 1
        binding = bindings[0]
        assert binding["network"]["id"] == network_id
        assert binding["subnet"]["id"] == subnet_id
        assert ipaddress.ip_address(binding["ip_address"]) in ipaddress.ip_network(
            "10.20.1.0/24"
        )
        driver_client.post(f"/api/instances/{instance['id']}/stop", headers=driver_auth)
        driver_client.delete(f"/api/instances/{instance['id']}", headers=driver_auth)

    def test_network_bad_input(
        self, driver_client: FlaskClient, driver_auth: Headers
    ) -> None:
        if not offers(driver_client, driver_auth, "networks", "subnets"):
            return
        bad_block = driver_client.post(
            "/api/networks",
            data={"address_block": "10.0.0.300/16"},
            headers=driver_auth,
        )
        error_message(bad_block, 400)
        network_id = answer(
            driver_client.post(
                "/api/networks",
                data={"address_block": "10.30.0.0/16"},
                headers=driver_auth,
            )
        )["network"]["id"]
        for block in ("not-a-cidr", "10.30.0.1/24"):
            response = driver_client.post(
                "/api/subnets",
                data={"network_id": network_id, "address_block": block},
                headers=driver_auth,
            )
            error_message(response, 400)
        outside = driver_client.post(
            "/api/subnets",
            data={"network_id": network_id, "address_block": "192.168.0.0/24"},
            headers=driver_auth,
        )
        error_message(outside, 400)
        unknown = driver_client.post(
            "/api/subnets",
            data={"network_id": "vpc-00000000", "address_block": "10.30.1.0/24"},
            headers=driver_auth,
        )
        error_message(unknown, 400)
        error_message(
            driver_client.get("/api/networks/vpc-00000000", headers=driver_auth), 404
        )
        error_message(
            driver_client.delete("/api/subnets/subnet-00000000", headers=driver_auth),
            404,
        )
        destroy(driver_client, driver_auth, f"/api/networks/{network_id}")
