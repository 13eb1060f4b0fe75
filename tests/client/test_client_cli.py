"""``deltaflask-cli`` as a shell script runs it, against live servers: every
collection, actions with --wait, output formats, credentials, exit codes,
blobs with a progress bar, and a large put interrupted and resumed."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from defusedxml import ElementTree

from deltaflask.client.client import KINDS
from tests.client.support import Api
from tests.client.support import make_file
from tests.client.support import sha256_of
from tests.support.moto_server import free_port

CLI = str(Path(sys.executable).parent / "deltaflask-cli")
MIB = 1024 * 1024


def cli(
    api: Api, *args: str, env: dict[str, str] | None = None, code: int = 0
) -> subprocess.CompletedProcess[str]:
    """Run the command line; its exit code must be ``code``."""
    done = subprocess.run(
        [CLI, *args],
        env=env or api.cli_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == code, (done.returncode, done.stdout, done.stderr)
    return done


def as_json(api: Api, *args: str) -> object:
    return json.loads(cli(api, "-o", "json", *args).stdout)


def test_help_shows_examples_and_exit_codes(mock_api: Api) -> None:
    shown = cli(mock_api, "--help").stdout
    assert "examples:" in shown and "exit codes:" in shown
    assert "deltaflask-cli instances stop inst0 --wait STOPPED" in shown
    assert "stop" in cli(mock_api, "instances", "--help").stdout


@pytest.mark.parametrize("name", sorted(KINDS))
def test_every_collection_lists_and_shows(mock_api: Api, name: str) -> None:
    items = as_json(mock_api, name, "list")
    assert isinstance(items, list) and items
    first = items[0]["id"]
    table = cli(mock_api, name, "list").stdout
    assert "ID" in table.splitlines()[0] and first in table
    assert as_json(mock_api, name, "show", first)["id"] == first


def test_table_and_xml_output(mock_api: Api) -> None:
    listed = ElementTree.fromstring(
        cli(mock_api, "-o", "xml", "instances", "list").stdout
    )
    assert listed.tag == "instances" and listed.find("instance") is not None
    shown = ElementTree.fromstring(
        cli(mock_api, "-o", "xml", "realms", "show", "us").stdout
    )
    assert shown.get("id") == "us"
    details = cli(mock_api, "realms", "show", "us").stdout
    assert "United States" in details and "AVAILABLE" in details
    running = cli(mock_api, "instances", "list", "state=RUNNING").stdout.splitlines()
    assert running[0].split()[:3] == ["ID", "NAME", "STATE"]


def test_api_and_instance_states(mock_api: Api) -> None:
    offered = as_json(mock_api, "api")
    assert offered["driver"] == "mock" and "instances" in offered["collections"]
    assert "running" in cli(mock_api, "instance_states").stdout
    assert "instances" in cli(mock_api, "api").stdout


def test_instance_lifecycle_with_wait(mock_api: Api) -> None:
    created = as_json(
        mock_api,
        "instances",
        "create",
        "image_id=img1",
        "name=cli-vm",
        "--wait",
        "RUNNING",
    )
    vm = created["id"]
    assert created["name"] == "cli-vm"
    assert (
        as_json(mock_api, "instances", "stop", vm, "--wait", "STOPPED")["state"]
        == "STOPPED"
    )
    assert (
        as_json(mock_api, "instances", "start", vm, "--wait", "running")["state"]
        == "RUNNING"
    )
    listed = as_json(mock_api, "instances", "list", "state=RUNNING")
    assert vm in [i["id"] for i in listed]
    cli(mock_api, "instances", "stop", vm, "--wait", "STOPPED")
    assert cli(mock_api, "instances", "destroy", vm, "--wait", "gone").stdout == ""
    cli(mock_api, "instances", "show", vm, code=4)


def test_volume_address_and_firewall_actions(mock_api: Api) -> None:
    volume = as_json(mock_api, "storage_volumes", "create", "capacity=1")["id"]
    attached = as_json(
        mock_api,
        "storage_volumes",
        "attach",
        volume,
        "instance_id=inst0",
        "device=/dev/sdg",
        "--wait",
        "IN-USE",
    )
    assert (attached["instance"]["id"], attached["device"]) == ("inst0", "/dev/sdg")
    cli(mock_api, "storage_volumes", "detach", volume, "--wait", "AVAILABLE")
    snapshot = as_json(mock_api, "storage_volumes", "snapshot", volume)
    assert snapshot["storage_volume"]["id"] == volume
    cli(mock_api, "storage_snapshots", "destroy", snapshot["id"])
    cli(mock_api, "storage_volumes", "destroy", volume)
    address = as_json(mock_api, "addresses", "create")["id"]
    cli(mock_api, "addresses", "associate", address, "instance_id=inst0")
    assert as_json(mock_api, "addresses", "show", address)["instance_id"] == "inst0"
    cli(mock_api, "addresses", "disassociate", address)
    firewall = as_json(mock_api, "firewalls", "create", "name=cli-fw", "description=d")
    ruled = as_json(
        mock_api,
        "firewalls",
        "add_rule",
        firewall["id"],
        "protocol=tcp",
        "port_from=8080",
        "port_to=8080",
        "ip_address1=10.1.0.0/16",
    )
    (rule,) = ruled["rules"]
    emptied = as_json(
        mock_api, "firewalls", "delete_rule", firewall["id"], f"rule_id={rule['id']}"
    )
    assert emptied["rules"] == []


def test_exit_codes_a_script_can_rely_on(mock_api: Api, tmp_path: Path) -> None:
    missing = cli(mock_api, "instances", "show", "nope", code=4)
    assert (
        missing.stderr
        == "deltaflask-cli: error: Instance 'nope' not found (HTTP 404)\n"
    )
    cli(mock_api, "instances", "create", code=2)  # no image_id: the server's 400
    cli(mock_api, "instances", "dance", "inst0", code=2)  # no such verb
    cli(mock_api, "instances", "show", code=2)  # no id
    refused = cli(mock_api, "instances", "start", "inst0", code=6)
    assert "no 'start' in state RUNNING" in refused.stderr
    cli(
        mock_api,
        "instances",
        "reboot",
        "inst0",
        "--wait",
        "NEVER",
        "--timeout",
        "1",
        code=7,
    )
    closed = {
        **mock_api.cli_env(),
        "DELTAFLASK_URL": f"http://127.0.0.1:{free_port()}/api",
    }
    cli(mock_api, "realms", "list", env=closed, code=8)
    target = tmp_path / "never.bin"
    cli(mock_api, "blob", "get", "bucket1", "nope", str(target), code=4)
    assert list(tmp_path.iterdir()) == []  # no partial file left behind
    (tmp_path / "hi.txt").write_text("hi")
    put = cli(
        mock_api, "blob", "put", "nobucket", "hi", str(tmp_path / "hi.txt"), code=4
    )
    assert "Bucket 'nobucket' not found" in put.stderr


def test_bad_credentials_are_refused_and_never_echoed(mock_api: Api) -> None:
    secret = "s3cret-not-this-one"
    done = cli(mock_api, "--password", secret, "instances", "list", code=3)
    assert secret not in done.stdout + done.stderr
    assert "Authentication" in done.stderr


def test_credentials_from_a_config_file(mock_api: Api, tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in mock_api.cli_env().items()
        if k not in ("DELTAFLASK_USER", "DELTAFLASK_PASSWORD")
    }
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    cli(mock_api, "instances", "list", env=env, code=3)  # no credentials at all
    config = Path(env["XDG_CONFIG_HOME"]) / "deltaflask" / "client.ini"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("[deltaflask]\nuser = mockuser\npassword = mockpassword\n")
    config.chmod(0o600)
    quiet = cli(mock_api, "instances", "list", env=env)
    assert "inst0" in quiet.stdout and quiet.stderr == ""
    config.chmod(0o644)
    warned = cli(mock_api, "instances", "list", env=env)
    assert "readable by others" in warned.stderr and "mockpassword" not in warned.stderr
    other = tmp_path / "other.ini"
    other.write_text("[deltaflask]\nuser = mockuser\npassword = wrong\n")
    other.chmod(0o600)
    cli(mock_api, "--config", str(other), "realms", "list", env=env, code=3)
    # an option wins over the file
    cli(
        mock_api,
        "--config",
        str(other),
        "--password",
        "mockpassword",
        "realms",
        "list",
        env=env,
    )


def test_blob_put_and_get_with_progress_bar(mock_api: Api, tmp_path: Path) -> None:
    cli(mock_api, "buckets", "create", "name=cli-blobs")
    source = tmp_path / "twelve.bin"
    expected = make_file(source, 12)
    put = cli(
        mock_api,
        "-o",
        "json",
        "blob",
        "put",
        "cli-blobs",
        "twelve.bin",
        str(source),
        "--threshold",
        "4",
        "--part-size",
        "5",
        "--parallel",
        "3",
        "--meta",
        "origin=cli",
    )
    assert json.loads(put.stdout)["content_length"] == 12 * MIB
    assert "12.0/12.0 MiB" in put.stderr
    copy = tmp_path / "copy.bin"
    got = cli(mock_api, "blob", "get", "cli-blobs", "twelve.bin", str(copy))
    assert "12.0/12.0 MiB" in got.stderr
    assert sha256_of(copy) == expected
    shown = as_json(mock_api, "blob", "show", "cli-blobs", "twelve.bin")
    assert shown["user_metadata"] == {"origin": "cli"}
    assert "twelve.bin" in cli(mock_api, "blob", "list", "cli-blobs").stdout
    small = subprocess.run(
        [CLI, "blob", "put", "cli-blobs", "piped", "-", "--no-progress"],
        input=b"from a pipe",
        env=mock_api.cli_env(),
        capture_output=True,
        timeout=60,
    )
    assert small.returncode == 0 and small.stderr == b""
    out = subprocess.run(
        [CLI, "blob", "get", "cli-blobs", "piped", "-"],
        env=mock_api.cli_env(),
        capture_output=True,
        timeout=60,
    )
    assert out.stdout == b"from a pipe"
    cli(mock_api, "blob", "destroy", "cli-blobs", "piped")
    cli(mock_api, "blob", "show", "cli-blobs", "piped", code=4)


def test_a_large_put_interrupted_resumes_where_it_stopped(
    gunicorn_api: Api, tmp_path: Path
) -> None:
    cli(gunicorn_api, "buckets", "create", "name=cli-resume")
    source = tmp_path / "big.bin"
    expected = make_file(source, 96)
    args = [
        CLI,
        "blob",
        "put",
        "cli-resume",
        "big.bin",
        str(source),
        "--threshold",
        "8",
        "--part-size",
        "8",
        "--parallel",
        "1",
        "--no-progress",
    ]
    env = gunicorn_api.cli_env()
    state_dir = Path(env["XDG_STATE_HOME"]) / "deltaflask" / "uploads"
    first = subprocess.Popen(
        args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and first.poll() is None:
        states = list(state_dir.glob("*.json")) if state_dir.exists() else []
        if states and len(json.loads(states[0].read_text())["parts"]) >= 2:
            break
        time.sleep(0.05)
    first.send_signal(signal.SIGINT)
    _, stderr = first.communicate(timeout=60)
    assert first.returncode == 130, stderr
    assert b"interrupted" in stderr
    (state,) = state_dir.glob("*.json")
    recorded = len(json.loads(state.read_text())["parts"])
    assert 2 <= recorded < 12
    resumed = cli(gunicorn_api, "-o", "json", *args[1:])
    assert json.loads(resumed.stdout)["content_length"] == 96 * MIB
    assert list(state_dir.glob("*.json")) == []
    copy = tmp_path / "copy.bin"
    cli(
        gunicorn_api, "blob", "get", "cli-resume", "big.bin", str(copy), "--no-progress"
    )
    assert sha256_of(copy) == expected


def test_every_collection_of_ec2_and_a_driver_switch(ec2_api: Api) -> None:
    offered = as_json(ec2_api, "api")["collections"]
    for name in sorted(set(KINDS) & set(offered)):
        assert isinstance(as_json(ec2_api, name, "list"), list), name
    lacking = cli(ec2_api, "metrics", "list", code=6)
    assert "ec2 driver offers no metrics" in lacking.stderr
    switched = as_json(
        ec2_api,
        "--driver",
        "mock",
        "--user",
        "mockuser",
        "--password",
        "mockpassword",
        "api",
    )
    assert switched["driver"] == "mock"
    regions = as_json(ec2_api, "--provider", "eu-west-1", "api")
    assert regions["provider"] == "eu-west-1"
