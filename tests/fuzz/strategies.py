"""Hypothesis strategies for hostile requests: text, ids, headers and bodies.

Everything a client could put on the wire is drawn here as it would reach the
WSGI app: paths and queries percent-encoded from UTF-8 (lone surrogates kept,
``surrogatepass``), header values as the Latin-1 text a server decodes from
the bytes sent (CR, LF and NUL cannot cross an HTTP parser, so they are not).
"""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

from hypothesis import strategies as st

from tests.support.auth import MOCK_AUTH

#: ids that exist in the seed data (mock and CIMI)
REAL_IDS = (
    "inst0", "inst1", "inst2", "inst3", "img1", "img2", "img3", "vol1", "vol2",
    "vol3", "snap1", "snap2", "snap3", "bucket1", "bucket2", "blob1", "blob2",
    "blob3", "blob4", "blob5", "192.168.0.1", "192.168.0.2", "net1", "net2",
    "subnet1", "subnet2", "subnet3", "nic1", "nicinst3", "default", "rule-ssh",
    "lb1", "test-key", "us", "eu", "m1-small", "m1-large", "m1-xlarge", "opaque",
    "mock", "system1", "system2", "template1", "template2", "network_port1",
    "addr_template1", "network_config1", "portconfig1", "sys_machine_1",
    "sys_volume_1", "sysnet1", "network1", "address1", "group1", "mockuser",
)  # fmt: skip
#: real ids by the name of the path parameter (or family) that takes them
IDS_FOR = {
    "instance": ("inst0", "inst1", "inst2", "inst3"),
    "machine": ("inst0", "inst1", "inst2", "inst3"),
    "metric": ("inst0", "inst1", "inst2", "inst3"),
    "image": ("img1", "img2", "img3"),
    "machine_images": ("img1", "img2", "img3"),
    "volume": ("vol1", "vol2", "vol3"),
    "volumes": ("vol1", "vol2", "vol3"),
    "snapshot": ("snap1", "snap2", "snap3"),
    "volume_images": ("snap1", "snap2", "snap3"),
    "bucket": ("bucket1", "bucket2"),
    "blob": ("blob1", "blob2", "blob3", "blob4", "blob5"),
    "key": ("test-key",),
    "credentials": ("test-key",),
    "realm": ("us", "eu"),
    "profile": ("m1-small", "m1-large", "m1-xlarge", "opaque"),
    "config": ("m1-small", "m1-large", "m1-xlarge", "opaque"),
    "address": ("192.168.0.1", "192.168.0.2", "192.168.0.3"),
    "addresses": ("192.168.0.1", "192.168.0.2", "192.168.0.3"),
    "network": ("net1", "net2"),
    "networks": ("net1", "net2"),
    "subnet": ("subnet1", "subnet2", "subnet3", "subnet4"),
    "interface": ("nic1", "nicinst3"),
    "firewall": ("default",),
    "rule": ("rule-ssh",),
    "balancer": ("lb1",),
    "driver": ("mock",),
    "system": ("system1", "system2"),
    "systems": ("system1", "system2"),
    "network_ports": ("network_port1", "network_port2"),
    "network_templates": ("template1", "template2"),
    "network_port_templates": ("template1", "template2"),
    "system_templates": ("template1",),
    "forwarding_group_templates": ("template1",),
    "address_templates": ("addr_template1", "addr_template2"),
    "network_configurations": ("network_config1", "network_config2"),
    "network_port_configurations": ("portconfig1", "portconfig2"),
    "resource_metadata": ("machine", "volume", "system"),
}
#: ids a client should never be able to abuse
HOSTILE_IDS = (
    "..", ".", "../mock", "..%2f..%2fetc", ".lock", ".seeded", "-", "_",
    "a" * 129, "inst1/../inst2", "inst1\x00", "inst1 ", " inst1", "INST1",
    "inst1.json", "con", "nul", "~", "*", "%", "%00", "%2e%2e", "inst1;x=y",
    "\u0130nst1", "ｉｎｓｔ１", "inst1\u200b", "http://evil.example/x",
)  # fmt: skip
#: values that broke or could break parsers, renderers and stores
SPECIAL_TEXT = (
    "", " ", "\x00", "\x01\x02\x1b\x1f\x7f", "\r\n", "a\r\nX-Injected: yes",
    "\n\n\n", "\t", "\uffff", "\ufffe", "\ud800", "x\udfffy", "\u202e", "\u0085",
    "\u2028", "é", "日本語", "😀", "\U0010ffff", "A" * 5000, "9" * 5000,
    "-" + "9" * 5000, "1e99999", "NaN", "-Infinity", "-1", "0", "0x10",
    "2147483648", "18446744073709551616", "1.5", "../../etc/passwd", "/",
    "<a>&amp;</b>", "]]>", "<![CDATA[", "&lt;", "&#0;", "&#xFFFF;", "'", '"',
    "\\", "{{7*7}}", "${x}", "null", "true", "[]", "{}", "*", "?", "#", ";",
    ",", "=", "&", "+", "%", "%zz", "%00", "%0d%0a", "=?utf-8?q?x?=",
)  # fmt: skip
#: mock realm ids that fail on purpose (the original's error hooks): never sent
ERROR_TRIGGERS = frozenset({"500", "501", "502", "504"})


