"""Application settings: the data folder, the session cookie, and requests to
frontends that are installed but not enabled."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from deltaflask import create_app
from deltaflask import settings
from deltaflask.errors import ProviderError
from tests.support.helpers import parse_xml

HTML = {"Accept": "text/html"}


def test_session_cookie_is_named_lax_and_http_only(mock_storage):
    app = create_app({"MOCK_STORAGE": str(mock_storage)})
    page = app.test_client().get("/api/drivers", headers=HTML)
    (cookie,) = page.headers.getlist("Set-Cookie")
    attributes = [part.strip() for part in cookie.split(";")]
    assert attributes[0].startswith("deltaflask_session=")
    assert "HttpOnly" in attributes and "SameSite=Lax" in attributes
    assert "Secure" not in attributes


def test_secure_cookies_when_configured(mock_storage, monkeypatch):
    monkeypatch.setenv("DELTAFLASK_SECURE_COOKIES", "1")
    app = create_app({"MOCK_STORAGE": str(mock_storage)})
    page = app.test_client().get("/api/drivers", headers=HTML)
    (cookie,) = page.headers.getlist("Set-Cookie")
    assert "Secure" in [part.strip() for part in cookie.split(";")]


def test_default_data_folder_is_per_user_state(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert settings.default_data_dir() == tmp_path / "state" / "deltaflask"
    monkeypatch.setenv("XDG_STATE_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert settings.default_data_dir() == tmp_path / "home/.local/state/deltaflask"


def test_mock_storage_defaults_to_the_data_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("DELTACLOUD_MOCK_STORAGE", raising=False)
    app = create_app({"DATA": str(tmp_path / "data")})
    assert app.config["MOCK_STORAGE"] == str(tmp_path / "data" / "mock")
    assert (tmp_path / "data").stat().st_mode & 0o777 == 0o700
    assert settings.data_dir(app.config) == tmp_path / "data"


def test_concurrent_starts_agree_on_one_secret_key(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir(mode=0o700)
    keys: list[str] = []
    start = threading.Barrier(8)

    def read_key() -> None:
        start.wait()
        keys.append(settings.stored_secret_key(folder))

    threads = [threading.Thread(target=read_key) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(keys) == 8 and len(set(keys)) == 1
    assert (folder / "secret_key").stat().st_mode & 0o777 == 0o600
    assert [p.name for p in folder.iterdir()] == ["secret_key"]


@pytest.fixture
def api_only(mock_storage: Path):
    return create_app({"MOCK_STORAGE": str(mock_storage)}).test_client()


def test_disabled_ec2_frontend_answers_an_ec2_error(api_only):
    answer = api_only.get("/ec2/?Action=DescribeInstances")
    assert answer.status_code == 400 and answer.mimetype == "text/xml"
    root = parse_xml(answer)
    assert root.tag == "Response"
    message = root.findtext("Errors/Error/Message")
    assert root.findtext("Errors/Error/Code")
    assert "ec2 frontend is not enabled" in message
    assert "-f deltacloud,ec2" in message and "API_FRONTEND=deltacloud,ec2" in message


def test_disabled_cimi_frontend_answers_a_cimi_error(api_only):
    answer = api_only.get("/cimi/cloudEntryPoint")
    assert answer.status_code == 404
    root = parse_xml(answer)
    assert root.tag == "error" and root.findtext("code") == "404"
    assert "-f deltacloud,cimi" in root.findtext("message")
    as_json = api_only.get(
        "/cimi/cloudEntryPoint", headers={"Accept": "application/json"}
    )
    assert as_json.status_code == 404
    assert "cimi frontend is not enabled" in as_json.get_json()["message"]


def test_disabled_classic_frontend_says_how_to_enable_it(mock_storage):
    client = create_app(
        {"MOCK_STORAGE": str(mock_storage), "FRONTENDS": "cimi"}
    ).test_client()
    answer = client.get("/api/instances")
    assert answer.status_code == 404
    assert "-f cimi,deltacloud" in answer.get_data(as_text=True)
    assert client.get("/nosuch").get_data(as_text=True) == "404 Not Found\n"


def test_a_driver_time_out_falls_back_to_the_provider_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SOME_TIMEOUT", raising=False)
    server = {"PROVIDER_TIMEOUT": 7.0}
    assert settings.seconds(server, "SOME_TIMEOUT") == 7.0
    assert settings.seconds(server, "SOME_TIMEOUT", 600.0) == 600.0
    assert settings.seconds({**server, "SOME_TIMEOUT": "2.5"}, "SOME_TIMEOUT") == 2.5
    monkeypatch.setenv("SOME_TIMEOUT", "4")
    assert settings.seconds(server, "SOME_TIMEOUT") == 4.0
    assert settings.seconds({}, "OTHER_TIMEOUT") == settings.PROVIDER_TIMEOUT


@pytest.mark.parametrize("value", ["soon", "0", "-3", "inf", "nan"])
def test_a_time_out_that_is_no_positive_number_is_a_502(value: str) -> None:
    with pytest.raises(ProviderError, match="SOME_TIMEOUT must be a number"):
        settings.seconds({"SOME_TIMEOUT": value}, "SOME_TIMEOUT")
