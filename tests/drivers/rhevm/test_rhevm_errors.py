"""How the rhevm driver answers what goes wrong on the engine: a refused login
is 401, unknown ids 404, a wrong state 409, an engine fault 502 and a time-out
504; never a 500, never a traceback, and a failed create leaves no VM behind.
Every error comes from the fake engine over HTTP, read by the real SDK."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from deltaflask import create_app
from deltaflask.drivers import Credentials
from deltaflask.errors import Conflict
from deltaflask.state import state
from deltaflask.testing.api import answer
from deltaflask.testing.api import error_message
from tests.fakes.rhevm.server import EngineServer
from tests.fakes.rhevm.state import BLANK_TEMPLATE
from tests.fakes.rhevm.state import EngineState
from tests.fakes.rhevm.state import Fault
from tests.support.rhevm_engine import TIMEOUT
from tests.support.rhevm_engine import credentials_header
from tests.support.rhevm_engine import engine as engine
from tests.support.rhevm_engine import rhevm_app as rhevm_app
from tests.support.rhevm_engine import rhevm_server as rhevm_server

pytestmark = pytest.mark.xdist_group("rhevm")
AUTH = credentials_header()


@pytest.fixture
def client(rhevm_app: Flask) -> FlaskClient:
    return rhevm_app.test_client()


def launch(client: FlaskClient, **params: str) -> dict:
    created = client.post(
        "/api/instances", data={"image_id": BLANK_TEMPLATE, **params}, headers=AUTH
    )
    return dict(answer(created, 201)["instance"])


@pytest.mark.parametrize(
    ("user", "password"),
    [("admin", "wrong"), ("admin@internal", "wrong"), ("admin@elsewhere", "secret")],
)
def test_refused_login_is_401(client: FlaskClient, user: str, password: str) -> None:
    response = client.get("/api/instances", headers=credentials_header(user, password))
    assert "user name or password" in error_message(response, 401)
    assert "wrong" not in response.get_data(as_text=True)


def test_user_without_domain_logs_in_to_internal(client: FlaskClient) -> None:
    for user in ("admin", "admin@internal"):
        answer(client.get("/api/realms", headers=credentials_header(user)))


@pytest.mark.parametrize(
    "unknown",
    # a well-formed id the engine does not know (its 404), and one that is no
    # UUID (the engine's 400; the original answered it with a 500, DTACLOUD-457)
    ["0b5c3e0e-8f4a-4c1e-9a51-3c1f6d2b7a11", "no-such-id"],
)
def test_unknown_ids_are_404(client: FlaskClient, unknown: str) -> None:
    for collection in (
        "images",
        "instances",
        "realms",
        "storage_volumes",
        "networks",
        "network_interfaces",
    ):
        error_message(client.get(f"/api/{collection}/{unknown}", headers=AUTH), 404)
    error_message(client.get("/api/hardware_profiles/Huge", headers=AUTH), 404)
    error_message(client.post(f"/api/instances/{unknown}/start", headers=AUTH), 404)
    error_message(client.delete(f"/api/instances/{unknown}", headers=AUTH), 404)
    error_message(client.delete(f"/api/storage_volumes/{unknown}", headers=AUTH), 404)
    error_message(
        client.post(f"/api/storage_volumes/{unknown}/detach", headers=AUTH), 404
    )


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"image_id": "no-such-template"}, "Image 'no-such-template'"),
        ({"realm_id": "no-such-cluster"}, "Realm 'no-such-cluster'"),
        ({"hwp_id": "Huge"}, "Hardware profile 'Huge'"),
        ({"hwp_id": "Small", "hwp_cpu": "4"}, "hwp_cpu=4"),
        ({"network_id": "no-such-network"}, "Network 'no-such-network'"),
        ({"subnet_id": "anything"}, "no subnets"),
        ({"keyname": "mine"}, "no key pairs"),
        ({"name": "x" * 51}, "50 characters"),
        ({"user_data": "not base64!"}, "base64"),
        ({"instance_count": "21"}, "instance_count"),
    ],
)
def test_bad_create_is_400_and_makes_nothing(
    client: FlaskClient, engine: EngineState, params: dict[str, str], words: str
) -> None:
    data = {"image_id": BLANK_TEMPLATE, **params}
    response = client.post("/api/instances", data=data, headers=AUTH)
    assert words in error_message(response, 400)
    assert engine.vms == {}


def test_wrong_state_is_405_in_the_api_and_409_from_the_engine(
    client: FlaskClient, rhevm_app: Flask, rhevm_server: EngineServer
) -> None:
    instance = launch(client)
    answer(client.post(f"/api/instances/{instance['id']}/start", headers=AUTH), 202)
    again = client.post(f"/api/instances/{instance['id']}/start", headers=AUTH)
    error_message(again, 405)
    driver_class = state(rhevm_app).registry.driver_class("rhevm")
    driver = driver_class(
        Credentials("admin", "secret"), rhevm_server.url, rhevm_app.config
    )
    with pytest.raises(Conflict, match="VM is running"):
        driver.start_instance(instance["id"])


def test_engine_fault_is_502_with_the_engines_words(
    client: FlaskClient, engine: EngineState
) -> None:
    engine.faults.append(Fault("GET", "/vms", 500, detail="[Out of memory]"))
    response = client.get("/api/instances", headers=AUTH)
    assert "Out of memory" in error_message(response, 502)
    assert "Traceback" not in response.get_data(as_text=True)
    answer(client.get("/api/instances", headers=AUTH))


def test_time_out_is_504(client: FlaskClient, engine: EngineState) -> None:
    engine.faults.append(Fault("GET", "/clusters", delay=TIMEOUT + 1))
    response = client.get("/api/realms", headers=AUTH)
    assert "in time" in error_message(response, 504)
    answer(client.get("/api/realms", headers=AUTH))


def test_the_server_wide_provider_timeout_applies(
    rhevm_app: Flask, engine: EngineState
) -> None:
    config = {**rhevm_app.config, "PROVIDER_TIMEOUT": TIMEOUT}
    del config["RHEVM_TIMEOUT"]
    engine.faults.append(Fault("GET", "/clusters", delay=TIMEOUT + 1))
    client = create_app(config).test_client()
    assert "in time" in error_message(client.get("/api/realms", headers=AUTH), 504)


def test_failed_create_removes_the_vm_it_made(
    client: FlaskClient, engine: EngineState
) -> None:
    network = next(iter(engine.networks))
    engine.faults.append(Fault("POST", "/nics", 500))
    response = client.post(
        "/api/instances",
        data={"image_id": BLANK_TEMPLATE, "network_id": network, "name": "half"},
        headers=AUTH,
    )
    error_message(response, 502)
    assert engine.vms == {}


def test_create_timed_out_after_the_engine_made_the_vm_removes_it(
    client: FlaskClient, engine: EngineState
) -> None:
    engine.faults.append(Fault("POST", "/vms", delay=TIMEOUT + 1))
    response = client.post(
        "/api/instances",
        data={"image_id": BLANK_TEMPLATE, "name": "late"},
        headers=AUTH,
    )
    error_message(response, 504)
    assert engine.vms == {}


def test_second_of_two_failing_removes_the_first(
    client: FlaskClient, engine: EngineState
) -> None:
    network = next(iter(engine.networks))
    launch(client, name="keeper")
    engine.faults.append(Fault("POST", "/nics", 500))
    response = client.post(
        "/api/instances",
        data={
            "image_id": BLANK_TEMPLATE,
            "network_id": network,
            "instance_count": "2",
            "name": "pair",
        },
        headers=AUTH,
    )
    error_message(response, 502)
    assert [vm["name"] for vm in engine.vms.values()] == ["keeper"]


def test_bad_provider_is_400(rhevm_server: EngineServer, engine: EngineState) -> None:
    from deltaflask import create_app

    app = create_app(
        {"TESTING": True, "DRIVER": "rhevm", "PROVIDER": "engine.example.com"}
    )
    response = app.test_client().get("/api/realms", headers=AUTH)
    assert "API URL" in error_message(response, 400)


def test_unreachable_engine_is_502() -> None:
    from deltaflask import create_app
    from tests.support.moto_server import free_port

    url = f"http://127.0.0.1:{free_port()}/ovirt-engine/api"
    app = create_app({"TESTING": True, "DRIVER": "rhevm", "PROVIDER": url})
    response = app.test_client().get("/api/realms", headers=AUTH)
    assert "Cannot reach" in error_message(response, 502)