def keep_off(value: str) -> str:
    """Neither an error-hook realm nor the ec2 driver (which would go online)."""
    if value.strip() in ERROR_TRIGGERS:
        return value + "x"
    if value.strip().lower() == "ec2":
        return "mock"
    return value


def mostly(
    usual: st.SearchStrategy[str], other: st.SearchStrategy[str], odds: int = 3
) -> st.SearchStrategy[str]:
    """``usual`` ``odds`` times out of ``odds + 1``, else ``other`` (``one_of``
    alone would weigh them by their number of branches)."""
    return st.integers(0, odds).flatmap(lambda n: usual if n else other)


unicode_text = st.text(
    st.one_of(
        st.characters(exclude_categories=()),
        st.characters(categories=["Cs", "Cc", "Cn", "Co", "Zl", "Zp"]),
    ),
    max_size=30,
)
numbers = st.one_of(st.integers(), st.integers(min_value=10**30, max_value=10**40)).map(
    str
)
#: any text a field or id could hold
text = st.one_of(
    st.sampled_from(SPECIAL_TEXT),
    st.sampled_from(REAL_IDS),
    st.sampled_from(HOSTILE_IDS),
    unicode_text,
    st.from_regex(r"\A[A-Za-z0-9_.:@+\-]{1,20}\Z"),
    numbers,
).map(keep_off)
#: a field value: plausible (an id, a small number, a name) or anything
value = mostly(
    st.one_of(
        st.sampled_from(REAL_IDS),
        st.integers(0, 4096).map(str),
        st.from_regex(r"\A[a-z][a-z0-9-]{0,11}\Z"),
    ),
    text,
    odds=1,
).map(keep_off)
#: a path parameter: a real id most often, else anything
ident = mostly(st.sampled_from(REAL_IDS), text, odds=2).map(keep_off)


def ident_for(*names: str) -> st.SearchStrategy[str]:
    """A path parameter called (or in a family called) one of ``names``:
    mostly an id of that kind, else any id or text."""
    for name in names:
        kind = name.removesuffix("_id")
        if kind in IDS_FOR:
            return mostly(st.sampled_from(IDS_FOR[kind]), ident)
    return ident


def wire(value: str, safe: str = "") -> str:
    """``value`` percent-encoded from UTF-8 (lone surrogates kept)."""
    return quote(value.encode("utf-8", "surrogatepass"), safe=safe)


def header_value(value: str) -> str:
    """The text a server reads from ``value`` sent as UTF-8 bytes."""
    raw = value.encode("utf-8", "surrogatepass").decode("latin-1")
    return "".join(c for c in raw if c not in "\r\n\x00")


