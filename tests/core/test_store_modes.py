"""The CIMI store and the mock cloud (its seed, blobs and segments) are
owner-only (folders 0700, files 0600) whatever the umask, and the CIMI store's default
folder is never one other servers or users share."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from deltaflask import create_app
from deltaflask.plugins.cimi.store import storage_root
from tests.support.auth import MOCK_AUTH
from tests.support.blobs import initiate
from tests.support.blobs import segment

AUTH = {"Authorization": MOCK_AUTH}
JSON = {**AUTH, "Accept": "application/json"}


@pytest.fixture
def no_umask() -> Iterator[None]:
    """Run with umask 0, so only the code's own modes protect the files."""
    before = os.umask(0)
    try:
        yield
    finally:
        os.umask(before)


def _modes(folder: Path) -> dict[str, int]:
    """Every path under ``folder`` (itself included) -> its permission bits."""
    found = {".": stat.S_IMODE(folder.stat().st_mode)}
    for path in folder.rglob("*"):
        found[str(path.relative_to(folder))] = stat.S_IMODE(path.lstat().st_mode)
    return found


def _owner_only(modes: dict[str, int], root: Path) -> None:
    for name, mode in modes.items():
        expected = 0o700 if (root / name).is_dir() else 0o600
        assert mode == expected, f"{name}: {oct(mode)}"


@pytest.mark.usefixtures("no_umask")
def test_cimi_store_is_owner_only(tmp_path: Path) -> None:
    cimi_root = tmp_path / "data" / "cimi"
    app = create_app(
        {
            "TESTING": True,
            "MOCK_STORAGE": str(tmp_path / "mock"),
            "CIMI_STORAGE": str(cimi_root),
            "FRONTENDS": ["cimi"],
        }
    )
    client = app.test_client()
    body = {"format": "ext3", "capacity": 1048576}
    response = client.post("/cimi/volume_configurations", json=body, headers=JSON)
    assert response.status_code == 201, response.get_data(as_text=True)
    path = response.get_json()["id"].removeprefix("http://localhost")
    assert client.put(path, json={"name": "x"}, headers=JSON).status_code == 200
    modes = _modes(tmp_path / "data")
    assert len(modes) > 10  # folders, seeded entities, the new one, the lock
    _owner_only(modes, tmp_path / "data")


@pytest.mark.usefixtures("no_umask")
def test_mock_cloud_is_owner_only(tmp_path: Path) -> None:
    storage = tmp_path / "mock"
    client = create_app({"TESTING": True, "MOCK_STORAGE": str(storage)}).test_client()
    response = client.post("/api/buckets", data={"name": "fresh"}, headers=AUTH)
    assert response.status_code == 201, response.get_data(as_text=True)
    response = client.put("/api/buckets/fresh/one", data=b"bytes", headers=AUTH)
    assert response.status_code == 200, response.get_data(as_text=True)
    upload = initiate(client, AUTH)
    segment(client, AUTH, upload, 1, b"part")
    _owner_only(_modes(storage), storage)  # the seed copied in included


def test_cimi_default_folder_is_private_to_the_server(tmp_path: Path) -> None:
    """Beside the default mock cloud: ``cimi`` in the server's data folder;
    with a configured mock cloud folder (whose parent may be shared): inside it."""
    data = tmp_path / "data"
    default = {"DATA": str(data), "MOCK_STORAGE": str(data / "mock")}
    assert storage_root(default) == data / "cimi"
    mock = tmp_path / "mock"
    assert storage_root({"MOCK_STORAGE": str(mock)}) == mock / ".cimi"
    configured = {"MOCK_STORAGE": str(mock), "CIMI_STORAGE": str(tmp_path / "c")}
    assert storage_root(configured) == tmp_path / "c"


def test_store_and_sweep_settings_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CIMI_STORAGE", str(tmp_path / "cimi-here"))
    monkeypatch.setenv("DELTAFLASK_TMP_MAX_AGE", "5")
    monkeypatch.setenv("DELTAFLASK_SEGMENT_MAX_AGE", "7")
    monkeypatch.setenv("DELTAFLASK_SWEEP_INTERVAL", "0")
    app = create_app({"MOCK_STORAGE": str(tmp_path / "mock")})
    assert storage_root(app.config) == tmp_path / "cimi-here"
    assert (app.config["TMP_MAX_AGE"], app.config["SEGMENT_MAX_AGE"]) == (5.0, 7.0)
    assert app.config["SWEEP_INTERVAL"] == 0.0


def test_reading_any_provider_writes_no_cimi_scope(tmp_path: Path) -> None:
    """Unwritten scopes read one pristine copy of the seed: reads and refused
    requests, whatever provider they name, create no folder; the first write
    gives the scope its own copy."""
    app = create_app(
        {"TESTING": True, "MOCK_STORAGE": str(tmp_path / "mock"), "FRONTENDS": "cimi"}
    )
    client = app.test_client()
    root = storage_root(app.config)
    before = sorted(path.name for path in root.iterdir())
    for provider in ("anything", "eu", "x" * 100):
        headers = {**JSON, "X-Deltacloud-Provider": provider}
        listed = client.get("/cimi/address_templates", headers=headers)
        assert listed.status_code == 200
        assert listed.get_json()["addressTemplates"]  # the seed's
        missing = client.get("/cimi/address_templates/nosuch", headers=headers)
        assert missing.status_code == 404
        gone = client.delete("/cimi/address_templates/nosuch", headers=headers)
        assert gone.status_code == 404
    assert sorted(path.name for path in root.iterdir()) == before
    template = listed.get_json()["addressTemplates"][0]["id"].rsplit("/", 1)[-1]
    deleted = client.delete(f"/cimi/address_templates/{template}", headers=headers)
    assert deleted.status_code == 200
    assert len(list(root.iterdir())) == len(before) + 1
    again = client.get("/cimi/address_templates", headers=headers).get_json()
    assert template not in [
        t["id"].rsplit("/", 1)[-1] for t in again["addressTemplates"]
    ]
    other = client.get("/cimi/address_templates", headers=JSON).get_json()
    assert template in [t["id"].rsplit("/", 1)[-1] for t in other["addressTemplates"]]
