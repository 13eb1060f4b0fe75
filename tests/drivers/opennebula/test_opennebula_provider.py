"""The provider of the opennebula driver: oned's XML-RPC endpoint. A bare host
(and port) means ``http://host:2633/RPC2``; ``ONE_XMLRPC`` is the default;
the original's OCCI URLs (``-P .../occi``, ``OCCI_URL``) are refused with
what to pass instead."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from deltaflask import create_app
from deltaflask.errors import ValidationFailure
from deltaflask.plugins.opennebula.client import DEFAULT_ENDPOINT
from deltaflask.plugins.opennebula.client import endpoint
from deltaflask.testing.api import answer
from deltaflask.testing.api import error_message
from tests.drivers.opennebula.conftest import ADMIN
from tests.fakes.opennebula.server import FakeOned

pytestmark = pytest.mark.xdist_group("opennebula")
OCCI = "https://cloud.opennebula.org/occi"


@pytest.mark.parametrize(
    ("provider", "expected"),
    [
        ("http://one.example.com:2633/RPC2", "http://one.example.com:2633/RPC2"),
        ("https://one.example.com/RPC2", "https://one.example.com/RPC2"),
        ("one.example.com", "http://one.example.com:2633/RPC2"),
        ("one.example.com:2700", "http://one.example.com:2700/RPC2"),
        ("https://one.example.com/", "https://one.example.com:2633/RPC2"),
    ],
)
def test_a_provider_names_the_xml_rpc_endpoint(provider: str, expected: str) -> None:
    assert endpoint(provider, {}) == expected


def test_without_a_provider_one_xmlrpc_then_the_local_oned() -> None:
    assert endpoint(None, {"ONE_XMLRPC": "one:2633"}) == "http://one:2633/RPC2"
    assert endpoint(None, {}) == DEFAULT_ENDPOINT == "http://localhost:2633/RPC2"
    chosen = endpoint("http://a:2633/RPC2", {"OCCI_URL": OCCI, "ONE_XMLRPC": "b"})
    assert chosen == "http://a:2633/RPC2"


@pytest.mark.parametrize(
    "provider",
    [OCCI, "http://one.example.com:4567", "http://one.example.com:4567/compute"],
)
def test_an_occi_url_is_refused_with_what_to_pass(provider: str) -> None:
    with pytest.raises(ValidationFailure) as raised:
        endpoint(provider, {})
    message = raised.value.message
    assert "OCCI" in message and "http://<oned host>:2633/RPC2" in message


@pytest.mark.parametrize("provider", ["ftp://one/RPC2", "http://", "http://one:99999"])
def test_a_provider_that_is_no_url_is_refused(provider: str) -> None:
    with pytest.raises(ValidationFailure):
        endpoint(provider, {})


def test_the_occi_url_variable_is_refused_through_the_api(
    oned: FakeOned, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ONE_XMLRPC", raising=False)
    monkeypatch.setenv("OCCI_URL", OCCI)
    app = create_app({"TESTING": True, "DRIVER": "opennebula", "PROVIDER": None})
    response = app.test_client().get("/api/images", headers=ADMIN)
    message = error_message(response, 400)
    assert "OCCI_URL" in message and "-P http://<oned host>:2633/RPC2" in message
    assert oned.calls == []


def test_an_occi_provider_header_is_400(one: FlaskClient, oned: FakeOned) -> None:
    headers = {**ADMIN, "X-Deltacloud-Provider": OCCI}
    assert "OCCI" in error_message(one.get("/api/images", headers=headers), 400)
    assert oned.calls == []


def test_one_xmlrpc_reaches_oned_when_no_provider_is_given(
    oned: FakeOned, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONE_XMLRPC", oned.endpoint)
    monkeypatch.setenv("OCCI_URL", OCCI)
    app = create_app({"TESTING": True, "DRIVER": "opennebula", "PROVIDER": None})
    realms = answer(app.test_client().get("/api/realms", headers=ADMIN))["realms"]
    assert [r["id"] for r in realms] == ["0", "100"]


def test_a_bare_host_and_port_reaches_oned(one: FlaskClient, oned: FakeOned) -> None:
    host_port = oned.endpoint.removeprefix("http://").removesuffix("/RPC2")
    headers = {**ADMIN, "X-Deltacloud-Provider": host_port}
    images = answer(one.get("/api/images", headers=headers))["images"]
    assert [i["name"] for i in images] == ["ttylinux", "ubuntu-22.04", "debian-arm"]
