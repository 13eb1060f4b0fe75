"""CIMI documents: one internal form, serialized as XML or JSON.

An entity is an ordered ``dict`` of lowerCamelCase attributes. Values are
scalars, references (``{"href": url}``), inline structures (``dict``), arrays
(``list``), the ``properties`` map, or an expanded :class:`Collection`.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from urllib.parse import quote

from flask import Response
from flask import g
from flask import request

from deltaflask.plugins.cimi.negotiation import CONTENT_TYPES
from deltaflask.plugins.cimi.selection import select
from deltaflask.text import xml_safe

NAMESPACE = "http://schemas.dmtf.org/cimi/1"
ACTION_URI = NAMESPACE + "/action/"
#: the methods whose answers `$select` projects
READS = ("GET", "HEAD")

#: array attribute -> (XML element, members as XML attributes, member as text)
ARRAYS: dict[str, tuple[str, tuple[str, ...], str | None]] = {
    "operations": ("operation", ("rel", "href"), None),
    "attributes": ("attribute", ("name", "namespace", "type", "required"), None),
    "capabilities": ("capability", ("name", "uri", "description"), "value"),
    "constraints": ("constraint", (), None),
    "disks": ("disk", (), None),
    "componentDescriptors": ("componentDescriptor", (), None),
}


@dataclass
class Collection:
    """A collection of one CIMI type (``key`` is the JSON member name)."""

    type_name: str
    id: str
    key: str
    entries: list[dict[str, Any]] = field(default_factory=list)
    operations: list[dict[str, str]] = field(default_factory=list)
    #: the number of matching entries when only a page of them is shown
    count: int | None = None

    @property
    def total(self) -> int:
        """``count``: every match, or the entries when the query did not page."""
        return len(self.entries) if self.count is None else self.count


@dataclass
class Entity:
    """One CIMI resource of type ``type_name``."""

    type_name: str
    data: dict[str, Any]


def base_url() -> str:
    """``<scheme>://<host>/cimi``."""
    return request.root_url.rstrip("/") + "/cimi"


def url(*parts: str) -> str:
    """Absolute URL under ``/cimi``: ``url("machines", "inst0")``."""
    return "/".join([base_url(), *(quote(str(part), safe="") for part in parts)])


def ref(*parts: str) -> dict[str, str]:
    """A reference to a URL under ``/cimi``."""
    return {"href": url(*parts)}


def operation(rel: str, href: str) -> dict[str, str]:
    """An operation; short rels but ``add``/``edit``/``delete`` become action URIs."""
    if rel not in ("add", "edit", "delete") and "/" not in rel:
        rel = ACTION_URI + rel
    return {"rel": rel, "href": href}


def compact(data: dict[str, Any]) -> dict[str, Any]:
    """Drop ``None`` values and empty arrays and maps."""
    return {
        key: value
        for key, value in data.items()
        if value is not None and value != [] and value != {}
    }


def resource_uri(type_name: str) -> str:
    """``http://schemas.dmtf.org/cimi/1/<Type>``."""
    return f"{NAMESPACE}/{type_name}"


# -- JSON ------------------------------------------------------------------------
#: the JSON Schemas of :func:`to_json`'s documents (the API description's)
RESOURCE_JSON_SCHEMA = {
    "type": "object",
    "properties": {
        "resourceURI": {"type": "string", "pattern": f"^{NAMESPACE}/[A-Za-z]+$"},
        "id": {"type": "string"},
        "operations": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"rel": {"type": "string"}, "href": {"type": "string"}},
                "required": ["rel", "href"],
            },
        },
    },
    "required": ["resourceURI"],
}
COLLECTION_JSON_SCHEMA = {
    "allOf": [{"$ref": "#/components/schemas/Resource"}],
    "properties": {
        "resourceURI": {"pattern": "Collection$"},
        "count": {"type": "integer", "minimum": 0},
        "href": {"type": "string"},
    },
    "required": ["id", "count"],
}


def to_json(document: Entity | Collection) -> dict[str, Any]:
    """The JSON form of an entity or a top-level collection."""
    if isinstance(document, Collection):
        body = _collection_json(document)
        body["resourceURI"] = resource_uri(document.type_name + "Collection")
        return body
    return {
        **_json_value(document.data),
        "resourceURI": resource_uri(document.type_name),
    }


