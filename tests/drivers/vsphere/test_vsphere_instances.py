"""Cloning and the power state machine of the vsphere driver, on a real vcsim:
through /api and on the driver object, checked against vcsim with pyvmomi."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from deltaflask.drivers import InstanceCreate
from deltaflask.errors import Conflict
from deltaflask.errors import ObjectNotFound
from deltaflask.models import InstanceState
from deltaflask.plugins.vsphere.driver import VsphereDriver
from tests.support.vcsim import Vcsim

pytestmark = pytest.mark.xdist_group("vcsim")

Headers = dict[str, str]


def _vm(server: Vcsim, vm_id: str) -> tuple[str, int, int, str]:
    """(power state, vCPUs, memory MB, name) of a VM, as vcsim has it."""
    from pyVim.connect import Disconnect
    from pyVmomi import vim

    instance = server.connect()
    try:
        vm = vim.VirtualMachine(vm_id, instance._stub)
        hardware = vm.config.hardware
        return vm.runtime.powerState, hardware.numCPU, hardware.memoryMB, vm.name
    finally:
        Disconnect(instance)


def _post(client: FlaskClient, auth: Headers, path: str, status: int) -> dict:
    response = client.post(path, headers=auth)
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def test_clone_resize_and_power_cycle_through_api(
    vsphere_client: FlaskClient,
    vsphere_auth: Headers,
    templates: dict[str, str],
    vcsim: Vcsim,
) -> None:
    small = templates["DC0_H0_VM1"]
    created = vsphere_client.post(
        "/api/instances",
        data={"image_id": small, "name": "sm-web", "hwp_id": "2cpu-64mb"},
        headers=vsphere_auth,
    )
    assert created.status_code == 201, created.get_data(as_text=True)
    instance = created.get_json()["instance"]
    vm_id = instance["id"]
    assert (instance["name"], instance["state"]) == ("sm-web", "RUNNING")
    assert instance["image"]["id"] == small
    assert instance["hardware_profile"]["id"] == "2cpu-64mb"
    assert _vm(vcsim, vm_id) == ("poweredOn", 2, 64, "sm-web")

    path = f"/api/instances/{vm_id}"
    assert (
        _post(vsphere_client, vsphere_auth, f"{path}/stop", 202)["state"] == "STOPPED"
    )
    assert _vm(vcsim, vm_id)[0] == "poweredOff"
    # the state machine refuses what vSphere would refuse
    _post(vsphere_client, vsphere_auth, f"{path}/stop", 405)
    _post(vsphere_client, vsphere_auth, f"{path}/reboot", 405)
    assert (
        _post(vsphere_client, vsphere_auth, f"{path}/start", 202)["state"] == "RUNNING"
    )
    assert (
        _post(vsphere_client, vsphere_auth, f"{path}/reboot", 202)["state"] == "RUNNING"
    )
    assert _vm(vcsim, vm_id)[0] == "poweredOn"
    refused = vsphere_client.delete(path, headers=vsphere_auth)
    assert refused.status_code == 405
    _post(vsphere_client, vsphere_auth, f"{path}/stop", 202)
    assert vsphere_client.delete(path, headers=vsphere_auth).status_code == 204
    assert vsphere_client.get(path, headers=vsphere_auth).status_code == 404


def test_template_size_is_kept_without_a_profile(
    vsphere: VsphereDriver, templates: dict[str, str], vcsim: Vcsim
) -> None:
    big = templates["DC0_C0_RP0_VM1"]
    [instance] = vsphere.create_instance(InstanceCreate(image_id=big, name="big-1"))
    assert instance.profile is not None and instance.profile.id == "2cpu-64mb"
    assert _vm(vcsim, instance.id)[1:3] == (2, 64)
    vsphere.stop_instance(instance.id)
    vsphere.destroy_instance(instance.id)


def test_initial_state_stopped_leaves_the_clone_off(
    vsphere: VsphereDriver, templates: dict[str, str], vcsim: Vcsim
) -> None:
    [instance] = vsphere.create_instance(
        InstanceCreate(
            image_id=templates["DC0_H0_VM1"],
            name="cold",
            initial_state=InstanceState.STOPPED,
        )
    )
    assert instance.state is InstanceState.STOPPED
    assert vsphere.instance_actions(instance) == ["start", "destroy"]
    assert _vm(vcsim, instance.id)[0] == "poweredOff"
    vsphere.destroy_instance(instance.id)
    assert vsphere.instance(instance.id) is None


def test_wrong_power_state_is_409_from_vsphere(
    vsphere: VsphereDriver, templates: dict[str, str]
) -> None:
    """Called directly (no state machine in front), vSphere's own refusals
    (InvalidPowerState) come back as 409."""
    [instance] = vsphere.create_instance(
        InstanceCreate(image_id=templates["DC0_H0_VM1"], name="twice")
    )
    with pytest.raises(Conflict, match="InvalidPowerState"):
        vsphere.start_instance(instance.id)
    with pytest.raises(Conflict, match="InvalidPowerState"):
        vsphere.destroy_instance(instance.id)
    vsphere.stop_instance(instance.id)
    with pytest.raises(Conflict, match="InvalidPowerState"):
        vsphere.stop_instance(instance.id)
    vsphere.destroy_instance(instance.id)
    with pytest.raises(ObjectNotFound):
        vsphere.destroy_instance(instance.id)


def test_instance_count_names_and_realm_placement(
    vsphere_client: FlaskClient,
    vsphere_auth: Headers,
    templates: dict[str, str],
) -> None:
    realms = vsphere_client.get("/api/realms", headers=vsphere_auth).get_json()
    cluster = next(r["id"] for r in realms["realms"] if r["name"] == "DC0/DC0_C0")
    created = vsphere_client.post(
        "/api/instances",
        data={
            "image_id": templates["DC0_H0_VM1"],
            "name": "pair",
            "instance_count": "2",
            "realm_id": cluster,
        },
        headers=vsphere_auth,
    )
    assert created.status_code == 201, created.get_data(as_text=True)
    launched = created.get_json()["instances"]
    assert sorted(i["name"] for i in launched) == ["pair-1", "pair-2"]
    assert {i["realm"]["id"] for i in launched} == {cluster}
    in_cluster = vsphere_client.get(
        f"/api/instances?realm_id={cluster}", headers=vsphere_auth
    ).get_json()["instances"]
    assert {i["id"] for i in launched} <= {i["id"] for i in in_cluster}
    stopped = vsphere_client.get(
        "/api/instances?state=STOPPED", headers=vsphere_auth
    ).get_json()["instances"]
    assert not {i["id"] for i in launched} & {i["id"] for i in stopped}


def test_templates_are_not_instances(
    vsphere_client: FlaskClient, vsphere_auth: Headers, templates: dict[str, str]
) -> None:
    listed = vsphere_client.get("/api/instances", headers=vsphere_auth).get_json()
    assert not set(templates.values()) & {i["id"] for i in listed["instances"]}
    for template_id in templates.values():
        shown = vsphere_client.get(
            f"/api/instances/{template_id}", headers=vsphere_auth
        )
        assert shown.status_code == 404
        stop = vsphere_client.post(
            f"/api/instances/{template_id}/stop", headers=vsphere_auth
        )
        assert stop.status_code == 404


def test_names_are_sent_as_text(
    vsphere: VsphereDriver, templates: dict[str, str], vcsim: Vcsim
) -> None:
    name = "web <&> 'one'"
    [instance] = vsphere.create_instance(
        InstanceCreate(image_id=templates["DC0_H0_VM1"], name=name)
    )
    assert instance.name == name
    assert _vm(vcsim, instance.id)[3] == name
    vsphere.stop_instance(instance.id)
    vsphere.destroy_instance(instance.id)


@pytest.mark.parametrize("network_name", ["VM Network", "DC0_DVPG0"])
def test_launch_into_a_port_group(
    vsphere_client: FlaskClient,
    vsphere_auth: Headers,
    templates: dict[str, str],
    network_name: str,
) -> None:
    """A standard and a distributed port group: the clone's card joins it."""
    networks = vsphere_client.get("/api/networks", headers=vsphere_auth).get_json()
    network = next(n["id"] for n in networks["networks"] if n["name"] == network_name)
    created = vsphere_client.post(
        "/api/instances",
        data={"image_id": templates["DC0_H0_VM1"], "network_id": network},
        headers=vsphere_auth,
    )
    assert created.status_code == 201, created.get_data(as_text=True)
    bindings = created.get_json()["instance"]["network_bindings"]
    assert network in {b["network"]["id"] for b in bindings}
