"""Replay the original server's golden HTTP transcripts and compare responses.

The recordings live in ``tests/data/original-transcripts/<frontend>/`` (a copy of
the original server's recordings kept with the tests): one JSON file per exchange,
in the order they were sent (see that folder's README).
This module loads them, sends a recorded request through a Flask test client and
compares the answer with the recorded one *by structure*:

* the status code;
* the media type, for 2xx/4xx answers whose original was XML, JSON or HTML;
* the presence of ``Location`` (same path), ``ETag`` (200/201 GETs), ``Server``,
  ``X-Deltacloud-Driver`` (same value), ``WWW-Authenticate`` and, for OPTIONS,
  ``Allow``;
* XML bodies: tag names, attribute names and child structure, recursively; only
  the values of ``id``, ``rel``, ``name``, ``kind``, ``method`` and ``type`` are
  compared, and ``href`` by its path; text is ignored;
* JSON bodies: keys, recursively; lengths of lists of objects; only the values of
  ``id``, ``rel`` and ``name`` (and ``href`` by path) are compared.

Children of ``<error>``'s ``<backtrace>`` and ``<request>`` are not compared (the
original leaked stack traces and parameters there); instead the rewrite's must be
empty. Values that change on every run (clock-based ids such as ``volume_<t>`` or
``i-<t>``, timestamps, ETags, fingerprints, PEMs, metric samples) never cause a
difference. Intentional deviations are declared by the test modules, which check
them with :func:`check_deviation`.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any
from typing import Protocol
from urllib.parse import parse_qs
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

from defusedxml import ElementTree

from tests.support.paths import DATA

#: the recordings, kept in the repository beside the tests
TRANSCRIPTS_DIR = DATA / "original-transcripts"

#: Request headers that are not replayed (the test client sets its own).
DROPPED_REQUEST_HEADERS = frozenset({"host", "content-length"})
SERVER_PREFIX = "Apache-Deltacloud/"
#: Media types whose Content-Type is compared.
COMPARED_MEDIA_TYPES = frozenset({"application/xml", "application/json", "text/html"})
#: XML attributes whose *values* are compared (``href`` is compared by path).
COMPARED_XML_ATTRS = frozenset({"id", "rel", "name", "kind", "method", "type"})
#: JSON keys whose string values are compared (``href`` is compared by path).
COMPARED_JSON_KEYS = frozenset({"id", "rel", "name"})
#: Keys used to pair up sibling resources regardless of their order.
PAIRING_KEYS = ("id", "rel", "name")
#: XML tags / JSON keys whose number of entries varies per run (metric samples).
VARIABLE_COUNT_TAGS = frozenset({"sample"})
VARIABLE_LENGTH_KEYS = frozenset({"values"})
#: Children of ``<error>`` whose content is not compared but must be empty.
REDACTED_ERROR_CHILDREN = frozenset({"backtrace", "request"})

#: The recordings' path normalisation mangled some closing tags (``</root_type>``
#: and ``</option>`` were taken for the paths ``/root`` and ``/opt``); undo that.
RECORDING_REPAIRS = {"<<path>_type>": "</root_type>", "<<path>ion>": "</option>"}
#: Ids and names the mock builds from the clock; an optional suffix (the rewrite
#: may add one for uniqueness) is absorbed too.
VOLATILE_ID_RE = re.compile(
    r"\b(?P<prefix>volume_|store_snapshot_|net_|subnet_|nic_|i-)\d{9,}[\w.-]*"
)
#: Ids the mock numbers in sequence (never reused by the rewrite)
SEQUENTIAL_ID_RE = re.compile(r"inst\d+")


class TranscriptsNotFoundError(FileNotFoundError):
    """The reference transcripts folder could not be located."""


class ResponseLike(Protocol):
    """What :func:`compare` needs from a response (Werkzeug's test response)."""

    status_code: int

    @property
    def headers(self) -> Any: ...

    def get_data(self, as_text: bool = False) -> Any: ...


@dataclass(frozen=True)
class Exchange:
    """One recorded HTTP exchange."""

    seq: int
    title: str
    request: dict[str, Any]
    response: dict[str, Any] | None
    slug: str = ""
    error: str | None = None

    @property
    def id(self) -> str:
        """A readable pytest id, ``NNN-slug``."""
        return f"{self.seq:03d}-{self.slug}"

    @property
    def route(self) -> str:
        """The request path with matrix parameters removed."""
        return strip_matrix(self.request["path"])

    def request_body(self) -> bytes:
        """The recorded request body as bytes."""
        return decode_body(self.request.get("body"), self.request.get("body_encoding"))

    def response_body(self) -> bytes:
        """The recorded response body as bytes (empty when there is none)."""
        if self.response is None:
            return b""
        body = self.response.get("body")
        if self.response.get("body_encoding") != "base64" and body:
            for mangled, original in RECORDING_REPAIRS.items():
                body = body.replace(mangled, original)
        return decode_body(body, self.response.get("body_encoding"))


# --------------------------------------------------------------------------- loading


def load_transcripts(frontend: str, root: Path | None = None) -> list[Exchange]:
    """Load the exchanges of *frontend* (``deltacloud``, ``cimi``, ``ec2``) in order."""
    folder = (root or TRANSCRIPTS_DIR) / frontend
    files = sorted(folder.glob("[0-9]*.json"))
    if not files:
        raise TranscriptsNotFoundError(f"no transcripts in {folder}")
    exchanges = []
    for file in files:
        data = json.loads(file.read_text(encoding="utf-8"))
        exchanges.append(
            Exchange(
                seq=data["seq"],
                title=data["title"],
                request=data["request"],
                response=data.get("response"),
                slug=file.stem.split("-", 1)[1],
                error=data.get("error"),
            )
        )
    return sorted(exchanges, key=lambda exchange: exchange.seq)


def decode_body(body: str | None, encoding: str | None) -> bytes:
    """Turn a stored body (text or base64) into bytes."""
    if not body:
        return b""
    if encoding == "base64":
        return base64.b64decode(body)
    return body.encode("utf-8")


# --------------------------------------------------------------------------- replay


class IdMap:
    """Maps ids of the recording to the ids the rewrite produced.

    Clock-based ids differ on every run. Sequential mock ids (``inst4``) differ
    once the recording reused a deleted one, which the rewrite never does:
    those are also mapped back in the rewrite's answers, so that the answer is
    compared with the recorded one as if the ids matched.
    """

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}
        self.recorded: dict[str, str] = {}

    def learn(self, recorded: str | None, actual: str | None) -> None:
        """Remember *recorded* -> *actual* when *recorded* is a generated id."""
        if not (recorded and actual and recorded != actual):
            return
        if is_volatile(recorded):
            self.ids[recorded] = actual
        elif SEQUENTIAL_ID_RE.fullmatch(recorded):
            self.ids[recorded] = actual
            self.recorded[actual] = recorded

    def apply(self, text: str) -> str:
        """Replace every known recorded id in *text* (in one pass)."""
        return _replace(text, self.ids, r"(?<![\w.-])", r"(?![\w.-])")

    def restore(self, text: str) -> str:
        """Put the recorded sequential ids back in place of the rewrite's."""
        return _replace(text, self.recorded, r"\b", r"\b")


