"""Wire compatibility of the CIMI frontend (``/cimi``) with the original server.

Replays the golden transcripts in ``original-transcripts/cimi/``, in recorded
order, against one app with fresh mock data, and compares every answer with the
recorded one by structure (see ``tests/transcripts.py``). Where the original had
a bug, or where the rewrite adds to a document, the deviation is declared below
with its reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

import pytest
from flask import Flask

from deltaflask import create_app
from tests.support.cimi import ACTION
from tests.support.cimi import NS
from tests.support.transcripts import Exchange
from tests.support.transcripts import WireSession
from tests.support.transcripts import check_deviation
from tests.support.transcripts import check_error_document
from tests.support.transcripts import compare
from tests.support.transcripts import failure_report
from tests.support.transcripts import load_transcripts
from tests.support.transcripts import undeclared

FRONTEND = "cimi"

_MISSING_IS_404 = "a missing entity is a 404 error document, not a 500 crash"
_NO_ROUTE = "an unknown path is a 404 error document in the requested format"
_WRONG_METHOD = "a method a known path does not serve is 405, not Sinatra's 404 page"
_BAD_MEDIA = (
    "a body in a media type CIMI does not read is 415, not a 500 "
    "('Can not parse content type')"
)
_STATE_CHECK = (
    "actions and deletes are checked against the machine's state (spec 14.7 #48): "
    "the original stopped a stopped machine and destroyed running ones"
)
_MISMATCH = (
    "an Action naming another action than its URL is a 400 (spec 14.7 #48); the "
    "original ran the body's action"
)
_SERVED = (
    "served by the rewrite: the original refused it for a missing or misspelt "
    "capability (spec 14.7 #44) with a 412 text/html page"
)
_VALIDATED = (
    "the create request lacks its required template (400); the original created "
    "an entity anyway"
)
_NOT_CREATED = "never created, since the create was refused (see the seq before)"
_REMAINS = "still there, since its delete was refused for its state"

#: Intentional deviations: seq -> (status the rewrite must answer, reason).
DEVIATIONS: dict[int, tuple[int, str]] = {
    89: (404, _MISSING_IS_404 + " (unknown ResourceMetadata, spec 14.7 #52)"),
    91: (404, "the opaque profile is no MachineConfiguration (spec 14.7 #49)"),
    95: (200, _SERVED),
    96: (200, _SERVED),
    97: (200, "$expand=* on a collection expands its entries, not a 500"),
    98: (200, "$expand=volumes is honoured on a machine (an empty one: href only)"),
    105: (
        200,
        "a disk is named after its real capacity in KiB, as the expanded machine "
        "shows it (spec 14.7 #47)",
    ),
    118: (200, _SERVED),
    119: (200, _SERVED),
    120: (200, _SERVED),
    121: (200, _SERVED),
    122: (200, _SERVED),
    123: (200, _SERVED),
    130: (404, _MISSING_IS_404),
    131: (404, _MISSING_IS_404),
    133: (404, _MISSING_IS_404),
    134: (404, _MISSING_IS_404),
    137: (404, _NO_ROUTE),
    138: (404, _NO_ROUTE),
    143: (405, _WRONG_METHOD),
    144: (
        400,
        "PUT edits a machine (name, description, properties); an edit changing "
        "nothing is a 400",
    ),
    145: (405, _WRONG_METHOD),
    160: (409, _STATE_CHECK),
    168: (400, _MISMATCH),
    169: (200, "inst5 stays stopped: the mismatched Action of seq 168 was refused"),
    170: (400, "an Action naming an unknown action is a 400, not a 500"),
    173: (400, "an empty Action body lacks its required action (400), not a 500"),
    174: (409, _STATE_CHECK + "; inst5 is still stopped (seq 168)"),
    180: (200, "credentials can be deleted (spec 14.7 #42: capability delete_key)"),
    190: (
        201,
        "PUT to the addURI attaches, as the seed post 'CIMI Volumes, Machines and "
        "the MachineVolume collection' does with curl (the original's route had "
        "become POST only: Sinatra's 404)",
    ),
    193: (
        201,
        "POST to the MachineVolume collection attaches (its add operation); the "
        "volume named is already attached there by seq 190, so it answers that "
        "attachment",
    ),
    210: (200, "an address is deleted (spec 14.7 #43: missing driver method)"),
    211: (
        201,
        "the seed's NetworkTemplate template1 names the mock's forwarding group "
        "net1 (its 'group1' pointed at nothing), so creating by reference works",
    ),
    212: (201, "a Network is created by value (spec 14.7 #44: shadowed create)"),
    213: (
        412,
        "the driver contract has no network start or stop, so the rewrite offers "
        "no such actions and answers 412 as the original, with a CIMI error "
        "document (the original's was text/html)",
    ),
    214: (412, "as seq 213"),
    215: (200, "the ports of a network are listed (spec 14.7 #44: a 500)"),
    216: (200, "the networks of seqs 211 and 212 exist"),
    218: (202, "the system's machines are stopped; an empty answer has no type"),
    219: (202, "as seq 218, started"),
    220: (
        200,
        "a started system offers stop and restart (the original still offered "
        "start); it records when it was updated",
    ),
    221: (201, _SERVED),
    224: (415, _BAD_MEDIA),
    225: (415, _BAD_MEDIA),
    226: (400, "a JSON body sent as XML is malformed XML: 400, not a 500"),
    227: (400, _VALIDATED),
    229: (400, _VALIDATED),
    231: (409, _STATE_CHECK),
    233: (409, _STATE_CHECK),
    234: (200, _REMAINS + " (seq 231)"),
    235: (404, _MISSING_IS_404),
    236: (404, _NOT_CREATED),
    237: (404, _NOT_CREATED),
    13: (200, "ResourceMetadata describes every type the driver serves"),
    14: (200, "as seq 13"),
    240: (200, "inst4 and inst6 remain (seqs 231, 233); inst10 was never created"),
}

#: what the rewrite adds to the documents of a collection (by the first path
#: segment of an entity's id): the network interfaces of a machine, the forwarding
#: group of a network, the collections the original could not advertise, and the
#: name and state of a volume image
ADDED = {
    "machines": {"networkInterfaces"},
    "networks": {"forwardingGroup"},
    "cloudEntryPoint": {"networkPorts", "forwardingGroupTemplates"},
    "volume_images": {"name", "state"},
}
#: collections whose "add" operation is not compared: the original could not
#: create there, or did not advertise it (nor, inside an expanded machine, its
#: volumes' attach)
ADDABLE = re.compile(
    r"/cimi/(credentials|system_templates|network_templates|network_configurations"
    r"|network_port_templates|network_port_configurations|systems/[^/]+/\w+"
    r"|machines/[^/]+/volumes)$"
)
#: entities whose delete the original did not advertise though its driver had it
DELETABLE = {
    "machine_images",
    "credentials",
    "addresses",
    "forwarding_groups",
    "volume_images",
}
#: operations the rewrite does not offer (OVF export and import of systems)
NOT_OFFERED = (ACTION + "export", ACTION + "import")
#: the seed's references to nothing, as the rewrite's seed points them
SEED_FIXES = {
    "/cimi/forwarding_groups/group1": "/cimi/forwarding_groups/net1",
    "/cimi/networks/network1": "/cimi/networks/subnet1",
    "/cimi/networks/network2": "/cimi/networks/subnet3",
}
SEED_HOST = "http://cimi.example.org/"
#: never compared: timestamps (the rewrite gives every kept entity its creation
#: time) and a key's ``password`` (the original put its fingerprint there, spec
#: 14.7 #42)
DROPPED = {"created", "updated", "password"}

EXCHANGES = load_transcripts(FRONTEND)
SELECTED = [exchange for exchange in EXCHANGES if exchange.response is not None]


def focus_for(exchange: Exchange) -> Callable[[Any], Any]:
    """How the documents of an exchange are narrowed before comparing."""
    return normalize


def normalize(document: Any) -> Any:
    """The parts of a document both servers are expected to agree on: without
    the rewrite's additions (:data:`ADDED`, ``edit`` operations, ``add`` and
    ``delete`` operations the original did not advertise) and with the
    original's seed references and operation names as the rewrite gives them."""
    if isinstance(document, Element):
        return _xml(document, _kind(document.findtext(f"{NS}id") or ""))
    return _json(document, "")


