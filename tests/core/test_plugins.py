"""The plugin system: hooks, entry points, soft failures, a pip-installed plugin."""

from __future__ import annotations

import subprocess
import sys

import pytest
from flask import Blueprint
from flask import Response

from deltaflask import DriverSpec
from deltaflask import FrontendSpec
from deltaflask import create_app
from deltaflask import hookimpl
from deltaflask.drivers import BaseDriver
from deltaflask.drivers import Credentials
from deltaflask.plugin_manager import get_plugin_manager
from deltaflask.state import state
from tests.support.helpers import parse_xml
from tests.support.paths import SAMPLE_PLUGIN

SAMPLE = SAMPLE_PLUGIN


def test_every_hook_has_a_test():
    pm, _ = get_plugin_manager(load_entrypoints=False)
    hooks = {name for name in dir(pm.hook) if not name.startswith("_")}
    tested = {
        name[len("test_hook_") :] for name in globals() if name.startswith("test_hook_")
    }
    assert hooks == tested


def test_builtins_come_from_entry_points(app):
    registry = state(app).registry
    assert "mock" in registry.drivers
    assert "deltacloud" in registry.frontends
    names = {name for name, _ in state(app).pm.list_name_plugin()}
    assert {"mock", "deltacloud"} <= names


def test_without_entry_points_there_is_no_frontend(tmp_path):
    with pytest.raises(ValueError, match="Unknown frontend"):
        create_app({"LOAD_ENTRYPOINTS": False, "MOCK_STORAGE": str(tmp_path)})


def test_blocked_plugin_is_not_loaded(tmp_path):
    app = create_app(
        {"MOCK_STORAGE": str(tmp_path), "DISABLED_PLUGINS": "mock", "DRIVER": "mock"}
    )
    assert "mock" not in state(app).registry.drivers
    response = app.test_client().get("/api/realms")
    assert response.status_code == 404


class Ghost:
    """A plugin registering a driver whose SDK is missing."""

    @hookimpl
    def register_drivers(self):
        return [DriverSpec("ghost", "Ghost", "ghost_cloud_sdk.driver:Ghost", "ghost")]


def test_hook_register_drivers(tmp_path):
    app = create_app({"MOCK_STORAGE": str(tmp_path), "EXTRA_PLUGINS": [Ghost()]})
    client = app.test_client()
    drivers = parse_xml(client.get("/api/drivers"))
    ghost = drivers.find("driver[@id='ghost']")
    assert ghost.get("available") == "false"
    assert "ghost_cloud_sdk" in ghost.findtext("reason")
    assert client.get("/api;driver=ghost/realms").status_code == 404
    assert client.get("/api").status_code == 200


class Echo:
    """A frontend plugin mounted at /echo."""

    @hookimpl
    def register_frontends(self):
        def create(app):
            bp = Blueprint("echo", __name__)
            bp.add_url_rule("/", "hello", lambda: "hello")
            return bp

        return [
            FrontendSpec("echo", "/echo", create, lambda exc: Response("oops", 418))
        ]


def test_hook_register_frontends(tmp_path):
    app = create_app(
        {"MOCK_STORAGE": str(tmp_path), "EXTRA_PLUGINS": [Echo()], "FRONTENDS": "echo"}
    )
    client = app.test_client()
    assert client.get("/echo/").get_data() == b"hello"
    assert client.get("/echo/nosuch").status_code == 418
    assert client.get("/api").status_code == 404


class FixedCredentials:
    """Credentials from a custom header."""

    @hookimpl
    def credentials_from_request(self, request):
        token = request.headers.get("X-Token")
        return Credentials("mockuser", "mockpassword") if token == "ok" else None


def test_hook_credentials_from_request(tmp_path):
    app = create_app(
        {"MOCK_STORAGE": str(tmp_path), "EXTRA_PLUGINS": [FixedCredentials()]}
    )
    client = app.test_client()
    assert client.get("/api/instances", headers={"X-Token": "ok"}).status_code == 200
    assert client.get("/api/instances").status_code == 401


def test_server_wide_credentials(tmp_path):
    app = create_app(
        {
            "MOCK_STORAGE": str(tmp_path),
            "API_USER": "mockuser",
            "API_PASSWORD": "mockpassword",
        }
    )
    assert app.test_client().get("/api/instances").status_code == 200


