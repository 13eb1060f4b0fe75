"""Reading the published OpenAPI documents in tests: fetch one, pick an
operation's schema, and check a body against it with a JSON Schema validator."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from jsonschema import Draft202012Validator

Document = dict[str, Any]


def fetch(client: FlaskClient, url: str) -> Document:
    """The document at ``url``, fetched without credentials."""
    response = client.get(url)
    assert response.status_code == 200, response.data
    assert response.mimetype == "application/json"
    document = response.get_json()
    assert isinstance(document, dict)
    return document


def resolvable(document: Document, schema: Document) -> Document:
    """``schema`` with the document's components beside it, so its ``$ref``s resolve."""
    return {**schema, "components": document["components"]}


def answer_schema(document: Document, path: str, method: str, status: int) -> Document:
    """The JSON schema of an operation's answer with ``status``."""
    answer = document["paths"][path][method]["responses"][str(status)]
    return resolvable(document, answer["content"]["application/json"]["schema"])


def request_schema(
    document: Document, path: str, method: str, media: str = "application/json"
) -> Document:
    """The JSON schema of an operation's request body in ``media``."""
    content = document["paths"][path][method]["requestBody"]["content"]
    return resolvable(document, content[media]["schema"])


def error_schema(document: Document, path: str, method: str) -> Document:
    """The schema of an operation's error answers."""
    ref = document["paths"][path][method]["responses"]["default"]["$ref"]
    name = ref.rsplit("/", 1)[-1]
    schema = document["components"]["responses"][name]["content"]["application/json"]
    return resolvable(document, schema["schema"])


def problems(schema: Document, body: Any) -> list[str]:
    """Every way ``body`` breaks ``schema``."""
    return [
        f"{list(e.absolute_path)}: {e.message}"
        for e in Draft202012Validator(schema).iter_errors(body)
    ]


def check(schema: Document, body: Any) -> None:
    """Fails listing every way ``body`` breaks ``schema``."""
    errors = problems(schema, body)
    assert not errors, errors


def json_answers(document: Document, method: str = "get") -> dict[str, list[int]]:
    """Path -> the statuses with a JSON body of each ``method`` operation."""
    found = {}
    for path, item in document["paths"].items():
        operation = item.get(method)
        if operation is None:
            continue
        statuses = [
            int(status)
            for status, answer in operation["responses"].items()
            if status != "default" and "application/json" in answer.get("content", {})
        ]
        if statuses:
            found[path] = statuses
    return found