def _replace(text: str, mapping: Mapping[str, str], before: str, after: str) -> str:
    if not mapping:
        return text
    names = "|".join(re.escape(name) for name in sorted(mapping, key=len, reverse=True))
    return re.sub(f"{before}(?:{names}){after}", lambda m: mapping[m.group(0)], text)


@dataclass
class WireSession:
    """One ordered replay: the client of its app and the ids learnt so far."""

    client: Any
    ids: IdMap = field(default_factory=IdMap)

    def send(self, exchange: Exchange) -> Any:
        """Replay *exchange* (see :func:`replay`)."""
        return replay(self.client, exchange, self.ids)


def replay(client: Any, exchange: Exchange, ids: IdMap | None = None) -> Any:
    """Send the recorded request of *exchange* through a Flask test *client*.

    The raw path is passed on, matrix parameters included; the app's middleware
    strips them. With *ids*, clock-based ids are rewritten in the path, query and
    body, and the mapping is extended from the answer (``Location`` or body id).
    """
    request = exchange.request
    path, query = request["path"], request.get("query") or ""
    body = exchange.request_body()
    headers = [
        (name, value)
        for name, value in request.get("headers", {}).items()
        if name.lower() not in DROPPED_REQUEST_HEADERS
    ]
    if ids is not None:
        path, query = ids.apply(path), ids.apply(query)
        if request.get("body_encoding") != "base64":
            body = ids.apply(body.decode("utf-8")).encode("utf-8")
    content_type = next((v for k, v in headers if k.lower() == "content-type"), None)
    response = client.open(
        path,
        method=request["method"],
        query_string=query,
        headers=headers,
        data=body,
        content_type=content_type,
        base_url="http://localhost:3001",
    )
    if ids is not None and exchange.response is not None:
        _learn_ids(ids, exchange, response)
        _restore_ids(ids, response)
    return response


