"""Constants and helpers shared by the CIMI tests."""

from __future__ import annotations

import json
from typing import Any

from flask.testing import FlaskClient

NS = "{http://schemas.dmtf.org/cimi/1}"
BASE = "http://localhost/cimi"
ACTION = "http://schemas.dmtf.org/cimi/1/action/"
#: the host the seed posts' curl commands name
SEED = "http://localhost:3001/cimi"


def post_xml(client: FlaskClient, path: str, body: str, headers: dict[str, str]) -> Any:
    """POST an XML body."""
    return client.post(path, data=body, headers=headers, content_type="application/xml")


def post_json(
    client: FlaskClient, path: str, body: dict[str, Any], headers: dict[str, str]
) -> Any:
    """POST a JSON body."""
    return client.post(path, json=body, headers=headers)


def post_seed(
    client: FlaskClient,
    path: str,
    body: str | dict[str, Any],
    headers: dict[str, str],
    media_types: tuple[str, str] = ("application/xml", "application/json"),
) -> Any:
    """POST a seed post's body to ``path``: a string as XML answered in XML, a
    dict as JSON answered in JSON (``media_types``: the XML and JSON types sent)."""
    if isinstance(body, str):
        fmt, data, media = "xml", body, media_types[0]
    else:
        fmt, data, media = "json", json.dumps(body), media_types[1]
    return client.post(
        f"{path}?format={fmt}", data=data, headers=headers, content_type=media
    )


def machine_names(
    client: FlaskClient, headers: dict[str, str], query: str
) -> list[str]:
    """The machine names a JSON listing with ``query`` shows; ``count`` is checked
    (every match: the page's size unless ``$first``/``$last`` cut a page)."""
    response = client.get(f"/cimi/machines?format=json&{query}", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    data = response.get_json()
    names = [machine.get("name") for machine in data.get("machines", [])]
    if "$first" in query or "$last" in query:
        assert data["count"] >= len(names)
    else:
        assert data["count"] == len(names)
    return names


def count(client: FlaskClient, path: str, headers: dict[str, str]) -> int:
    """The ``count`` of the collection at ``path`` (read as JSON)."""
    response = client.get(path, headers={**headers, "Accept": "application/json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return int(response.get_json()["count"])


def create(client: FlaskClient, path: str, body: Any, headers: dict[str, str]) -> str:
    """POST ``body`` (a string as XML, else JSON), check the 201 and return the
    new entity's ``Location``."""
    if isinstance(body, str):
        response = post_xml(client, path, body, headers)
    else:
        response = post_json(client, path, body, headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    return str(response.headers["Location"])
