"""Request bodies: XML or JSON into one internal form, validated with marshmallow.

XML is parsed with defusedxml (no entity expansion, no external entities);
the root element's name and namespace are ignored, as in the original.
Both forms become plain dicts keyed by the JSON attribute names.
"""

from __future__ import annotations

import json
import re
from typing import Any
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from flask import request
from marshmallow import EXCLUDE
from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import pre_load

from deltaflask.errors import ValidationFailure
from deltaflask.plugins.cimi.errors import UnsupportedMediaType
from deltaflask.plugins.cimi.numbers import BoundedInteger
from deltaflask.text import refused_text

NAMESPACE = "http://schemas.dmtf.org/cimi/1"
XML_TYPES = ("application/xml", "text/xml")
JSON_TYPES = ("application/json",)
#: repeated XML elements -> the JSON array they form
PLURALS = {"disk": "disks", "componentDescriptor": "componentDescriptors"}
#: how deeply a body's objects, arrays or elements may nest
MAX_DEPTH = 32
#: a JSON string (an unterminated one runs to the end: one linear pass)
JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*+(?:"|\\?\Z)', re.DOTALL)
#: the largest cpu count and KiB amount (memory, capacity) a body may ask for
MAX_CPU = 4096
MAX_KIB = 2**50
NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def read_body() -> dict[str, Any]:
    """The request body as a dict (an empty body is an empty dict).

    Besides the plain XML and JSON types, the seed posts' typed media types
    (``application/CIMI-NetworkCreate+xml``) are read by their suffix.
    """
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    media = request.mimetype
    if media in JSON_TYPES or media.endswith("+json"):
        data = _json_body(raw)
        if not isinstance(data, dict):
            raise ValidationFailure("Bad request (a JSON object is expected)")
    elif media in XML_TYPES or media.endswith("+xml"):
        value = _element_value(_xml_root(raw))
        data = value if isinstance(value, dict) else {}
    else:
        raise UnsupportedMediaType(
            "Request bodies must be application/xml, text/xml or application/json"
        )
    _check_text(data)
    return data


def _json_body(raw: bytes) -> Any:
    """JSON no deeper than MAX_DEPTH (checked before parsing), without the
    non-standard NaN and Infinity."""
    if _json_depth(raw) > MAX_DEPTH:
        raise _too_deep()
    try:
        return json.loads(raw, parse_constant=_no_constant)
    except ValueError:  # JSONDecodeError, UnicodeDecodeError, digit limit
        raise ValidationFailure("Bad request (malformed JSON)") from None


def _no_constant(name: str) -> Any:
    raise ValueError(name)


def _json_depth(raw: bytes) -> int:
    """How deeply ``raw``'s arrays and objects nest (strings skipped)."""
    brackets = JSON_STRING.sub(b"", raw).translate(None, NOT_BRACKETS)
    depth = deepest = 0
    for byte in brackets:
        depth += 1 if byte in b"[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _xml_root(raw: bytes) -> Element:
    """The parsed document; 400 if malformed, with entities or a DTD, or
    nested deeper than MAX_DEPTH."""
    try:
        root = SafeET.fromstring(raw)
    except SafeET.ParseError as exc:
        raise ValidationFailure(f"Bad request (malformed XML: {exc})") from None
    except (DefusedXmlException, ValueError):
        raise ValidationFailure(
            "Bad request (XML with entities or a DTD is refused)"
        ) from None
    level = [root]
    for _ in range(MAX_DEPTH):
        level = [child for element in level for child in element]
    if level:
        raise _too_deep()
    return root


def _too_deep() -> ValidationFailure:
    return ValidationFailure(f"Bad request (nested deeper than {MAX_DEPTH} levels)")


def _check_text(value: Any) -> None:
    """400 when a name or value carries control or non-character code points."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, str) and refused_text(item):
            raise ValidationFailure(
                "Bad request (text with control or non-character code points)"
            )


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _element_value(element: Element) -> Any:
    children = list(element)
    attributes = {
        _local(k): v for k, v in element.attrib.items() if _local(k) != "xmlns"
    }
    if not children and not attributes:
        return (element.text or "").strip()
    value: dict[str, Any] = dict(attributes)
    for child in children:
        name = _local(child.tag)
        if name == "property" and "key" in child.attrib:
            value.setdefault("properties", {})[child.attrib["key"]] = (
                child.text or ""
            ).strip()
            continue
        item = _element_value(child)
        if name in PLURALS:
            value.setdefault(PLURALS[name], []).append(item)
        elif name in value:
            previous = value[name]
            value[name] = (
                [*previous, item] if isinstance(previous, list) else [previous, item]
            )
        else:
            value[name] = item
    return value


# -- schemas -----------------------------------------------------------------------
class Reference(fields.Field):
    """A reference ``{"href": url}`` or bare URL, or with ``schema`` an inline value.

    Loads as ``{"href": url}`` or ``{"value": {...}}``.
    """

    def __init__(self, schema: type[Schema] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.value_schema = schema

    def _deserialize(
        self, value: Any, attr: str | None, data: Any, **kwargs: Any
    ) -> Any:
        if isinstance(value, str) and value.strip():
            return {"href": value.strip()}
        if (
            isinstance(value, dict)
            and isinstance(value.get("href"), str)
            and value["href"]
        ):
            return {"href": value["href"]}
        if value == "" and self.value_schema is not None:  # an empty XML element
            value = {}
        if isinstance(value, dict) and self.value_schema is not None:
            return {"value": self.value_schema().load(value)}
        raise ValidationError(
            "must be a reference with an href"
            + (" or an inline value" if self.value_schema else "")
        )


class Base(Schema):
    """Unknown attributes are ignored, as in the original."""

    class Meta:
        unknown = EXCLUDE


class Common(Base):
    """Attributes every create request may carry."""

    resourceURI = fields.String()
    name = fields.String()
    description = fields.String()
    properties = fields.Dict(keys=fields.String(), values=fields.String())


class MachineConfigValue(Base):
    """A MachineConfiguration given by value (memory in KiB)."""

    cpu = BoundedInteger(1, MAX_CPU, required=True)
    memory = BoundedInteger(1, MAX_KIB, required=True)
    disks = fields.List(fields.Dict())


class MachineImageValue(Base):
    """A MachineImage given by value: its ``imageLocation`` names the image."""

    imageLocation = Reference(required=True)


class MachineTemplateValue(Base):
    """A MachineTemplate given by value."""

    name = fields.String()
    machineConfig = Reference(MachineConfigValue, required=True)
    machineImage = Reference(MachineImageValue, required=True)
    credential = Reference()
    initialState = fields.String()
    realm = fields.String()


class MachineCreate(Common):
    """POST /machines."""

    machineTemplate = Reference(MachineTemplateValue, required=True)
    realm = fields.String()


class MachineTemplateCreate(Common):
    """POST /machine_templates."""

    machineConfig = Reference(required=True)
    machineImage = Reference(required=True)
    credential = Reference()
    initialState = fields.String()
    realm = fields.String()


class Action(Base):
    """An Action entity."""

    action = fields.String(required=True)


class MachineImageCreate(Common):
    """POST /machine_images (capture a machine)."""

    type = fields.String()
    imageLocation = Reference(required=True)
    relatedImage = Reference()


class CredentialValue(Base):
    """A CredentialTemplate given by value."""

    username = fields.String()
    password = fields.String()
    key = fields.String()


class CredentialCreate(Common):
    """POST /credentials."""

    credentialTemplate = Reference(CredentialValue, required=True)


class VolumeConfigValue(Base):
    """A VolumeConfiguration given by value (capacity in KiB)."""

    format = fields.String()
    type = fields.String()
    capacity = BoundedInteger(1, MAX_KIB, required=True)


class VolumeImageValue(Base):
    """A VolumeImage given by value: its ``imageLocation`` names a snapshot."""

    imageLocation = Reference(required=True)


class VolumeTemplateValue(Base):
    """A VolumeTemplate given by value."""

    volumeConfig = Reference(VolumeConfigValue, required=True)
    volumeImage = Reference(VolumeImageValue)


def templated(
    type_name: str, template: type[Base], parts: dict[str, bool]
) -> tuple[type[Common], type[Common]]:
    """The schemas of ``POST /<types>`` (``<type>Template`` by value or by
    reference) and ``POST /<type>_templates`` (``parts``: the template's
    references, by reference only, each with whether it is required)."""
    attribute = type_name[0].lower() + type_name[1:] + "Template"
    create = Common.from_dict(
        {attribute: Reference(template, required=True)}, name=f"{type_name}Create"
    )
    template_create = Common.from_dict(
        {name: Reference(required=required) for name, required in parts.items()},
        name=f"{type_name}TemplateCreate",
    )
    return create, template_create


VolumeCreate, VolumeTemplateCreate = templated(
    "Volume", VolumeTemplateValue, {"volumeConfig": True, "volumeImage": False}
)


class VolumeConfigurationCreate(Common, VolumeConfigValue):
    """POST /volume_configurations."""


class VolumeImageCreate(Common):
    """POST /volume_images (snapshot a volume)."""

    imageLocation = Reference(required=True)
    bootable = fields.Boolean()


class MachineVolume(Base):
    """POST /machines/<id>/volume_attach."""

    initialLocation = fields.String(required=True)
    volume = Reference(required=True)


class NetworkConfigValue(Base):
    """A NetworkConfiguration given by value (``access``, the seed post's draft
    name of ``networkType``, is read as it)."""

    networkType = fields.String()
    mtu = BoundedInteger(1, 65535)
    classOfService = fields.String()

    @pre_load
    def _access(self, data: Any, **kwargs: Any) -> Any:
        if isinstance(data, dict) and "access" in data and "networkType" not in data:
            return {**data, "networkType": data["access"]}
        return data


class NetworkTemplateValue(Base):
    """A NetworkTemplate given by value."""

    networkConfig = Reference(NetworkConfigValue, required=True)
    forwardingGroup = Reference()


NetworkCreate, NetworkTemplateCreate = templated(
    "Network", NetworkTemplateValue, {"networkConfig": True, "forwardingGroup": False}
)


class NetworkConfigurationCreate(Common, NetworkConfigValue):
    """POST /network_configurations."""


class NetworkPortConfigValue(Base):
    """A NetworkPortConfiguration given by value."""

    portType = fields.String()
    classOfService = fields.String()


class NetworkPortTemplateValue(Base):
    """A NetworkPortTemplate given by value."""

    network = Reference(required=True)
    networkPortConfig = Reference(NetworkPortConfigValue, required=True)


NetworkPortCreate, NetworkPortTemplateCreate = templated(
    "NetworkPort",
    NetworkPortTemplateValue,
    {"network": True, "networkPortConfig": True},
)


class NetworkPortConfigurationCreate(Common, NetworkPortConfigValue):
    """POST /network_port_configurations."""


class AddressTemplateValue(Base):
    """An AddressTemplate given by value."""

    ip = fields.String()
    hostname = fields.String()
    allocation = fields.String()
    defaultGateway = fields.String()
    dns = fields.String()
    macAddress = fields.String()
    protocol = fields.String()
    mask = fields.String()
    network = Reference()


class AddressCreate(Common):
    """POST /addresses."""

    addressTemplate = Reference(AddressTemplateValue, required=True)


class AddressTemplateCreate(Common, AddressTemplateValue):
    """POST /address_templates."""


class ForwardingGroupTemplateCreate(Common):
    """POST /forwarding_group_templates (XML repeats ``<network href=.../>``)."""

    networks = fields.List(Reference(), required=True)

    @pre_load
    def _networks(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        if "network" in data and "networks" not in data:
            found = data["network"]
            data = {**data, "networks": found if isinstance(found, list) else [found]}
        return data


class MachineNetworkInterface(Common):
    """POST /machines/<id>/network_interfaces: attach the machine to a network."""

    network = Reference(required=True)


class SystemCreate(Common):
    """POST /systems."""

    systemTemplate = Reference(required=True)


class SystemTemplateCreate(Common):
    """POST /system_templates: component descriptors (each checked on create)."""

    componentDescriptors = fields.List(fields.Dict(), required=True)


class SystemMember(Common):
    """POST /systems/<id>/<sub>: the member's reference (``machine``, ...)."""

    machine = Reference()
    volume = Reference()
    network = Reference()
    address = Reference()
    forwardingGroup = Reference()
    credential = Reference()
    networkPort = Reference()
    system = Reference()


def load_action(action: str) -> None:
    """Read the Action entity sent to ``.../<action>``; 400 unless it names it."""
    body = load(Action)
    named = body["action"].strip().rstrip("/").rsplit("/", 1)[-1]
    if named != action:
        raise ValidationFailure(
            f"The Action entity names '{named[:40]}' but was sent to '{action}'"
        )


class Edit(Base):
    """PUT of an entity: what CIMI lets a client change."""

    resourceURI = fields.String()
    name = fields.String()
    description = fields.String()
    properties = fields.Dict(keys=fields.String(), values=fields.String())


def load_edit(type_name: str) -> dict[str, Any]:
    """The body of a PUT on a ``type_name`` entity (400 unless it changes something)."""
    body = load(Edit, type_name=type_name)
    if not any(key in body for key in ("name", "description", "properties")):
        raise ValidationFailure(
            "Nothing to change: give a name, a description or properties"
        )
    return body


def load(
    schema: type[Schema],
    data: dict[str, Any] | None = None,
    type_name: str | None = None,
) -> dict[str, Any]:
    """Validate the body (or ``data``) with ``schema``; 400 naming what is wrong.

    A ``resourceURI``, when given, must name ``type_name`` (default: the
    schema's name, e.g. ``MachineCreate``).
    """
    body = read_body() if data is None else data
    _check_resource_uri(body, type_name or schema.__name__)
    try:
        result: dict[str, Any] = schema().load(body)
    except ValidationError as exc:
        raise ValidationFailure(_describe(exc.messages)) from None
    return result


def _check_resource_uri(body: dict[str, Any], type_name: str) -> None:
    """A ``<Type>Create`` request may also name the ``<Type>`` it makes (as
    CIMI clients of the original post a ``MachineTemplate`` to create one)."""
    given = body.get("resourceURI")
    if given is None:
        return
    accepted = [f"{NAMESPACE}/{type_name}"]
    if type_name.endswith("Create"):
        accepted.append(f"{NAMESPACE}/{type_name.removesuffix('Create')}")
    if not isinstance(given, str) or given.strip() not in accepted:
        raise ValidationFailure(
            "Invalid resourceURI: expected " + " or ".join(accepted)
        )


def _describe(messages: Any) -> str:
    missing: list[str] = []
    invalid: list[str] = []
    _walk(messages, "", missing, invalid)
    parts = []
    if missing:
        parts.append("Required attributes not set: " + ",".join(missing))
    if invalid:
        parts.append("Invalid attributes: " + ",".join(invalid))
    return "; ".join(parts) or "Bad Request"


def _walk(messages: Any, prefix: str, missing: list[str], invalid: list[str]) -> None:
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = (
                f"{prefix}.{key}"
                if prefix and key != "_schema"
                else (prefix or str(key))
            )
            _walk(value, name, missing, invalid)
    elif isinstance(messages, list):
        if any("required" in str(item).lower() for item in messages):
            missing.append(prefix)
        else:
            invalid.append(prefix)
