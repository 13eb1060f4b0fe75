"""CIMI on the rhevm driver: its provider is a URL, which cannot name a CIMI
store folder as it is (the scope uses a hash of it), and machines and volumes
are made and listed through the engine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from deltaflask import create_app
from tests.fakes.rhevm.server import EngineServer
from tests.fakes.rhevm.state import EngineState
from tests.support.rhevm_engine import credentials_header
from tests.support.rhevm_engine import engine as engine
from tests.support.rhevm_engine import rhevm_server as rhevm_server

pytestmark = pytest.mark.xdist_group("rhevm")
HEADERS = {**credentials_header(), "Content-Type": "application/json"}
BASE = "http://localhost/cimi"


@pytest.fixture
def cimi(
    rhevm_server: EngineServer, engine: EngineState, tmp_path: Path
) -> FlaskClient:
    app = create_app(
        {
            "TESTING": True,
            "DRIVER": "rhevm",
            "PROVIDER": rhevm_server.url,
            "FRONTENDS": "deltacloud,cimi",
            "CIMI_STORAGE": str(tmp_path / "cimi"),
        }
    )
    return app.test_client()


def test_machine_images_list_the_templates(
    cimi: FlaskClient, engine: EngineState
) -> None:
    listed = cimi.get("/cimi/machine_images", headers=HEADERS)
    assert listed.status_code == 200, listed.get_data(as_text=True)
    ids = {m["id"].rsplit("/", 1)[-1] for m in listed.get_json()["machineImages"]}
    assert ids == set(engine.templates)


def test_machine_and_volume_made_on_the_engine(
    cimi: FlaskClient, engine: EngineState
) -> None:
    template = next(t for t, v in engine.templates.items() if v["name"] == "rhel9")
    body = {
        "resourceURI": "http://schemas.dmtf.org/cimi/1/MachineCreate",
        "name": "cimi-web",
        "machineTemplate": {
            "machineConfig": {"href": f"{BASE}/machine_configurations/Small"},
            "machineImage": {"href": f"{BASE}/machine_images/{template}"},
        },
    }
    made = cimi.post("/cimi/machines", data=json.dumps(body), headers=HEADERS)
    assert made.status_code == 201, made.get_data(as_text=True)
    (vm,) = engine.vms.values()
    assert (vm["name"], vm["template"], vm["status"]) == ("cimi-web", template, "up")
    volume = {
        "resourceURI": "http://schemas.dmtf.org/cimi/1/VolumeCreate",
        "name": "data",
        "volumeTemplate": {"volumeConfig": {"capacity": 1048576}},
    }
    made = cimi.post("/cimi/volumes", data=json.dumps(volume), headers=HEADERS)
    assert made.status_code == 201, made.get_data(as_text=True)
    (disk,) = engine.disks.values()
    assert (disk["name"], disk["provisioned_size"]) == ("data", 1024**3)
    root = list(Path(cimi.application.config["CIMI_STORAGE"]).iterdir())
    assert all("/" not in p.name and "127.0.0.1" not in p.name for p in root)
