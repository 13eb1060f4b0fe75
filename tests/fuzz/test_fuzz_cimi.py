"""Fuzz of CIMI (``/cimi``), one test per family (collection).

Bodies are CIMI-shaped JSON and XML documents (resource names, references,
templates by value, properties) filled with generated values, plus hostile
documents; queries use ``$filter``, ``$select``, ``$expand``, ``$first``,
``$last``, ``$orderby`` and ``$format``.
"""

from __future__ import annotations

import json
from pathlib import Path
from xml.sax.saxutils import escape
from xml.sax.saxutils import quoteattr

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz import routes
from tests.fuzz import strategies as fz
from tests.fuzz.support import FUZZ
from tests.fuzz.support import Fuzzed
from tests.fuzz.support import run_per_family
from tests.support.auth import MOCK_AUTH

NS = "http://schemas.dmtf.org/cimi/1"
BASE = "http://localhost/cimi"
#: element and member names the CIMI parser reads
FIELDS = (
    "name", "description", "properties", "resourceURI", "action", "address",
    "addressTemplate", "allocation", "bootable", "capacity", "classOfService",
    "componentDescriptors", "cpu", "credential", "credentialTemplate",
    "defaultGateway", "disks", "dns", "format", "forwardingGroup", "hostname",
    "imageLocation", "initialLocation", "initialState", "ip", "key",
    "macAddress", "machine", "machineConfig", "machineImage", "machineTemplate",
    "mask", "memory", "mtu", "network", "networkConfig", "networkPort",
    "networkPortConfig", "networkType", "networks", "password", "portType",
    "protocol", "realm", "relatedImage", "system", "systemTemplate", "type",
    "username", "volume", "volumeConfig", "volumeImage", "volumeTemplate",
    "volumes", "href", "state",
)  # fmt: skip
ROOTS = (
    "MachineCreate", "MachineTemplateCreate", "MachineImageCreate",
    "MachineVolume", "MachineNetworkInterface", "Action", "VolumeCreate",
    "VolumeConfigurationCreate", "VolumeImageCreate", "VolumeTemplateCreate",
    "CredentialCreate", "NetworkCreate", "NetworkConfigurationCreate",
    "NetworkTemplateCreate", "NetworkPortCreate", "NetworkPortTemplateCreate",
    "NetworkPortConfigurationCreate", "AddressCreate", "AddressTemplateCreate",
    "ForwardingGroupTemplateCreate", "SystemCreate", "SystemTemplateCreate",
    "SystemMachine", "SystemVolume", "Machine", "Volume", "System", "Network",
)  # fmt: skip
COLLECTIONS = (
    "machines", "machine_images", "machine_configurations", "machine_templates",
    "volumes", "volume_configurations", "volume_images", "volume_templates",
    "credentials", "networks", "network_ports", "addresses", "systems",
    "system_templates", "address_templates", "network_templates",
)  # fmt: skip
ACTIONS = ("start", "stop", "restart", "capture", "export", "import", "nosuch")
QUERY_NAMES = (
    "$filter", "$select", "$expand", "$first", "$last", "$orderby", "$format",
    "format", "CIMISelect",
)  # fmt: skip
QUERY_VALUES = (
    "name='inst1'", "name!='x'", "memory>1", "name='a' and name='b' or x<3",
    "((((((((((", "name=", "'", "cpu=1 and", "*", "machines", "volumes,disks",
    "name desc", "name asc, description", "1", "0", "-1", "9" * 5000, "xml",
    "json", "$filter", "name='\u202e'", "properties['x']='y'",
)  # fmt: skip


@st.composite
def reference(draw: st.DrawFn) -> str:
    """An href: to a real entity, to another host, or anything."""
    kind = draw(st.sampled_from(COLLECTIONS))
    entity = draw(fz.ident_for(kind))
    return draw(
        st.sampled_from(
            (
                f"{BASE}/{kind}/{fz.wire(entity)}",
                f"/cimi/{kind}/{fz.wire(entity)}",
                f"http://evil.example/cimi/{kind}/{entity}",
                entity,
                "",
            )
        )
    )


def cimi_json(depth: int = 2) -> st.SearchStrategy[object]:
    """A CIMI-shaped JSON value: references, known members, values."""
    leaf = st.one_of(fz.value, st.integers(), st.booleans(), st.none())
    if depth == 0:
        return leaf
    inner = cimi_json(depth - 1)
    return st.one_of(
        leaf,
        st.builds(lambda h: {"href": h}, reference()),
        st.dictionaries(st.sampled_from(FIELDS), inner, max_size=4),
        st.lists(inner, max_size=3),
    )


#: stands for a 5,000-digit integer in a JSON body (Python's own ``json`` will
#: not write one: its int-to-text limit is 4,300 digits)
HUGE = "__huge__"
quantity = st.one_of(
    st.integers(-2, 70_000),
    st.integers(),
    st.just(int("9" * 4000)),
    st.just(HUGE),
    st.floats(),
    fz.value,
)


@st.composite
def template_by_value(draw: st.DrawFn, family: str = "") -> bytes:
    """A create request with its template given by value: machine or volume
    configuration with generated quantities, an image by reference."""
    config = {
        "cpu": draw(quantity),
        "memory": draw(quantity),
        "capacity": draw(quantity),
        "disks": [{"capacity": draw(quantity), "format": draw(fz.value)}],
    }
    image_id = draw(st.sampled_from(("img1", "img2", "img3", "snap1", "nosuch")))
    image = draw(
        st.sampled_from(
            (
                {"href": f"{BASE}/machine_images/{image_id}"},
                {"href": f"{BASE}/volume_images/{image_id}"},
                {"href": draw(reference())},
            )
        )
    )
    shapes = {
        "machines": {
            "machineTemplate": {"machineConfig": config, "machineImage": image}
        },
        "volumes": {"volumeTemplate": {"volumeConfig": config, "volumeImage": image}},
        "machine_templates": {"machineConfig": config, "machineImage": image},
        "volume_templates": {"volumeConfig": config, "volumeImage": image},
        "configurations": config,
    }
    own = shapes.get(family.split(":", 1)[-1], config)
    body = draw(st.sampled_from((own, own, *shapes.values())))
    body["name"] = draw(fz.value)
    text = json.dumps(body, allow_nan=True)
    return text.replace(f'"{HUGE}"', "9" * 5000).encode()


