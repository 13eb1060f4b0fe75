"""Who may use the openstack driver and where its cloud is: the seed posts'
curl commands as written, ``user+project`` and the domain form, v2.0 identity
URLs, regions, the connection cache, and secrets kept out of the logs."""

from __future__ import annotations

import base64
import logging
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from deltaflask import create_app
from deltaflask.drivers import Credentials
from deltaflask.plugins.openstack import identity
from deltaflask.settings import PROVIDER_TIMEOUT as TIMEOUT
from tests.browser.live import LiveServer
from tests.browser.live import serve
from tests.support.openstack_cloud import OpenStackCloud

pytestmark = pytest.mark.xdist_group("openstack")

SEED_USER = "you@domain.com"
SEED_PROJECT = "you@domain.com-default-tenant"


def basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}", "Accept": "application/json"}


def client(provider: str | None, **config: Any) -> FlaskClient:
    app = create_app(
        {"TESTING": True, "DRIVER": "openstack", "PROVIDER": provider, **config}
    )
    return app.test_client()


@pytest.fixture(scope="module")
def seed_user(openstack: OpenStackCloud) -> str:
    """The seed post's user: an e-mail address in a project named after it."""
    keystone = openstack.sdk().identity
    project = keystone.find_project(SEED_PROJECT) or keystone.create_project(
        name=SEED_PROJECT, domain_id="default"
    )
    user = keystone.find_user(SEED_USER, domain_id="default") or keystone.create_user(
        name=SEED_USER, password=openstack.password, domain_id="default"
    )
    member = keystone.find_role("member")
    keystone.assign_project_role_to_user(project, user, member)
    return f"{SEED_USER}+{SEED_PROJECT}"


@pytest.fixture(scope="module")
def live(openstack: OpenStackCloud) -> Iterator[LiveServer]:
    """deltaflask on the openstack driver with no default provider (each
    request names it), served for real so that curl can talk to it."""
    with serve(create_app({"DRIVER": "openstack"})) as server:
        yield server


def curl(*arguments: str) -> str:
    done = subprocess.run(
        ["curl", "-sS", "--max-time", "120", *arguments],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )
    return done.stdout


def test_seed_curl_lists_storage_volumes_with_the_provider_header(
    openstack: OpenStackCloud, live: LiveServer
) -> None:
    made = openstack.sdk("demo").block_storage.create_volume(size=1, name="seed-vol")
    user, password = openstack.credentials("demo")
    listed = curl(
        "--user",
        f"{user}:{password}",
        "-H",
        f"X-Deltacloud-Provider: {openstack.identity_url}",
        "-H",
        "Accept: application/json",
        f"{live.url}/api/storage_volumes",
    )
    assert made.id in listed
    assert "seed-vol" in listed


def test_seed_curl_entry_point_shows_the_volume_features(
    openstack: OpenStackCloud, live: LiveServer
) -> None:
    user, password = openstack.credentials("demo")
    entry = curl(
        "--user",
        f"{user}:{password}",
        "-H",
        "Accept: application/xml",
        "-H",
        f"X-Deltacloud-Provider: {openstack.identity_url}",
        f"{live.url}/api",
    )
    assert "driver='openstack'" in entry or 'driver="openstack"' in entry
    volumes = entry[entry.index("rel='storage_volumes'") :]
    volumes = volumes[: volumes.index("</link>")]
    for feature in ("volume_name", "volume_description"):
        assert feature in volumes


def test_seed_curl_realms_with_an_email_user_and_a_v2_url(
    openstack: OpenStackCloud, seed_user: str, live: LiveServer
) -> None:
    """The seed's ``you@domain.com+...-default-tenant`` user, against the
    identity URL written the v2.0 way (``.../v2.0/``), as XML."""
    v2 = openstack.identity_url.removesuffix("/v3") + "/v2.0/"
    realms = curl(
        "--user",
        f"{seed_user}:{openstack.password}",
        "-H",
        f"X-Deltacloud-Provider: {v2}",
        f"{live.url}/api/realms?format=xml",
    )
    assert "<realms>" in realms
    assert "<state>AVAILABLE</state>" in realms