def _restore_ids(ids: IdMap, response: Any) -> None:
    """Show the recorded sequential ids in *response* (see :class:`IdMap`)."""
    if not ids.recorded:
        return
    if "Location" in response.headers:
        response.headers["Location"] = ids.restore(response.headers["Location"])
    body = response.get_data()
    if body.isascii():  # text documents; blob bytes are never rewritten
        restored = ids.restore(body.decode("ascii"))
        if restored != body.decode("ascii"):
            response.set_data(restored)


def _learn_ids(ids: IdMap, exchange: Exchange, response: ResponseLike) -> None:
    recorded = exchange.response or {}
    rec_location = _header(recorded.get("headers", {}), "Location")
    act_location = response.headers.get("Location")
    if rec_location and act_location:
        ids.learn(_last_segment(rec_location), _last_segment(act_location))
    elif exchange.request["method"] == "POST" and 200 <= response.status_code < 300:
        ids.learn(
            _body_id(exchange.response_body(), _media_type(recorded)),
            _body_id(response.get_data(), _media_type_of(response)),
        )


def _last_segment(url: str) -> str:
    return strip_matrix(urlsplit(url).path).rstrip("/").rsplit("/", 1)[-1]


def _body_id(body: bytes, media_type: str) -> str | None:
    try:
        if media_type == "application/xml":
            return parse_xml(body).get("id")
        if media_type == "application/json":
            data = json.loads(body)
            if isinstance(data, dict) and len(data) == 1:
                data = next(iter(data.values()))
            return data.get("id") if isinstance(data, dict) else None
    except (ValueError, ElementTree.ParseError):
        return None
    return None


# --------------------------------------------------------------------------- helpers


def strip_matrix(path: str) -> str:
    """Remove ``;k=v`` matrix parameters from every segment of *path*."""
    return "/".join(segment.split(";", 1)[0] for segment in path.split("/"))


def is_volatile(value: str) -> bool:
    """Whether *value* is an id the mock builds from the clock."""
    return VOLATILE_ID_RE.fullmatch(value) is not None


def normalize(value: str) -> str:
    """Replace values that change on every run by placeholders."""
    return VOLATILE_ID_RE.sub(r"\g<prefix><t>", value)


def url_path(url: str) -> str:
    """The path part of an absolute or relative URL, normalized."""
    return normalize(urlsplit(url).path)


def parse_xml(body: bytes) -> Element:
    """Parse *body* safely."""
    return ElementTree.fromstring(body)


def negotiated_format(request: Mapping[str, Any]) -> str:
    """The format the classic API should pick for a recorded *request*.

    ``?format=`` wins; otherwise the Accept header by q-value, ties broken by
    order; no Accept means XML. Returns ``xml``, ``json``, ``html`` or ``none``.
    """
    formats = parse_qs(request.get("query") or "").get("format")
    if formats:
        return formats[0]
    accept = _header(request.get("headers", {}), "Accept")
    if not accept:
        return "xml"
    ranked = []
    for position, item in enumerate(accept.split(",")):
        media, *params = (part.strip() for part in item.split(";"))
        quality = 1.0
        for param in params:
            if param.replace(" ", "").startswith("q="):
                quality = float(param.split("=", 1)[1])
        ranked.append((-quality, position, media.lower()))
    by_media = {
        "application/xml": "xml",
        "text/xml": "xml",
        "application/json": "json",
        "text/html": "html",
        "application/xhtml+xml": "html",
        "*/*": "html",
    }
    for _, _, media in sorted(ranked):
        if media in by_media:
            return by_media[media]
    return "none"