def _collection_json(collection: Collection) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": collection.id,
        "href": collection.id,
        "count": collection.total,
    }
    if collection.entries:
        body[collection.key] = [_json_value(entry) for entry in collection.entries]
    if collection.operations:
        body["operations"] = collection.operations
    return body


def _json_value(value: Any) -> Any:
    if isinstance(value, Collection):  # embedded: only its href while empty
        return _collection_json(value) if value.entries else {"href": value.id}
    if isinstance(value, dict):
        return {xml_safe(str(key)): _json_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_value(item) for item in value]
    return xml_safe(value) if isinstance(value, str) else value


# -- XML -------------------------------------------------------------------------
def to_xml(document: Entity | Collection) -> bytes:
    """The XML form (default namespace CIMI) of an entity or a collection."""
    if isinstance(document, Collection):
        root = ET.Element("Collection", {"href": _text(document.id)})
        _collection_children(root, document)
        type_uri = resource_uri(document.type_name + "Collection")
    else:
        root = ET.Element(document.type_name)
        _fill(root, document.data)
        type_uri = resource_uri(document.type_name)
    root.set("xmlns", NAMESPACE)
    root.set("resourceURI", type_uri)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8")


def _collection_children(element: ET.Element, collection: Collection) -> None:
    ET.SubElement(element, "id").text = _text(collection.id)
    ET.SubElement(element, "count").text = str(collection.total)
    for entry in collection.entries:
        _fill(ET.SubElement(element, collection.type_name), entry)
    for op in collection.operations:
        ET.SubElement(element, "operation", {k: _text(v) for k, v in op.items()})


def _fill(element: ET.Element, data: dict[str, Any]) -> None:
    for key, value in data.items():
        if key == "properties" and isinstance(value, dict):
            for name, text in value.items():
                ET.SubElement(element, "property", {"key": _text(name)}).text = _text(
                    text
                )
        elif isinstance(value, list):
            _array(element, key, value)
        else:
            _member(element, key, value)


def _member(parent: ET.Element, key: str, value: Any) -> None:
    if isinstance(value, Collection):  # embedded: only its href while empty
        child = ET.SubElement(parent, key, {"href": _text(value.id)})
        if value.entries:
            _collection_children(child, value)
    elif isinstance(value, dict):
        child = ET.SubElement(parent, key)
        if "href" in value:
            child.set("href", _text(value["href"]))
        _fill(child, {k: v for k, v in value.items() if k != "href"})
    else:
        ET.SubElement(parent, key).text = _text(value)


def _array(parent: ET.Element, key: str, items: list[Any]) -> None:
    tag, attributes, text_member = ARRAYS.get(key, (key.removesuffix("s"), (), None))
    for item in items:
        if not isinstance(item, dict):
            ET.SubElement(parent, tag).text = _text(item)
            continue
        child = ET.SubElement(parent, tag)
        rest = {}
        for name, value in item.items():
            if name in attributes or (name == "href" and not isinstance(value, dict)):
                child.set(name, _text(value))
            elif name == text_member:
                child.text = _text(value)
            else:
                rest[name] = value
        _fill(child, rest)


def _text(value: Any) -> str:
    """A value as XML text (what XML cannot carry replaced, never emitted)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else xml_safe(str(value))


# -- responses -------------------------------------------------------------------
def respond(
    document: Entity | Collection,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """Answer with ``document`` in the negotiated format (a resource that is
    read keeps only the attributes ``$select`` names)."""
    selection = request.args.get("$select")
    if isinstance(document, Entity) and selection and request.method in READS:
        document = Entity(document.type_name, select(document.data, selection))
    fmt = g.get("cimi_format") or "xml"
    if fmt == "json":
        body: bytes | str = json.dumps(to_json(document), separators=(",", ":"))
    else:
        body = to_xml(document)
    return Response(
        body, status=status, headers=headers, content_type=CONTENT_TYPES[fmt]
    )


def empty(status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A response without a body."""
    response = Response(b"", status=status, headers=headers)
    response.headers.pop("Content-Type", None)
    return response