@st.composite
def json_document(draw: st.DrawFn) -> bytes:
    """A CIMI JSON body."""
    body = draw(st.dictionaries(st.sampled_from(FIELDS), cimi_json(), max_size=6))
    if draw(st.booleans()):
        body["resourceURI"] = f"{NS}/{draw(st.sampled_from(ROOTS))}"
    if draw(st.integers(0, 3)) == 0:
        body["action"] = f"{NS}/action/{draw(st.sampled_from(ACTIONS))}"
    return json.dumps(body).encode()


@st.composite
def xml_element(draw: st.DrawFn, depth: int) -> str:
    """One element of a CIMI body: a reference, a value or nested elements."""
    tag = draw(st.sampled_from(FIELDS))
    choice = draw(st.integers(0, 3 if depth else 2))
    if choice == 0:
        return f"<{tag} href={quoteattr(draw(reference()))}/>"
    if choice == 1:
        return f"<{tag}>{escape(draw(fz.value))}</{tag}>"
    if choice == 2:
        key = quoteattr(draw(fz.value))
        return f"<property key={key}>{escape(draw(fz.value))}</property>"
    children = "".join(
        draw(st.lists(xml_element(depth - 1), max_size=3))  # type: ignore[arg-type]
    )
    return f"<{tag}>{children}</{tag}>"


@st.composite
def xml_document(draw: st.DrawFn) -> bytes:
    """A CIMI XML body (text escaped; control characters stay as they are)."""
    root = draw(st.sampled_from(ROOTS))
    children = "".join(draw(st.lists(xml_element(2), max_size=5)))
    prolog = draw(st.sampled_from(("", "<?xml version='1.0' encoding='utf-8'?>")))
    document = f'{prolog}<{root} xmlns="{NS}">{children}</{root}>'
    return document.encode("utf-8", "surrogatepass")


cimi_bodies = st.one_of(
    st.tuples(st.just("application/json"), json_document()),
    st.tuples(st.just("application/json"), template_by_value()),
    st.tuples(st.sampled_from(("application/xml", "text/xml")), xml_document()),
    st.tuples(st.just("application/json"), st.sampled_from(fz.SPECIAL_JSON)),
    st.tuples(st.just("application/xml"), st.sampled_from(fz.SPECIAL_XML)),
    fz.bodies(FIELDS),
)
cimi_accept = st.sampled_from(
    (
        "application/json",
        "application/xml",
        "application/CIMI-Machine+json",
        "application/CIMI-Machine+xml",
        "text/html",
        "*/*",
        "",
        "application/json;q=0, application/xml;q=0",
    )
)


@st.composite
def create_request(draw: st.DrawFn, family: str) -> dict[str, object]:
    """A create (POST to the collection) with a CIMI body and an accepted type."""
    kind, body = draw(
        st.one_of(
            st.tuples(st.just("application/json"), template_by_value(family)),
            st.tuples(st.just("application/json"), template_by_value(family)),
            st.tuples(st.just("application/json"), json_document()),
            st.tuples(st.just("application/xml"), xml_document()),
        )
    )
    accept = draw(st.sampled_from(("application/json", "application/xml")))
    return {
        "method": "POST",
        "path": f"/cimi/{family.split(':', 1)[1]}",
        "headers": {"Authorization": MOCK_AUTH, "Accept": accept},
        "data": body,
        "content_type": kind,
    }


@st.composite
def cimi_request(draw: st.DrawFn, family: str) -> dict[str, object]:
    """One request on a route of ``family``; a third of them creates."""
    root = f"/cimi/{family.split(':', 1)[1]}"
    creates = any(
        r.rule == root and "POST" in r.methods for r in routes.FAMILIES[family]
    )
    if creates and draw(st.integers(0, 2)) == 0:
        return draw(create_request(family))
    route = draw(st.sampled_from(routes.FAMILIES[family]))
    method = draw(routes.method_for(route))
    headers = draw(fz.headers())
    if draw(st.booleans()):
        headers["Accept"] = draw(cimi_accept)
    pairs = draw(
        st.lists(
            st.tuples(
                st.sampled_from(QUERY_NAMES),
                st.one_of(st.sampled_from(QUERY_VALUES), fz.value),
            ),
            max_size=3,
        )
    )
    request: dict[str, object] = {
        "method": method,
        "path": draw(routes.path_of(route.rule)),
        "query_string": fz.query_string(pairs),
        "headers": headers,
    }
    if method in ("POST", "PUT", "PATCH") or draw(st.integers(0, 9)) == 0:
        kind, body = draw(cimi_bodies)
        request["data"] = body
        if kind is not None:
            request["content_type"] = kind
    return request


@pytest.mark.parametrize("family", routes.families("cimi"))
def test_cimi_family(family: str, tmp_path: Path) -> None:
    """No CIMI request gets a 5xx, a leak, a broken document or, refused, a
    change to the stores."""
    fuzzed = Fuzzed(tmp_path)

    @FUZZ
    @given(request=cimi_request(family))
    def one(request: dict[str, object]) -> None:
        fuzzed.send(family, f"{family} {request['method']}", **request)

    run_per_family(one, family)
    fuzzed.finish()