def test_domain_form_names_user_and_project_domains(
    openstack: OpenStackCloud,
) -> None:
    listed = client(openstack.provider).get(
        "/api/realms", headers=basic("Default/demo+Default/demo", openstack.password)
    )
    assert listed.status_code == 200, listed.get_data(as_text=True)
    unknown = client(openstack.provider).get(
        "/api/realms", headers=basic("Nowhere/demo+Default/demo", openstack.password)
    )
    assert unknown.status_code == 401


def test_user_without_project_is_401_explaining_the_form(
    openstack: OpenStackCloud,
) -> None:
    answer = client(openstack.provider).get(
        "/api/instances", headers=basic("demo", openstack.password)
    )
    assert answer.status_code == 401
    assert "user+project" in answer.get_json()["message"]


def test_region_in_the_provider(openstack: OpenStackCloud) -> None:
    good = client(openstack.provider).get(
        "/api/hardware_profiles", headers=basic(*openstack.credentials())
    )
    assert good.status_code == 200
    bad = client(f"{openstack.identity_url};NoSuchRegion").get(
        "/api/hardware_profiles", headers=basic(*openstack.credentials())
    )
    assert bad.status_code == 502
    assert "endpoint" in bad.get_json()["message"]


def test_v2_url_of_a_service_without_v3_is_a_clear_error(
    openstack: OpenStackCloud,
) -> None:
    """Glance's port answers no Keystone v3: the error says so, it is no 500."""
    glance_v2 = f"http://127.0.0.1:{openstack.ports['GLANCE_PORT']}/v2.0/"
    answer = client(glance_v2).get(
        "/api/realms", headers=basic(*openstack.credentials())
    )
    assert answer.status_code == 502
    message = answer.get_json()["message"]
    assert "v3" in message
    assert "v2.0" in message


def test_bad_provider_is_400() -> None:
    answer = client("not a url").get("/api/realms", headers=basic("a+b", "c"))
    assert answer.status_code == 400
    assert "identity URL" in answer.get_json()["message"]


def test_connections_are_shared_per_credentials_and_provider(
    openstack: OpenStackCloud,
) -> None:
    user, password = openstack.credentials()
    first = identity.connection(
        Credentials(user, password), openstack.provider, TIMEOUT
    )
    again = identity.connection(
        Credentials(user, password), openstack.provider, TIMEOUT
    )
    assert again is first
    token = first.session.get_token()
    assert again.session.get_token() == token
    admin = identity.connection(
        Credentials(*openstack.credentials("admin")), openstack.provider, TIMEOUT
    )
    assert admin is not first
    assert admin.current_project_id != first.current_project_id


def test_secrets_stay_out_of_logs_and_errors(
    openstack: OpenStackCloud, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "Wr0ng-" + openstack.password
    refused = client(openstack.provider).get(
        "/api/instances", headers=basic("demo+demo", wrong)
    )
    assert refused.status_code == 401
    accepted = client(openstack.provider).get(
        "/api/instances", headers=basic(*openstack.credentials())
    )
    assert accepted.status_code == 200
    for secret in (wrong, openstack.password):
        assert secret not in caplog.text
        assert secret not in refused.get_data(as_text=True)
    assert openstack.password not in repr(
        identity.parse_credentials(Credentials(*openstack.credentials()))
    )


def test_provider_parsing() -> None:
    hp = identity.parse_provider(
        "https://region-a.geo-1.identity.hpcloudsvc.com:35357/v2.0/"
    )
    assert hp.auth_url == "https://region-a.geo-1.identity.hpcloudsvc.com:35357/v3"
    assert hp.mapped_from_v2
    assert hp.region is None
    regional = identity.parse_provider("http://keystone:5000 ; RegionTwo")
    assert (regional.auth_url, regional.region) == (
        "http://keystone:5000/v3",
        "RegionTwo",
    )
    assert identity.parse_provider("http://k/identity/v3/").auth_url == (
        "http://k/identity/v3"
    )


def test_credential_parsing() -> None:
    plain = identity.parse_credentials(Credentials("a+b@c.com+proj", "pw"))
    assert (plain.user, plain.project) == ("a+b@c.com", "proj")
    assert (plain.user_domain, plain.project_domain) == ("Default", "Default")
    rich = identity.parse_credentials(Credentials("ldap/alice+corp/web", "pw"))
    assert (rich.user_domain, rich.user, rich.project_domain, rich.project) == (
        "ldap",
        "alice",
        "corp",
        "web",
    )
