"""Small steps of the /api scenarios: requests and the checks on their answers.

Every helper takes a Flask test client and the headers that authenticate
against the driver under test and ask for JSON.
"""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

Headers = dict[str, str]


def answer(response: Any, status: int = 200) -> Any:
    """The JSON body of a response that must have ``status`` (``None`` if empty)."""
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json() if response.data else None


def error_message(response: Any, status: int) -> str:
    """The message of a JSON error document that must have ``status``."""
    body = response.get_data(as_text=True)
    assert response.status_code == status, body
    assert "Traceback" not in body
    document = response.get_json()
    assert document["code"] == status, body
    return str(document["message"])


def offers(client: FlaskClient, auth: Headers, *collections: str) -> bool:
    """Whether the entry point links every one of ``collections``.

    A collection it leaves out must answer 412 (the contract's
    ``CapabilityMissing``); this checks that too, so a scenario that returns
    early for a driver without the collection still proves something.
    """
    api = answer(client.get("/api", headers=auth))["api"]
    linked = {link["rel"] for link in api["links"]}
    missing = [name for name in collections if name not in linked]
    for name in missing:
        error_message(client.get(f"/api/{name}", headers=auth), 412)
    return not missing


def first_id(client: FlaskClient, auth: Headers, collection: str) -> str:
    """The id of the first entry of ``collection``."""
    listed = answer(client.get(f"/api/{collection}", headers=auth))[collection]
    assert listed, f"{collection} is empty"
    return str(listed[0]["id"])


def launch(client: FlaskClient, auth: Headers, **params: str) -> dict[str, Any]:
    """``POST /api/instances`` (the first image unless given): the instance."""
    params.setdefault("image_id", first_id(client, auth, "images"))
    created = client.post("/api/instances", data=params, headers=auth)
    instance = answer(created, 201)["instance"]
    assert created.headers["Location"].endswith(f"/api/instances/{instance['id']}")
    return dict(instance)


def show(client: FlaskClient, auth: Headers, instance_id: str) -> dict[str, Any]:
    """``GET /api/instances/:id``: the instance."""
    return dict(
        answer(client.get(f"/api/instances/{instance_id}", headers=auth))["instance"]
    )


def gone_or_finished(client: FlaskClient, auth: Headers, instance_id: str) -> None:
    """A destroyed instance is gone (404) or FINISH with no actions left."""
    response = client.get(f"/api/instances/{instance_id}", headers=auth)
    if response.status_code == 404:
        return
    instance = answer(response)["instance"]
    assert instance["state"] == "FINISH"
    assert instance["actions"] == []


def destroy(client: FlaskClient, auth: Headers, path: str) -> None:
    """``DELETE path`` answers 204, and ``path`` is gone (404) afterwards."""
    answer(client.delete(path, headers=auth), 204)
    error_message(client.get(path, headers=auth), 404)


def action_rels(resource: dict[str, Any]) -> set[str]:
    """The ``rel`` of every action link of a resource."""
    return {action["rel"] for action in resource["actions"]}


def add_rule(
    client: FlaskClient, auth: Headers, firewall_id: str, ports: str, **sources: str
) -> Any:
    """``POST /api/firewalls/:id/rules`` for tcp ``ports`` (``"80"`` or
    ``"80-443"``) from ``sources`` (``ip_address1=...``, ``group1=...``)."""
    low, _, high = ports.partition("-")
    return client.post(
        f"/api/firewalls/{firewall_id}/rules",
        data={"protocol": "tcp", "port_from": low, "port_to": high or low, **sources},
        headers=auth,
    )
