"""Bad input, refused logins, unusable providers, vSphere faults and time-outs
on the vsphere driver: typed errors with the right status, never a 500, and
nothing half-created (a failed launch leaves no VM behind)."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from deltaflask import create_app
from deltaflask.drivers import Credentials
from deltaflask.drivers import InstanceCreate
from deltaflask.errors import ProviderError
from deltaflask.errors import ProviderTimeout
from deltaflask.models import InstanceState
from deltaflask.plugins.vsphere.driver import VsphereDriver
from deltaflask.plugins.vsphere.errors import translate
from tests.support.moto_server import free_port
from tests.support.vcsim import PASSWORD
from tests.support.vcsim import USER
from tests.support.vcsim import Vcsim
from tests.support.vcsim import make_templates
from tests.support.vcsim import vcsim_server
from tests.support.vcsim import vm_names
from tests.support.vcsim import vsphere_config

pytestmark = pytest.mark.xdist_group("vcsim")

Headers = dict[str, str]
#: how long the slow vcsim holds every power-on call, and the driver's patience
SLOW_POWER_ON_MS = 1500
CALL_TIMEOUT = "0.5"


def _error(response, status: int) -> str:  # type: ignore[no-untyped-def]
    body = response.get_data(as_text=True)
    assert response.status_code == status, body
    assert "Traceback" not in body
    return str(response.get_json()["message"])


def _client(
    server: Vcsim | None = None, provider: str | None = None, **settings: str
) -> FlaskClient:
    config = (
        vsphere_config(server, **settings)
        if server
        else {
            "TESTING": True,
            "DRIVER": "vsphere",
            "VSPHERE_INSECURE": "1",
            **settings,
        }
    )
    if provider is not None:
        config["PROVIDER"] = provider
    return create_app(config).test_client()


def _auth(user: str = USER, password: str = PASSWORD) -> Headers:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}", "Accept": "application/json"}


# -- logins and providers ----------------------------------------------------------
def test_wrong_password_is_401_without_echoing_it(vcsim: Vcsim) -> None:
    response = _client(vcsim).get("/api/instances", headers=_auth(password="nope-123"))
    assert "InvalidLogin" in _error(response, 401)
    assert "nope-123" not in response.get_data(as_text=True)


def test_self_signed_certificate_is_refused_unless_the_server_says_so(
    vcsim: Vcsim,
) -> None:
    strict = _client(vcsim, VSPHERE_INSECURE="")
    message = _error(strict.get("/api/realms", headers=_auth()), 502)
    assert "VSPHERE_INSECURE" in message
    assert _client(vcsim).get("/api/realms", headers=_auth()).status_code == 200


@pytest.mark.parametrize(
    ("provider", "status"),
    [
        ("", 400),
        ("ftp://vcenter.example.com", 400),
        ("https://user:secret@vcenter.example.com/sdk", 400),
        ("vcenter.example.com:99999", 400),
    ],
)
def test_malformed_providers_are_400(provider: str, status: int) -> None:
    response = _client(provider=provider).get("/api/realms", headers=_auth())
    assert "provider" in _error(response, status).lower()


def test_unreachable_or_foreign_providers_are_502(vcsim: Vcsim) -> None:
    closed = f"127.0.0.1:{free_port()}"
    refused = _client(provider=closed).get("/api/realms", headers=_auth())
    assert "Cannot reach vCenter" in _error(refused, 502)
    not_sdk = _client(provider=f"https://{vcsim.provider}/no-sdk-here")
    assert "no vSphere API" in _error(not_sdk.get("/api/realms", headers=_auth()), 502)


def test_unmapped_vsphere_faults_are_502() -> None:
    from pyVmomi import vmodl

    error = translate(vmodl.fault.NotSupported(msg="not on this host"))
    assert isinstance(error, ProviderError)
    assert (error.status, error.message) == (502, "NotSupported: not on this host")


# -- unknown ids and bad launches --------------------------------------------------
@pytest.mark.parametrize(
    "path",
    [
        "/api/instances/vm-999999",
        "/api/images/vm-999999",
        "/api/realms/domain-c999999",
        "/api/networks/network-999999",
        "/api/hardware_profiles/3cpu-1mb",
        "/api/instances/<bad&id>",
    ],
)
def test_unknown_ids_are_404(
    vsphere_client: FlaskClient, vsphere_auth: Headers, path: str
) -> None:
    _error(vsphere_client.get(path, headers=vsphere_auth), 404)


def test_actions_on_unknown_vms_are_404(
    vsphere_client: FlaskClient, vsphere_auth: Headers
) -> None:
    for action in ("start", "stop", "reboot"):
        response = vsphere_client.post(
            f"/api/instances/vm-999999/{action}", headers=vsphere_auth
        )
        _error(response, 404)
    _error(vsphere_client.delete("/api/instances/vm-999999", headers=vsphere_auth), 404)


@pytest.mark.parametrize(
    ("asked", "words"),
    [
        ({"image_id": "vm-999999"}, "Image 'vm-999999' does not exist"),
        ({"realm_id": "domain-c999999"}, "Realm 'domain-c999999' does not exist"),
        ({"hwp_id": "3cpu-1mb"}, "Hardware profile '3cpu-1mb' does not exist"),
        ({"hwp_id": "1cpu-32mb", "hwp_memory": "64"}, "outside hardware profile"),
        ({"instance_count": "0"}, "instance_count"),
        ({"instance_count": "11"}, "instance_count"),
        ({"name": "x" * 81}, "printable characters"),
        ({"network_id": "network-999999"}, "Network 'network-999999' does not exist"),
        ({"network_id": "<network>"}, "Network '<network>' does not exist"),
        ({"network_id": "network-7", "subnet_id": "s-1"}, "no subnets"),
    ],
)
def test_bad_launches_are_400_and_make_nothing(
    vsphere_client: FlaskClient,
    vsphere_auth: Headers,
    templates: dict[str, str],
    vcsim: Vcsim,
    asked: dict[str, str],
    words: str,
) -> None:
    before = vm_names(vcsim)
    response = vsphere_client.post(
        "/api/instances",
        data={"image_id": templates["DC0_H0_VM1"], **asked},
        headers=vsphere_auth,
    )
    assert words in _error(response, 400)
    assert vm_names(vcsim) == before


def test_a_template_id_is_no_image_to_run_a_vm_from(
    vsphere_client: FlaskClient, vsphere_auth: Headers
) -> None:
    running_vm = vsphere_client.get("/api/instances", headers=vsphere_auth).get_json()[
        "instances"
    ][0]["id"]
    response = vsphere_client.post(
        "/api/instances", data={"image_id": running_vm}, headers=vsphere_auth
    )
    assert "does not exist" in _error(response, 400)


def test_a_name_in_use_is_409_and_makes_nothing(
    vsphere_client: FlaskClient,
    vsphere_auth: Headers,
    templates: dict[str, str],
    vcsim: Vcsim,
) -> None:
    before = vm_names(vcsim)
    response = vsphere_client.post(
        "/api/instances",
        data={"image_id": templates["DC0_H0_VM1"], "name": "DC0_H0_VM0"},
        headers=vsphere_auth,
    )
    assert "already exists" in _error(response, 409)
    assert vm_names(vcsim) == before


# -- time-outs: nothing half-created ------------------------------------------------
@pytest.fixture(scope="module")
def slow_vcsim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Vcsim]:
    """A vcsim answering every PowerOnVM_Task call only after 1.5 s."""
    with vcsim_server(
        tmp_path_factory.mktemp("vcsim-slow"),
        "-method-delay",
        f"PowerOnVM_Task={SLOW_POWER_ON_MS}",
    ) as server:
        make_templates(server)
        yield server


def _settle() -> None:
    """Wait until the slow calls the driver gave up on have run in vcsim."""
    time.sleep(SLOW_POWER_ON_MS / 1000 + 0.5)


@pytest.mark.parametrize("setting", ["VSPHERE_TIMEOUT", "PROVIDER_TIMEOUT"])
def test_a_launch_that_times_out_is_504_and_leaves_no_vm(
    slow_vcsim: Vcsim, setting: str
) -> None:
    client = _client(slow_vcsim, **{setting: CALL_TIMEOUT})
    template = make_template_id(client)
    before = vm_names(slow_vcsim)
    response = client.post(
        "/api/instances",
        data={"image_id": template, "name": "late", "instance_count": "2"},
        headers=_auth(),
    )
    assert "did not answer in time" in _error(response, 504)
    _settle()
    assert vm_names(slow_vcsim) == before


def test_a_start_that_times_out_is_504(slow_vcsim: Vcsim) -> None:
    app = create_app(vsphere_config(slow_vcsim, VSPHERE_TIMEOUT=CALL_TIMEOUT))
    with app.test_request_context("/api"):
        driver = VsphereDriver(
            Credentials(USER, PASSWORD), slow_vcsim.provider, app.config
        )
        [image] = driver.images({"id": make_template_id(app.test_client())})
        [cold] = driver.create_instance(
            InstanceCreate(image_id=image.id, initial_state=InstanceState.STOPPED)
        )
        with pytest.raises(ProviderTimeout):
            driver.start_instance(cold.id)
        _settle()
        driver.stop_instance(cold.id)
        driver.destroy_instance(cold.id)


def make_template_id(client: FlaskClient) -> str:
    """The id of the first image the driver lists."""
    images = client.get("/api/images", headers=_auth()).get_json()["images"]
    return str(images[0]["id"])
