"""Request bodies: XML or JSON into one internal form, validated with marshmallow.

XML is parsed by xmltodict over an expat hardened as defusedxml does it (no
DTD, hence no entities; no external references); the root element's name
and namespaces are ignored, as in the original.
Both forms become plain dicts keyed by the JSON attribute names.
"""

from __future__ import annotations

import json
import re
from typing import Any
from xml.parsers import expat as pyexpat
from xml.parsers.expat import ExpatError

import xmltodict
from defusedxml import DefusedXmlException
from defusedxml import DTDForbidden
from defusedxml import EntitiesForbidden
from defusedxml import ExternalReferenceForbidden
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
#: what xmltodict puts between a namespace and a name (in neither)
NAMESPACE_SEPARATOR = " "
#: xmltodict's key of an element's text
TEXT = "#text"
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
        value = _xml_body(raw)
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


def _xml_body(raw: bytes) -> Any:
    """The document's root element as a dict (see :func:`_element`); 400 if
    malformed, with a DTD or entities, or nested deeper than MAX_DEPTH."""
    try:
        document = xmltodict.parse(
            raw,
            expat=HardenedExpat,
            process_namespaces=True,
            namespace_separator=NAMESPACE_SEPARATOR,
            postprocessor=_postprocess,
            force_list=(*PLURALS, "property"),
        )
    except ExpatError as exc:
        raise ValidationFailure(f"Bad request (malformed XML: {exc})") from None
    except DefusedXmlException:
        raise ValidationFailure(
            "Bad request (XML with entities or a DTD is refused)"
        ) from None
    (value,) = document.values()
    return value


class HardenedExpat:
    """``pyexpat`` for xmltodict with defusedxml's refusals: a document type
    declaration (hence any entity declaration) or an external reference
    raises as soon as the parser meets it."""

    @staticmethod
    def ParserCreate(  # pyexpat's name
        encoding: str | None = None, namespace_separator: str | None = None
    ) -> Any:
        parser = pyexpat.ParserCreate(encoding, namespace_separator)
        parser.StartDoctypeDeclHandler = _refuse_dtd
        parser.EntityDeclHandler = _refuse_entity
        parser.UnparsedEntityDeclHandler = _refuse_unparsed_entity
        parser.ExternalEntityRefHandler = _refuse_external
        return parser


def _refuse_dtd(name: str, sysid: str | None, pubid: str | None, *_: Any) -> None:
    raise DTDForbidden(name, sysid, pubid)


def _refuse_entity(name: str, _parameter: bool, value: str | None, *rest: Any) -> None:
    raise EntitiesForbidden(name, value, *rest)


def _refuse_unparsed_entity(name: str, *rest: Any) -> None:
    raise EntitiesForbidden(name, None, *rest)


def _refuse_external(context: str, *rest: Any) -> None:
    raise ExternalReferenceForbidden(context, *rest)


def _postprocess(path: list[Any], key: str, value: Any) -> tuple[str, Any] | None:
    """xmltodict's hook for each attribute, text and element, innermost
    first: refuse depth beyond MAX_DEPTH, drop namespaces (and the
    declarations), give each element its CIMI form."""
    if len(path) > MAX_DEPTH:
        raise _too_deep()
    if key == TEXT:
        return key, value
    if key.startswith("@"):
        name = _local(key[1:])
        return None if name == "xmlns" else (f"@{name}", value)
    name = _local(key)
    if name == "property":  # made ``properties`` by the parent (see _element)
        return name, value
    return name, _element(value)


def _element(value: Any) -> Any:
    """An element as the JSON form has it: a leaf without attributes is its
    stripped text; otherwise a dict of attributes then children (text
    dropped), repeated children a list, ``disk``s ``disks`` (as
    :data:`PLURALS`), ``<property key="k">v</property>`` in ``properties``."""
    if value is None:
        return ""
    if not isinstance(value, dict):
        return value
    result: dict[str, Any] = {}
    for key, item in value.items():
        if key == TEXT:
            continue
        if key.startswith("@"):
            result[key[1:]] = item
        elif key == "property":
            for one in item:
                if isinstance(one, dict) and "@key" in one:
                    result.setdefault("properties", {})[one["@key"]] = one.get(TEXT, "")
                else:
                    _add(result, key, _element(one))
        elif key in PLURALS:
            result[PLURALS[key]] = item
        else:
            result[key] = item
    return result


def _add(result: dict[str, Any], name: str, item: Any) -> None:
    """Add a child ``item`` under ``name`` (a list once it repeats)."""
    if name not in result:
        result[name] = item
    elif isinstance(result[name], list):
        result[name].append(item)
    else:
        result[name] = [result[name], item]


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


def _local(name: str) -> str:
    return name.rsplit(NAMESPACE_SEPARATOR, 1)[-1]


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
