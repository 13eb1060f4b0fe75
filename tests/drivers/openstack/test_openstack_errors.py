"""OpenStack's failures become the contract's typed errors: a wrong password is
401, a missing server 404, an exceeded quota 403 (Nova) or 409 (Neutron), an
unreachable identity service 502 and one that never answers 504."""

from __future__ import annotations

import base64
import socket
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from deltaflask import create_app
from tests.support.moto_server import free_port
from tests.support.openstack_cloud import OpenStackCloud

pytestmark = pytest.mark.xdist_group("openstack")

QUOTA_PROJECT = "quota-zero"


def basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}", "Accept": "application/json"}


def client(provider: str, **config: Any) -> FlaskClient:
    app = create_app(
        {"TESTING": True, "DRIVER": "openstack", "PROVIDER": provider, **config}
    )
    return app.test_client()


def error(response: Any, status: int) -> str:
    body = response.get_data(as_text=True)
    assert response.status_code == status, body
    assert "Traceback" not in body
    return str(response.get_json()["message"])


@pytest.fixture(scope="module")
def no_quota(openstack: OpenStackCloud) -> tuple[str, str]:
    """Credentials of a user whose project may have no server and no
    floating IP."""
    admin = openstack.sdk()
    keystone = admin.identity
    project = keystone.find_project(QUOTA_PROJECT) or keystone.create_project(
        name=QUOTA_PROJECT, domain_id="default"
    )
    user = keystone.find_user(QUOTA_PROJECT, domain_id="default") or (
        keystone.create_user(
            name=QUOTA_PROJECT, password=openstack.password, domain_id="default"
        )
    )
    keystone.assign_project_role_to_user(project, user, keystone.find_role("member"))
    admin.set_compute_quotas(project.id, instances=0)
    admin.network.update_quota(project.id, floating_ips=0)
    return (f"{QUOTA_PROJECT}+{QUOTA_PROJECT}", openstack.password)


def test_wrong_password_is_401(openstack: OpenStackCloud) -> None:
    answer = client(openstack.provider).get(
        "/api/instances", headers=basic("demo+demo", "not-the-password")
    )
    error(answer, 401)


def test_missing_server_is_404(openstack: OpenStackCloud) -> None:
    api = client(openstack.provider)
    auth = basic(*openstack.credentials())
    missing = str(uuid.uuid4())
    error(api.get(f"/api/instances/{missing}", headers=auth), 404)
    error(api.post(f"/api/instances/{missing}/reboot", headers=auth), 404)
    error(api.delete(f"/api/instances/{missing}", headers=auth), 404)
    error(api.get(f"/api/storage_volumes/{missing}", headers=auth), 404)


def test_over_quota_server_is_403(
    openstack: OpenStackCloud, no_quota: tuple[str, str]
) -> None:
    api = client(openstack.provider)
    auth = basic(*no_quota)
    image = api.get("/api/images", headers=auth).get_json()["images"][0]["id"]
    refused = api.post("/api/instances", data={"image_id": image}, headers=auth)
    assert "uota" in error(refused, 403)
    ports = openstack.sdk().network.ports(
        project_id=openstack.sdk(QUOTA_PROJECT).current_project_id
    )
    assert list(ports) == []  # the port made for the server was removed


def test_over_quota_floating_ip_is_409(
    openstack: OpenStackCloud, no_quota: tuple[str, str]
) -> None:
    refused = client(openstack.provider).post(
        "/api/addresses", headers=basic(*no_quota)
    )
    assert "uota" in error(refused, 409)


def test_unreachable_identity_service_is_502(openstack: OpenStackCloud) -> None:
    nobody = f"http://127.0.0.1:{free_port()}/v3"
    answer = client(nobody).get("/api/realms", headers=basic(*openstack.credentials()))
    assert "reach" in error(answer, 502)


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield int(listener.getsockname()[1])


@pytest.mark.parametrize("setting", ["OPENSTACK_TIMEOUT", "PROVIDER_TIMEOUT"])
def test_identity_service_that_never_answers_is_504(
    openstack: OpenStackCloud, silent_port: int, setting: str
) -> None:
    silent = f"http://127.0.0.1:{silent_port}/v3"
    answer = client(silent, **{setting: 1}).get(
        "/api/realms", headers=basic(*openstack.credentials())
    )
    error(answer, 504)