def basic(user: str, password: str) -> str:
    """A Basic Authorization value (UTF-8 credentials)."""
    pair = f"{user}:{password}".encode("utf-8", "surrogatepass")
    return "Basic " + base64.b64encode(pair).decode()


odd_authorization = st.one_of(
    st.none(),
    st.just(basic("mockuser", "wrong")),
    st.builds(basic, text, text),
    st.builds(basic, st.just("mockuser"), st.just("mockpässword")),
    st.builds(basic, st.just("möckuser"), st.just("mockpassword")),
    st.sampled_from(
        (
            "Basic",
            "Basic ",
            "Basic !!!",
            "Basic bW9ja3VzZXI",
            "Basic " + base64.b64encode(b"mockuser").decode(),
            "Basic " + base64.b64encode(b"\xff\xfe:\xff").decode(),
            "basic " + MOCK_AUTH.split()[1],
            "Bearer abc",
            "Digest x",
            MOCK_AUTH + " trailing",
        )
    ),
    text.map(header_value),
)
accept = st.one_of(
    st.sampled_from(
        (
            "application/xml",
            "application/json",
            "text/html",
            "*/*",
            "",
            "text/plain",
            "application/xml;q=0",
            "application/json;q=0.5, application/xml",
            "image/png",
            "application/CIMI-Machine+xml",
            "application/*",
            "text/*;q=0.1",
            ";;;",
            "application/json;q=abc",
        )
    ),
    text.map(header_value),
)
content_type = st.sampled_from(
    (
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=fuzz",
        "application/json",
        "application/xml",
        "text/xml",
        "text/plain",
        "application/octet-stream",
        "multipart/form-data",
        "application/json; charset=latin-1",
        "application/xml; charset=utf-16",
        "",
        "garbage",
    )
)
driver_value = st.one_of(
    st.sampled_from(("mock", "MOCK", "", "nosuch", "../mock")), text
).map(keep_off)
provider_value = st.one_of(st.sampled_from(("default", "us", "eu", "")), text)


@st.composite
def headers(draw: st.DrawFn) -> dict[str, str]:
    """Authorization, Accept and, sometimes, driver, provider and odd headers."""
    found: dict[str, str] = {}
    auth = MOCK_AUTH if draw(st.integers(0, 4)) else draw(odd_authorization)
    if auth is not None:
        found["Authorization"] = auth
    if draw(st.booleans()):
        found["Accept"] = draw(accept)
    if draw(st.integers(0, 9)) == 0:
        found["X-Deltacloud-Driver"] = header_value(draw(driver_value))
    if draw(st.integers(0, 9)) == 0:
        found["X-Deltacloud-Provider"] = header_value(draw(provider_value))
    if draw(st.integers(0, 6)) == 0:
        name = draw(
            st.sampled_from(
                (
                    "X-HTTP-Method-Override",
                    "Origin",
                    "Referer",
                    "Sec-Fetch-Site",
                    "X-Deltacloud-SegmentedBlob",
                    "X-Deltacloud-Blobmeta-Fuzz",
                    "Range",
                    "If-None-Match",
                    "Cookie",
                )
            )
        )
        found[name] = header_value(draw(text))
    return found


def query_string(pairs: list[tuple[str, str]]) -> str:
    """``pairs`` as a query string, each name and value percent-encoded."""
    return "&".join(f"{wire(k)}={wire(v)}" for k, v in pairs)


def queries(names: tuple[str, ...]) -> st.SearchStrategy[list[tuple[str, str]]]:
    """Query pairs: known names (and any) with any values."""
    name = mostly(st.sampled_from(names), text)
    return st.lists(st.tuples(name, value), max_size=4)


json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False),
        text,
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(text, inner, max_size=3),
    ),
    max_leaves=8,
)
#: JSON documents no sane client sends: deep, huge or not JSON at all
SPECIAL_JSON = (
    b"[" * 100_000 + b"]" * 100_000,
    b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    b'{"capacity": ' + b"9" * 5000 + b"}",
    b'{"memory": 1e999999}',
    b'{"name": NaN}',
    b'{"name": "\\ud800"}',
    b'{"name": "\\u0000\\uffff"}',
    b"\xff\xfe{",
    b"",
    b"{",
    b"null",
    b"[]",
    b'"x"',
    b"1" * 5000,
    b'{"a": 1, "a": 2}',
)