class Banner:
    """Adds a route through prepare_app."""

    @hookimpl
    def prepare_app(self, app):
        app.add_url_rule("/banner", "banner", lambda: "deltaflask")


def test_hook_prepare_app(tmp_path):
    app = create_app({"MOCK_STORAGE": str(tmp_path), "EXTRA_PLUGINS": [Banner()]})
    assert app.test_client().get("/banner").get_data() == b"deltaflask"


def test_capabilities_are_derived_from_overrides():
    class RealmsOnly(BaseDriver):
        def realms(self, filters):
            return []

    assert RealmsOnly.supports("realms")
    assert not RealmsOnly.supports("instances")
    assert RealmsOnly.capabilities() == {"realms"}
    assert RealmsOnly.collections() == ["realms"]


@pytest.fixture(scope="module")
def sample_installed():
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run(
        [*pip, "install", "--no-build-isolation", "--no-deps", str(SAMPLE)], check=True
    )
    yield
    subprocess.run([*pip, "uninstall", "-y", "deltaflask-sample"], check=True)


@pytest.mark.xdist_group("wheel")  # builds the sample plugin: one at a time
def test_pip_installed_plugin_is_listed_and_selectable(sample_installed, tmp_path):
    app = create_app({"MOCK_STORAGE": str(tmp_path)})
    client = app.test_client()
    drivers = parse_xml(client.get("/api/drivers"))
    assert drivers.find("driver[@id='sample']").findtext("name") == "Sample"
    broken = drivers.find("driver[@id='sample_broken']")
    assert broken.get("available") == "false"
    assert "fancy cloud SDK" in broken.findtext("reason")
    sdkless = drivers.find("driver[@id='sample_sdkless']")
    assert "deltaflask_sample_missing_sdk" in sdkless.findtext("reason")
    realms = client.get("/api;driver=sample/realms?format=json").get_json()
    assert [r["id"] for r in realms["realms"]] == ["sample-zone"]
    entry = parse_xml(client.get("/api;driver=sample"))
    assert [link.get("rel") for link in entry.findall("link")] == ["drivers", "realms"]
    assert client.get("/api/realms?format=json").status_code == 401


class LazySdk:
    """A driver whose module imports fine but whose SDK (imported lazily, as
    the ec2 driver's boto3) is not installed."""

    @hookimpl
    def register_drivers(self):
        return [
            DriverSpec(
                "lazy",
                "Lazy",
                "deltaflask.plugins.mock.driver:MockDriver",
                sdk_extra="lazy",
                requires=("deltaflask_absent_sdk",),
            )
        ]


def test_driver_without_its_declared_sdk_is_unavailable(tmp_path, auth):
    app = create_app({"MOCK_STORAGE": str(tmp_path), "EXTRA_PLUGINS": [LazySdk()]})
    client = app.test_client()
    reason = (
        "its SDK is not installed: no module deltaflask_absent_sdk "
        "(pip install 'deltaflask[lazy]')"
    )
    lazy = parse_xml(client.get("/api/drivers")).find("driver[@id='lazy']")
    assert lazy.get("available") == "false" and lazy.findtext("reason") == reason
    listed = client.get("/api/drivers?format=json").get_json()["lazy"]
    assert listed["available"] is False and listed["reason"] == reason
    page = client.get("/api/drivers", headers={"Accept": "text/html"})
    assert reason in page.get_data(as_text=True).replace("&#39;", "'")
    refused = client.get(
        "/api/instances", headers={**auth, "X-Deltacloud-Driver": "lazy"}
    )
    assert refused.status_code == 404
    assert reason in parse_xml(refused).findtext("message")
    assert state(app).registry.unavailable_reason("lazy") == (
        f"driver 'lazy' is unavailable: {reason}"
    )


def test_hook_cimi_seed(tmp_path):
    from tests.support.demo_driver import DEMO_PASSWORD
    from tests.support.demo_driver import DEMO_USER
    from tests.support.demo_driver import cimi_names
    from tests.support.demo_driver import demo_app

    seed = tmp_path / "seed"
    (seed / "network_template").mkdir(parents=True)
    (seed / "network_template" / "only.json").write_text(
        '{"id": "http://cimi.example.org/network_templates/only", "name": "only"}'
    )
    app = demo_app(tmp_path / "data", seed=seed)
    assert cimi_names(app, "demo", DEMO_USER, DEMO_PASSWORD) == {"only"}