def _kind(entity_id: str) -> str:
    path = urlsplit(entity_id).path
    return path.removeprefix("/cimi/").split("/", 1)[0]


def _href(value: str) -> str:
    value = value.replace(SEED_HOST, "http://localhost:3001/cimi/")
    path = urlsplit(value).path
    return value.replace(path, SEED_FIXES.get(path, path)) if path else value


def _keeps_operation(op: dict[str, str], kind: str, owner: str) -> bool:
    rel = op.get("rel") or ""
    if rel == "edit" or rel in NOT_OFFERED:
        return False
    if rel in ("delete", ACTION + "delete") and kind in DELETABLE:
        return False
    return not (rel == "add" and ADDABLE.search(urlsplit(owner).path))


def _operation(op: dict[str, str]) -> dict[str, str]:
    rel = op.get("rel") or ""
    return {**op, "rel": "delete" if rel == ACTION + "delete" else rel}


def _xml(element: Element, kind: str) -> Element:
    own_id = element.findtext(f"{NS}id") or element.get("href") or ""
    kind = _kind(own_id) if own_id else kind
    attributes = {
        key: _href(value) if key == "href" else value
        for key, value in element.attrib.items()
    }
    copy = Element(element.tag, attributes)
    copy.text = element.text
    dropped = DROPPED | ADDED.get(kind, set())
    for child in element:
        name = child.tag.removeprefix(NS)
        if name in dropped:
            continue
        if name == "operation":
            if not _keeps_operation(dict(child.attrib), kind, own_id):
                continue
            child = Element(child.tag, _operation(dict(child.attrib)))
        copy.append(_xml(child, kind))
    return copy