def json_body(fields: tuple[str, ...]) -> st.SearchStrategy[bytes]:
    """A JSON body: an object of known fields, any JSON, or a hostile one."""
    objects = st.dictionaries(
        mostly(st.sampled_from(fields), text),
        st.one_of(value, json_values),
        max_size=5,
    )
    return st.one_of(
        objects.map(lambda v: json.dumps(v).encode()),
        json_values.map(lambda v: json.dumps(v).encode()),
        st.sampled_from(SPECIAL_JSON),
    )


def form_body(fields: tuple[str, ...]) -> st.SearchStrategy[bytes]:
    """An urlencoded form of known (and any) fields with any values."""
    name = mostly(st.sampled_from(fields), text)
    return st.lists(st.tuples(name, value), max_size=6).map(
        lambda pairs: query_string(pairs).encode("ascii")
    )


@st.composite
def multipart_body(draw: st.DrawFn, fields: tuple[str, ...]) -> bytes:
    """A multipart/form-data body (boundary ``fuzz``), parts with and without
    names and file names, odd part headers included."""
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        name = draw(st.one_of(mostly(st.sampled_from(fields), text), st.none()))
        filename = draw(st.one_of(st.none(), text))
        disposition = "form-data"
        if name is not None:
            disposition += f'; name="{header_value(name)}"'
        if filename is not None:
            disposition += f'; filename="{header_value(filename)}"'
        lines = [f"Content-Disposition: {disposition}"]
        if draw(st.booleans()):
            lines.append(f"Content-Type: {header_value(draw(text))}")
        payload = draw(st.one_of(value, st.binary(max_size=64)))
        if isinstance(payload, str):
            payload = payload.encode("utf-8", "surrogatepass")
        head = "\r\n".join(lines).encode("latin-1", "replace")
        parts.append(b"--fuzz\r\n" + head + b"\r\n\r\n" + payload + b"\r\n")
    ending = draw(st.sampled_from((b"--fuzz--\r\n", b"", b"--fuzz\r\n", b"--fu")))
    return b"".join(parts) + ending


def bodies(
    fields: tuple[str, ...], xml: st.SearchStrategy[bytes] | None = None
) -> st.SearchStrategy[tuple[str | None, bytes]]:
    """(content type, body): none, a form, multipart, JSON, XML or raw bytes."""
    kinds: list[st.SearchStrategy[tuple[str | None, bytes]]] = [
        st.just((None, b"")),
        st.tuples(st.just("application/x-www-form-urlencoded"), form_body(fields)),
        st.tuples(
            st.just("multipart/form-data; boundary=fuzz"), multipart_body(fields)
        ),
        st.tuples(st.just("application/json"), json_body(fields)),
        st.tuples(
            st.one_of(content_type, text.map(header_value)), st.binary(max_size=200)
        ),
    ]
    if xml is not None:
        kinds.append(st.tuples(st.sampled_from(("application/xml", "text/xml")), xml))
    return st.one_of(*kinds)


def nested_xml(tag: str, depth: int) -> bytes:
    """``depth`` nested ``tag`` elements."""
    return f"<{tag}>".encode() * depth + f"</{tag}>".encode() * depth


#: XML no parser should be made to expand or descend
SPECIAL_XML = (
    nested_xml("a", 100_000),
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><x>&b;</x>',
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    b"<x>&e;</x>",
    b"<x>",
    b"",
    b"<?xml version='1.0' encoding='utf-16'?><x/>",
    b"\xff\xfe<\x00x\x00/\x00>\x00",
    b"<x>\x00</x>",
    b"<x>&#0;</x>",
    b"<x a='1' a='2'/>",
    b"<?xml-stylesheet href='http://evil/'?><x/>",
)