def _header(headers: Mapping[str, Any], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value if isinstance(value, str) else ",".join(value)
    return None


def _media(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _media_type(recorded: Mapping[str, Any]) -> str:
    return _media(_header(recorded.get("headers", {}), "Content-Type"))


def _media_type_of(response: ResponseLike) -> str:
    return _media(response.headers.get("Content-Type"))


# --------------------------------------------------------------------------- compare


@dataclass
class _Diffs:
    items: list[str] = field(default_factory=list)
    require_redacted: bool = True

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where or '/'}: {message}")


def compare(
    exchange: Exchange,
    response: ResponseLike,
    focus: Callable[[Any], Any] | None = None,
    *,
    require_redacted: bool = True,
) -> list[str]:
    """Differences between the recorded answer and *response* (empty: match).

    *focus*, if given, is applied to both parsed bodies (an ``Element`` or JSON
    value) before comparing, to narrow the comparison to a part of the document.
    With *require_redacted*, ``<error>``'s ``<backtrace>`` and ``<request>`` must be
    empty in *response*.
    """
    recorded = exchange.response
    if recorded is None:
        return ["the recording has no response to compare with"]
    diffs: list[str] = []
    status = recorded["status"]
    if response.status_code != status:
        diffs.append(f"status: expected {status}, got {response.status_code}")
    diffs += compare_headers(exchange, response)
    diffs += compare_bodies(exchange, response, focus, require_redacted)
    return diffs


def compare_headers(exchange: Exchange, response: ResponseLike) -> list[str]:
    """Compare Content-Type and the key headers (see the module docstring)."""
    recorded = exchange.response or {}
    rec_headers = recorded.get("headers", {})
    act_headers = response.headers
    status = recorded.get("status", 0)
    method = exchange.request["method"]
    diffs = []

    rec_media, act_media = _media_type(recorded), _media_type_of(response)
    checked = status // 100 in (2, 4) and rec_media in COMPARED_MEDIA_TYPES
    if checked and rec_media != act_media:
        diffs.append(f"Content-Type: expected {rec_media}, got {act_media or None}")

    rec_location = _header(rec_headers, "Location")
    act_location = act_headers.get("Location")
    if rec_location and not act_location:
        diffs.append("Location: missing")
    elif rec_location and url_path(act_location or "") != url_path(rec_location):
        diffs.append(
            f"Location: expected path {urlsplit(rec_location).path}, got {act_location}"
        )

    if (
        method == "GET"
        and status in (200, 201)
        and _header(rec_headers, "ETag")
        and not act_headers.get("ETag")
    ):
        diffs.append("ETag: missing")

    # "Server: thin" came from the HTTP server, not from Deltacloud: not compared.
    rec_server = _header(rec_headers, "Server") or ""
    act_server = act_headers.get("Server") or ""
    if rec_server.startswith(SERVER_PREFIX) and not act_server.startswith(
        SERVER_PREFIX
    ):
        diffs.append(f"Server: expected {SERVER_PREFIX}..., got {act_server or None}")

    rec_driver = _header(rec_headers, "X-Deltacloud-Driver")
    act_driver = act_headers.get("X-Deltacloud-Driver")
    if rec_driver and not act_driver:
        diffs.append("X-Deltacloud-Driver: missing")
    elif rec_driver and act_driver and rec_driver.lower() != act_driver.lower():
        diffs.append(f"X-Deltacloud-Driver: expected {rec_driver}, got {act_driver}")

    for name in ("WWW-Authenticate", "Allow"):
        if _header(rec_headers, name) and not act_headers.get(name):
            diffs.append(f"{name}: missing")
    return diffs


def compare_bodies(
    exchange: Exchange,
    response: ResponseLike,
    focus: Callable[[Any], Any] | None = None,
    require_redacted: bool = True,
) -> list[str]:
    """Compare the bodies by structure, according to the recorded media type."""
    recorded = exchange.response or {}
    if exchange.request["method"] == "HEAD":
        return []
    expected, actual = exchange.response_body(), response.get_data()
    media = _media_type(recorded)
    status = recorded.get("status", 0)
    if not expected.strip():
        if 200 <= status < 300 and actual.strip():
            return [f"body: expected none, got {len(actual)} bytes"]
        return []
    if media == "application/xml":
        return compare_xml(expected, actual, focus, require_redacted)
    if media == "application/json":
        return compare_json(expected, actual, focus)
    if not actual.strip():
        return [f"body: expected {len(expected)} bytes of {media}, got none"]
    return []


def compare_xml(
    expected: bytes,
    actual: bytes,
    focus: Callable[[Any], Any] | None = None,
    require_redacted: bool = True,
) -> list[str]:
    """Compare two XML documents by structure."""
    exp = parse_xml(expected)
    try:
        act = parse_xml(actual)
    except ElementTree.ParseError as exc:
        return [f"body: not well-formed XML ({exc}): {actual[:120]!r}"]
    if focus is not None:
        exp, act = focus(exp), focus(act)
    diffs = _Diffs(require_redacted=require_redacted)
    _compare_element(exp, act, "", diffs)
    return diffs.items


def compare_json(
    expected: bytes, actual: bytes, focus: Callable[[Any], Any] | None = None
) -> list[str]:
    """Compare two JSON documents by key structure."""
    exp = json.loads(expected)
    try:
        act = json.loads(actual)
    except ValueError as exc:
        return [f"body: not valid JSON ({exc}): {actual[:120]!r}"]
    if focus is not None:
        exp, act = focus(exp), focus(act)
    diffs = _Diffs()
    _compare_json(exp, act, "", diffs)
    return diffs.items


def _compare_element(
    exp: Element, act: Element, where: str, diffs: _Diffs, label: str = ""
) -> None:
    where = f"{where}/{exp.tag}{label}"
    if exp.tag != act.tag:
        diffs.add(where, f"expected <{exp.tag}>, got <{act.tag}>")
        return
    missing = sorted(set(exp.attrib) - set(act.attrib))
    extra = sorted(set(act.attrib) - set(exp.attrib))
    if missing:
        diffs.add(where, f"missing attributes {missing}")
    if extra:
        diffs.add(where, f"unexpected attributes {extra}")
    for name in sorted(set(exp.attrib) & set(act.attrib)):
        exp_value, act_value = exp.attrib[name], act.attrib[name]
        if _values_differ(name, exp_value, act_value, COMPARED_XML_ATTRS):
            diffs.add(where, f"@{name} expected {exp_value!r}, got {act_value!r}")
    if exp.tag == "error" and diffs.require_redacted:
        _check_redacted(act, where, diffs)
    _compare_children(
        [c for c in exp if not _is_redacted(exp, c)],
        [c for c in act if not _is_redacted(act, c)],
        where,
        diffs,
        tag=lambda element: element.tag,
        key=lambda element: element.get,
        recurse=_compare_element,
        variable=VARIABLE_COUNT_TAGS,
        describe=lambda tag: f"<{tag}>",
    )
    for name in REDACTED_ERROR_CHILDREN if exp.tag == "error" else ():
        if (exp.find(name) is None) != (act.find(name) is None):
            diffs.add(where, f"<{name}> presence differs")


def _values_differ(
    name: str, expected: str, actual: str, compared: frozenset[str]
) -> bool:
    if name == "href":
        return url_path(expected) != url_path(actual)
    return name in compared and normalize(expected) != normalize(actual)


def _is_redacted(parent: Element, child: Element) -> bool:
    return parent.tag == "error" and child.tag in REDACTED_ERROR_CHILDREN


def _check_redacted(act: Element, where: str, diffs: _Diffs) -> None:
    for name in sorted(REDACTED_ERROR_CHILDREN):
        element = act.find(name)
        if element is not None and (len(element) or (element.text or "").strip()):
            diffs.add(where, f"<{name}> must be empty (it leaked data in the original)")


def _compare_children(
    exp_children: list[Any],
    act_children: list[Any],
    where: str,
    diffs: _Diffs,
    *,
    tag: Callable[[Any], str],
    key: Callable[[Any], Callable[[str], Any]],
    recurse: Callable[[Any, Any, str, _Diffs, str], None],
    variable: frozenset[str],
    describe: Callable[[str], str],
) -> None:
    """Pair siblings by tag, then by id/rel/name when unique, else by position."""
    exp_groups: dict[str, list[Any]] = {}
    act_groups: dict[str, list[Any]] = {}
    for child in exp_children:
        exp_groups.setdefault(tag(child), []).append(child)
    for child in act_children:
        act_groups.setdefault(tag(child), []).append(child)
    for name in sorted(set(exp_groups) | set(act_groups)):
        exp_list, act_list = exp_groups.get(name, []), act_groups.get(name, [])
        if not act_list:
            diffs.add(where, f"missing {describe(name)}")
            continue
        if not exp_list:
            diffs.add(where, f"unexpected {describe(name)}")
            continue
        if name in variable:
            recurse(exp_list[0], act_list[0], where, diffs, "[0]")
            continue
        if len(exp_list) != len(act_list):
            diffs.add(
                where,
                f"expected {len(exp_list)} x {describe(name)}, got {len(act_list)}",
            )
        for exp_child, act_child, label in _pair(exp_list, act_list, key, where, diffs):
            recurse(exp_child, act_child, where, diffs, label)


def _pair(
    exp_list: list[Any],
    act_list: list[Any],
    key: Callable[[Any], Callable[[str], Any]],
    where: str,
    diffs: _Diffs,
    always_index: bool = False,
) -> list[tuple[Any, Any, str]]:
    """Pair up entries, each with a label for messages (``[id=x]``, ``[2]``)."""
    if len(exp_list) > 1 or len(act_list) > 1:
        for attr in PAIRING_KEYS:
            exp_keys = [_key_value(key(item)(attr)) for item in exp_list]
            act_keys = [_key_value(key(item)(attr)) for item in act_list]
            if None in exp_keys or len(set(exp_keys)) != len(exp_keys):
                continue
            act_by_key = dict(zip(act_keys, act_list, strict=True))
            pairs = []
            for exp_key, item in zip(exp_keys, exp_list, strict=True):
                if exp_key in act_by_key:
                    pairs.append((item, act_by_key[exp_key], f"[{attr}={exp_key}]"))
                else:
                    diffs.add(where, f"missing entry with {attr}={exp_key!r}")
            for act_key in act_keys:
                if act_key not in exp_keys:
                    diffs.add(where, f"unexpected entry with {attr}={act_key!r}")
            return pairs
    indexed = always_index or len(exp_list) > 1 or len(act_list) > 1
    return [
        (exp_item, act_item, f"[{index}]" if indexed else "")
        for index, (exp_item, act_item) in enumerate(
            zip(exp_list, act_list, strict=False)
        )
    ]


def _key_value(value: Any) -> str | None:
    return normalize(value) if isinstance(value, str) else None


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _compare_json(exp: Any, act: Any, where: str, diffs: _Diffs) -> None:
    exp_kind, act_kind = _json_kind(exp), _json_kind(act)
    if exp_kind != act_kind:
        diffs.add(where, f"expected {exp_kind}, got {act_kind}")
        return
    if isinstance(exp, dict):
        missing = sorted(set(exp) - set(act))
        extra = sorted(set(act) - set(exp))
        if missing:
            diffs.add(where, f"missing keys {missing}")
        if extra:
            diffs.add(where, f"unexpected keys {extra}")
        for name in sorted(set(exp) & set(act)):
            path = f"{where}/{name}"
            exp_value, act_value = exp[name], act[name]
            if isinstance(exp_value, str) and isinstance(act_value, str):
                if _values_differ(name, exp_value, act_value, COMPARED_JSON_KEYS):
                    diffs.add(path, f"expected {exp_value!r}, got {act_value!r}")
            elif name in VARIABLE_LENGTH_KEYS and isinstance(exp_value, list):
                if isinstance(act_value, list) and exp_value and act_value:
                    _compare_json(exp_value[0], act_value[0], f"{path}[0]", diffs)
                elif not isinstance(act_value, list):
                    _compare_json(exp_value, act_value, path, diffs)
            else:
                _compare_json(exp_value, act_value, path, diffs)
    elif isinstance(exp, list):
        _compare_json_list(exp, act, where, diffs)


def _compare_json_list(
    exp: list[Any], act: list[Any], where: str, diffs: _Diffs
) -> None:
    holds_resources = any(isinstance(item, dict | list) for item in exp + act)
    if not holds_resources:
        return
    if len(exp) != len(act):
        diffs.add(where, f"expected {len(exp)} entries, got {len(act)}")
    if all(isinstance(item, dict) for item in exp + act):
        pairs = _pair(exp, act, lambda item: item.get, where, diffs, True)
    else:
        pairs = _pair(exp, act, lambda item: {}.get, where, diffs, True)
    for exp_item, act_item, label in pairs:
        _compare_json(exp_item, act_item, f"{where}{label}", diffs)


# --------------------------------------------------------------------------- deviations


def describe(exchange: Exchange) -> str:
    """``seq title: METHOD path?query`` for failure messages."""
    request = exchange.request
    query = f"?{request['query']}" if request.get("query") else ""
    return (
        f"{exchange.seq:03d} {exchange.title}: "
        f"{request['method']} {request['path']}{query}"
    )


def failure_report(exchange: Exchange, diffs: list[str], reason: str = "") -> str:
    """The assertion message for *exchange*'s *diffs* (with its declared reason)."""
    context = describe(exchange)
    if reason:
        context += f"\n  declared deviation: {reason}"
    return "\n".join([context, *(f"  - {diff}" for diff in diffs)])


def undeclared(
    deviations: Mapping[int, tuple[int, str]], exchanges: list[Exchange]
) -> list[str]:
    """What is wrong with a module's declared deviations: a seq no exchange has,
    a status that is no HTTP status, or a missing reason."""
    known = {exchange.seq for exchange in exchanges}
    problems = []
    for seq, (status, reason) in deviations.items():
        if seq not in known:
            problems.append(f"{seq}: no such exchange")
        if not 100 <= status < 600:
            problems.append(f"{seq}: {status} is no HTTP status")
        if not reason:
            problems.append(f"{seq}: no reason given")
    return problems


def check_deviation(
    exchange: Exchange, response: ResponseLike, expected_status: int
) -> list[str]:
    """Checks for an exchange whose original behaviour is deliberately not kept.

    The status must be *expected_status*. For an error under ``/api`` negotiated as
    XML or JSON, the body must be a well-formed error document in that format.
    """
    diffs = []
    if response.status_code != expected_status:
        diffs.append(
            f"status: expected {expected_status} (declared deviation; original "
            f"{(exchange.response or {}).get('status')}), got {response.status_code}"
        )
    is_api = exchange.route == "/api" or exchange.route.startswith("/api/")
    server = response.headers.get("Server") or ""
    if is_api and not server.startswith(SERVER_PREFIX):
        diffs.append(f"Server: expected {SERVER_PREFIX}..., got {server or None}")
    if not (is_api and expected_status >= 400):
        return diffs
    fmt = negotiated_format(exchange.request)
    if exchange.request["method"] == "HEAD" or fmt not in ("xml", "json"):
        return diffs
    media = _media_type_of(response)
    want = f"application/{fmt}"
    if media != want:
        return [*diffs, f"Content-Type: expected {want}, got {media or None}"]
    return diffs + check_error_document(response.get_data(), fmt)


def check_error_document(body: bytes, fmt: str) -> list[str]:
    """Check that *body* is an error document of the classic API in *fmt*."""
    if fmt == "json":
        try:
            data = json.loads(body)
        except ValueError as exc:
            return [f"body: not valid JSON ({exc})"]
        if not isinstance(data, dict):
            return ["body: JSON error document must be an object"]
        missing = sorted({"code", "message", "error"} - set(data))
        return [f"body: JSON error document lacks {missing}"] if missing else []
    try:
        root = parse_xml(body)
    except ElementTree.ParseError as exc:
        return [f"body: not well-formed XML ({exc})"]
    if root.tag != "error":
        return [f"body: expected <error>, got <{root.tag}>"]
    diffs = _Diffs()
    missing_attrs = sorted({"status", "url"} - set(root.attrib))
    if missing_attrs:
        diffs.add("/error", f"missing attributes {missing_attrs}")
    for name in ("backend", "code", "message", *sorted(REDACTED_ERROR_CHILDREN)):
        if root.find(name) is None:
            diffs.add("/error", f"missing <{name}>")
    _check_redacted(root, "/error", diffs)
    return diffs.items
