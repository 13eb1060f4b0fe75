"""Compute scenarios through /api: the catalogues, instances and keys."""

from __future__ import annotations

from flask.testing import FlaskClient

from deltaflask.drivers import BaseDriver
from deltaflask.drivers.base import COLLECTION_INDEX
from deltaflask.testing.api import Headers
from deltaflask.testing.api import action_rels
from deltaflask.testing.api import answer
from deltaflask.testing.api import destroy
from deltaflask.testing.api import error_message
from deltaflask.testing.api import first_id
from deltaflask.testing.api import gone_or_finished
from deltaflask.testing.api import launch
from deltaflask.testing.api import offers
from deltaflask.testing.api import show


class ComputeScenarios:
    """Realms, hardware profiles, images, instance states, instances, keys."""

    def test_entry_point_links_answer(
        self,
        driver_client: FlaskClient,
        driver_auth: Headers,
        driver_name: str,
        driver: BaseDriver,
    ) -> None:
        """The entry point links every collection the driver offers, each
        answers, and every other collection of the contract answers 412."""
        api = answer(driver_client.get("/api", headers=driver_auth))["api"]
        assert api["driver"] == driver_name
        rels = {link["rel"] for link in api["links"]}
        offered = set(type(driver).collections())
        assert offered <= rels
        for rel in sorted(rels - {"drivers", "images", "metrics"}):
            listed = driver_client.get(f"/api/{rel}", headers=driver_auth)
            assert listed.status_code == 200, (rel, listed.get_data(as_text=True))
        for name in sorted(set(COLLECTION_INDEX) - rels):
            error_message(driver_client.get(f"/api/{name}", headers=driver_auth), 412)

    def test_realms_list_show_and_unknown(
        self, driver_client: FlaskClient, driver_auth: Headers
    ) -> None:
        if not offers(driver_client, driver_auth, "realms"):
            return
        realms = answer(driver_client.get("/api/realms", headers=driver_auth))["realms"]
        assert realms
        assert all(r["state"] == "AVAILABLE" for r in realms)
        first = realms[0]["id"]
        shown = answer(driver_client.get(f"/api/realms/{first}", headers=driver_auth))
        assert shown["realm"]["id"] == first
        error_message(
            driver_client.get("/api/realms/no-such-realm", headers=driver_auth), 404
        )

    def test_hardware_profiles_list_show_and_unknown(
        self, driver_client: FlaskClient, driver_auth: Headers
    ) -> None:
        if not offers(driver_client, driver_auth, "hardware_profiles"):
            return
        profiles = answer(
            driver_client.get("/api/hardware_profiles", headers=driver_auth)
        )
        listed = profiles["hardware_profiles"]
        assert listed
        with_cpu = next(p for p in listed if "cpu" in p.get("properties", {}))
        shown = driver_client.get(
            f"/api/hardware_profiles/{with_cpu['id']}", headers=driver_auth
        )
        assert answer(shown)["hardware_profile"]["id"] == with_cpu["id"]
        missing = driver_client.get(
            "/api/hardware_profiles/no-such", headers=driver_auth
        )
        error_message(missing, 404)

    def test_images_list_show_filter_and_unknown(
        self, driver_client: FlaskClient, driver_auth: Headers
    ) -> None:
        if not offers(driver_client, driver_auth, "images"):
            return
        images = answer(driver_client.get("/api/images", headers=driver_auth))["images"]
        assert images
        image = images[0]
        shown = answer(
            driver_client.get(f"/api/images/{image['id']}", headers=driver_auth)
        )
        assert shown["image"]["id"] == image["id"]
        arch = image["architecture"]
        same = driver_client.get(
            f"/api/images?architecture={arch}", headers=driver_auth
        )
        assert {i["architecture"] for i in answer(same)["images"]} == {arch}
        error_message(
            driver_client.get("/api/images/ami-00000000", headers=driver_auth), 404
        )

    def test_instance_states_start_with_start(
        self, driver_client: FlaskClient, driver_auth: Headers
    ) -> None:
        if not offers(driver_client, driver_auth, "instance_states"):
            return
        states = answer(driver_client.get("/api/instance_states", headers=driver_auth))
        names = [state["name"] for state in states]
        assert names[0] == "start"
        assert {"running", "stopped", "finish"} <= set(names)

    def test_instance_lifecycle(
        self, driver_client: FlaskClient, driver_auth: Headers
    ) -> None:
        if not offers(driver_client, driver_auth, "instances"):
            return
        created = launch(driver_client, driver_auth, name="contract-web")
        instance_id = created["id"]
        assert created["name"] == "contract-web"
        running = show(driver_client, driver_auth, instance_id)
        assert running["state"] == "RUNNING"
        assert {"stop", "reboot"} <= action_rels(running)
        listed = answer(driver_client.get("/api/instances", headers=driver_auth))
        assert instance_id in {i["id"] for i in listed["instances"]}

        stopped = driver_client.post(
            f"/api/instances/{instance_id}/stop", headers=driver_auth
        )
        assert answer(stopped, 202)["state"] == "STOPPED"
        assert "start" in action_rels(show(driver_client, driver_auth, instance_id))
        started = driver_client.post(
            f"/api/instances/{instance_id}/start", headers=driver_auth
        )
        assert answer(started, 202)["state"] == "RUNNING"
        rebooted = driver_client.post(
            f"/api/instances/{instance_id}/reboot", headers=driver_auth
        )
        assert answer(rebooted, 202)["state"] == "RUNNING"
        error_message(
            driver_client.post(
                f"/api/instances/{instance_id}/start", headers=driver_auth
            ),
            405,
        )
        driver_client.post(f"/api/instances/{instance_id}/stop", headers=driver_auth)
        destroyed = driver_client.delete(
            f"/api/instances/{instance_id}", headers=driver_auth
        )
        assert destroyed.status_code == 204
        gone_or_finished(driver_client, driver_auth, instance_id)

    def test_instance_count_and_realm_filter(
        self, driver_client: FlaskClient, driver_auth: Headers
    ) -> None:
        if not offers(driver_client, driver_auth, "instances", "realms"):
            return
        realm = first_id(driver_client, driver_auth, "realms")
        image = first_id(driver_client, driver_auth, "images")
        asked = {"image_id": image, "realm_id": realm, "instance_count": "2"}
        response = driver_client.post("/api/instances", data=asked, headers=driver_auth)
        launched = answer(response, 201)["instances"]
        assert len(launched) == 2
        in_realm = driver_client.get(
            f"/api/instances?realm_id={realm}", headers=driver_auth
        )
        ids = {i["id"] for i in answer(in_realm)["instances"]}
        assert {i["id"] for i in launched} <= ids

    def test_instance_bad_input(
        self, driver_client: FlaskClient, driver_auth: Headers
    ) -> None:
        if not offers(driver_client, driver_auth, "instances", "keys"):
            return
        error_message(
            driver_client.get("/api/instances/i-0000000000", headers=driver_auth), 404
        )
        error_message(
            driver_client.post("/api/instances/i-0000000000/stop", headers=driver_auth),
            404,
        )
        error_message(
            driver_client.post("/api/instances", data={}, headers=driver_auth), 400
        )
        image_id = first_id(driver_client, driver_auth, "images")
        for bad in (
            {"hwp_id": "no-such-profile"},
            {"instance_count": "0"},
            {"user_data": "not base64!"},
            {"keyname": "no-such-key"},
        ):
            response = driver_client.post(
                "/api/instances",
                data={"image_id": image_id, **bad},
                headers=driver_auth,
            )
            error_message(response, 400)

    def test_no_credentials_is_401(
        self, driver_client: FlaskClient, driver_auth: Headers
    ) -> None:
        if not offers(driver_client, driver_auth, "instances"):
            return
        response = driver_client.get(
            "/api/instances", headers={"Accept": "application/json"}
        )
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Basic")

    def test_key_create_show_destroy(
        self, driver_client: FlaskClient, driver_auth: Headers
    ) -> None:
        if not offers(driver_client, driver_auth, "keys", "instances"):
            return
        created = driver_client.post(
            "/api/keys", data={"name": "contract-key"}, headers=driver_auth
        )
        key = answer(created, 201)["key"]
        assert key["id"] == "contract-key"
        assert "PRIVATE KEY" in key["pem_rsa_key"]
        shown = answer(driver_client.get("/api/keys/contract-key", headers=driver_auth))
        assert shown["key"]["id"] == "contract-key"
        listed = answer(driver_client.get("/api/keys", headers=driver_auth))["keys"]
        assert "contract-key" in {k["id"] for k in listed}
        launched = launch(driver_client, driver_auth, keyname="contract-key")
        assert show(driver_client, driver_auth, launched["id"])["state"] == "RUNNING"
        destroy(driver_client, driver_auth, "/api/keys/contract-key")
        error_message(
            driver_client.delete("/api/keys/contract-key", headers=driver_auth), 404
        )