def _json(value: Any, kind: str) -> Any:
    if isinstance(value, list):
        return [_json(item, kind) for item in value]
    if not isinstance(value, dict):
        return value
    own_id = value.get("id") if isinstance(value.get("id"), str) else ""
    kind = _kind(own_id) if own_id else kind
    dropped = DROPPED | ADDED.get(kind, set())
    result: dict[str, Any] = {}
    for key, item in value.items():
        if key in dropped:
            continue
        if key == "href" and isinstance(item, str):
            result[key] = _href(item)
        elif key == "operations" and isinstance(item, list):
            kept = [
                _operation(op)
                for op in item
                if isinstance(op, dict) and _keeps_operation(op, kind, own_id)
            ]
            if kept:
                result[key] = [_json(op, kind) for op in kept]
        else:
            result[key] = _json(item, kind)
    return result


@pytest.fixture(scope="module")
def wire_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """One app with fresh mock data and CIMI store for the whole ordered replay."""
    storage = tmp_path_factory.mktemp("mock")
    return create_app(
        {
            "TESTING": True,
            "MOCK_STORAGE": str(storage / "mock"),
            "FRONTENDS": ["deltacloud", "cimi"],
        }
    )


@pytest.fixture(scope="module")
def wire(wire_app: Flask) -> WireSession:
    return WireSession(wire_app.test_client())


def expected_deviation(exchange: Exchange) -> tuple[int, str] | None:
    """The declared (status, reason) for *exchange*, or None to compare.

    An empty 2xx answer of the original carried Sinatra's default
    ``text/html`` type; the rewrite's empty answers carry none, so only their
    status is checked.
    """
    if exchange.seq in DEVIATIONS:
        return DEVIATIONS[exchange.seq]
    recorded = exchange.response or {}
    if 200 <= recorded.get("status", 0) < 300 and not exchange.response_body():
        return recorded["status"], "an empty answer has no Content-Type"
    return None


def check_cimi_error(response: Any) -> list[str]:
    """A declared error must be a CIMI error document, in XML or JSON."""
    fmt = {"application/xml": "xml", "application/json": "json"}.get(response.mimetype)
    if fmt is None:
        return [f"Content-Type: expected XML or JSON, got {response.mimetype}"]
    return check_error_document(response.get_data(), fmt)


def test_deviations_documented() -> None:
    assert undeclared(DEVIATIONS, EXCHANGES) == []
    wrong = undeclared({9999: (200, "x"), 13: (700, "")}, EXCHANGES)
    assert wrong == [
        "9999: no such exchange",
        "13: 700 is no HTTP status",
        "13: no reason given",
    ]


def test_transcripts_found() -> None:
    assert len(SELECTED) == 240


@pytest.mark.parametrize("exchange", SELECTED, ids=lambda exchange: exchange.id)
def test_wire(exchange: Exchange, wire: WireSession) -> None:
    response = wire.send(exchange)
    deviation = expected_deviation(exchange)
    reason = ""
    if deviation is None:
        diffs = compare(exchange, response, focus=focus_for(exchange))
    else:
        status, reason = deviation
        diffs = check_deviation(exchange, response, status)
        if status >= 400:
            diffs += check_cimi_error(response)
    assert not diffs, failure_report(exchange, diffs, reason)
