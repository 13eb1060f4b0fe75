"""Self-checks for the transcript replay library (tests/transcripts.py)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from werkzeug.datastructures import Headers
from werkzeug.test import Client
from werkzeug.wrappers import Request
from werkzeug.wrappers import Response

from tests.support.paths import TESTS
from tests.support.transcripts import TRANSCRIPTS_DIR
from tests.support.transcripts import Exchange
from tests.support.transcripts import IdMap
from tests.support.transcripts import TranscriptsNotFoundError
from tests.support.transcripts import check_deviation
from tests.support.transcripts import compare
from tests.support.transcripts import load_transcripts
from tests.support.transcripts import negotiated_format
from tests.support.transcripts import normalize
from tests.support.transcripts import replay
from tests.support.transcripts import strip_matrix

EXCHANGES = {exchange.seq: exchange for exchange in load_transcripts("deltacloud")}
ANSWERED = [exchange for exchange in EXCHANGES.values() if exchange.response]


class FakeResponse:
    """A stand-in for Werkzeug's test response, built from parts."""

    def __init__(self, status: int, headers: dict[str, Any], body: bytes) -> None:
        self.status_code = status
        self.headers = Headers(
            [(k, v if isinstance(v, str) else ",".join(v)) for k, v in headers.items()]
        )
        self.body = body

    def get_data(self, as_text: bool = False) -> Any:
        return self.body.decode() if as_text else self.body


def recorded(exchange: Exchange, **changes: Any) -> FakeResponse:
    """The recorded response of *exchange*, optionally altered."""
    assert exchange.response is not None
    headers = dict(exchange.response["headers"])
    for name in changes.pop("drop_headers", ()):
        headers.pop(name)
    headers.update(changes.pop("headers", {}))
    body = changes.pop("body", exchange.response_body())
    status = changes.pop("status", exchange.response["status"])
    assert not changes
    return FakeResponse(status, headers, body)


def edited(seq: int, old: str, new: str, count: int = 1) -> FakeResponse:
    """The recorded response of *seq* with *old* replaced by *new* in the body."""
    body = EXCHANGES[seq].response_body().decode()
    assert old in body, old
    return recorded(EXCHANGES[seq], body=body.replace(old, new, count).encode())


# --------------------------------------------------------------------------- loading


def test_load_transcripts_in_order() -> None:
    exchanges = load_transcripts("deltacloud")
    assert [e.seq for e in exchanges] == list(range(1, len(exchanges) + 1))
    assert len(exchanges) == 342
    assert exchanges[0].id == "001-entry-point-accept-application-xml-no-auth"
    assert exchanges[340].response is None
    assert exchanges[340].error


def test_transcripts_live_in_the_repository() -> None:
    """The recordings are part of the clone: no test reads ``../shared``."""
    assert TRANSCRIPTS_DIR.is_relative_to(TESTS)
    for frontend, count in (("deltacloud", 342), ("cimi", 240), ("ec2", 42)):
        assert len(load_transcripts(frontend)) == count


def test_a_missing_folder_says_so(tmp_path: Path) -> None:
    with pytest.raises(TranscriptsNotFoundError, match="no transcripts"):
        load_transcripts("deltacloud", root=tmp_path)


# --------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("seq", "fmt"),
    [(1, "xml"), (3, "json"), (7, "xml"), (8, "html"), (9, "html"), (10, "xml"),
     (13, "json"), (14, "none")],
)  # fmt: skip
def test_negotiated_format(seq: int, fmt: str) -> None:
    assert negotiated_format(EXCHANGES[seq].request) == fmt


def test_strip_matrix_and_normalize() -> None:
    assert strip_matrix("/api;driver=gogrid/drivers/gogrid") == "/api/drivers/gogrid"
    assert (
        strip_matrix("/api/instances/inst4/run;id=inst4") == "/api/instances/inst4/run"
    )
    assert normalize("volume_1795729157") == normalize("volume_1795729999_2")
    assert normalize("i-1795729157") == normalize("i-1795729160")
    assert normalize("inst4") != normalize("inst5")


def test_id_map() -> None:
    ids = IdMap()
    ids.learn("img1", "img9")  # not a generated id: ignored
    ids.learn("volume_1795729157", "volume_1795729157_1")
    assert ids.apply("/api/storage_volumes/volume_1795729157/attach") == (
        "/api/storage_volumes/volume_1795729157_1/attach"
    )
    assert ids.apply("/api/images/img1") == "/api/images/img1"
    assert ids.apply("volume_17957291570") == "volume_17957291570"
    assert ids.restore("volume_1795729157_1") == "volume_1795729157_1"


def test_id_map_follows_reused_sequential_ids() -> None:
    """The original reused ``inst4``; the rewrite answers ``inst5``, ``inst6``."""
    ids = IdMap()
    ids.learn("inst4", "inst5")
    ids.learn("inst4", "inst6")
    ids.learn("inst6", "inst8")
    assert ids.apply("/api/instances/inst4;/inst6/inst44") == (
        "/api/instances/inst6;/inst8/inst44"
    )
    assert ids.restore('{"id": "inst6", "a": "img1.inst8.public.com"}') == (
        '{"id": "inst4", "a": "img1.inst6.public.com"}'
    )


def test_replay_sends_the_recorded_request() -> None:
    seen: list[dict[str, Any]] = []

    @Request.application
    def echo(request: Request) -> Response:
        seen.append(
            {
                "path": request.environ["PATH_INFO"],
                "query": request.environ["QUERY_STRING"],
                "method": request.method,
                "headers": dict(request.headers),
                "body": request.get_data(),
            }
        )
        return Response("ok", status=201, headers={"Location": "/api/x/volume_42_1"})

    client = Client(echo)
    replay(client, EXCHANGES[23])  # GET /api;driver=mock
    replay(client, EXCHANGES[25])  # GET /api?api[driver]=mock
    replay(client, EXCHANGES[186])  # POST form
    assert seen[0]["path"] == "/api;driver=mock"
    assert seen[1]["query"] == "api[driver]=mock"
    post = seen[2]
    assert post["method"] == "POST"
    assert post["body"] == EXCHANGES[186].request_body()
    assert post["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert post["headers"]["Authorization"].startswith("Basic ")
    assert post["headers"]["Host"] == "localhost:3001"
    assert post["headers"]["Content-Length"] == str(len(post["body"]))

    ids = IdMap()
    create = EXCHANGES[237]  # POST /api/storage_volumes, Location volume_<t>
    replay(client, replace(create, response=dict(create.response or {})), ids)
    recorded_id = (create.response or {})["headers"]["Location"].rsplit("/", 1)[1]
    assert ids.ids == {recorded_id: "volume_42_1"}
    replay(client, EXCHANGES[240], ids)  # attach recorded_id
    assert seen[-1]["path"] == "/api/storage_volumes/volume_42_1/attach"


# --------------------------------------------------------------------------- compare


@pytest.mark.parametrize("exchange", ANSWERED, ids=lambda e: e.id)
def test_recording_matches_itself(exchange: Exchange) -> None:
    assert compare(exchange, recorded(exchange), require_redacted=False) == []


def test_status_difference() -> None:
    response = recorded(EXCHANGES[181], status=404)
    assert compare(EXCHANGES[181], response, require_redacted=False) == [
        "status: expected 403, got 404"
    ]


def test_xml_attribute_removed() -> None:
    diffs = compare(EXCHANGES[70], edited(70, " id='inst0'", ""))
    assert diffs == ["/instance: missing attributes ['id']"]


def test_xml_attribute_added() -> None:
    diffs = compare(EXCHANGES[48], edited(48, "<realm ", "<realm foo='1' "))
    assert diffs == ["/realm: unexpected attributes ['foo']"]


def test_xml_compared_attribute_values() -> None:
    diffs = compare(EXCHANGES[70], edited(70, "rel='stop'", "rel='halt'"))
    assert any("missing entry with rel='stop'" in d for d in diffs)
    diffs = compare(EXCHANGES[52], edited(52, "kind='fixed'", "kind='range'"))
    assert any("@kind" in d for d in diffs)


def test_xml_href_compared_by_path() -> None:
    body = EXCHANGES[48].response_body().replace(b"localhost:3001", b"example.org")
    assert compare(EXCHANGES[48], recorded(EXCHANGES[48], body=body)) == []
    diffs = compare(EXCHANGES[48], edited(48, "/api/realms/us'", "/realms/us'"))
    assert diffs == ["/realm: @href expected 'http://localhost:3001/api/realms/us', "
                     "got 'http://localhost:3001/realms/us'"]  # fmt: skip


def test_xml_text_and_whitespace_ignored() -> None:
    body = EXCHANGES[70].response_body().decode()
    body = body.replace("RUNNING", "STOPPED").replace("\n", "\n   ")
    assert compare(EXCHANGES[70], recorded(EXCHANGES[70], body=body.encode())) == []


def test_xml_child_removed_or_added() -> None:
    diffs = compare(EXCHANGES[48], edited(48, "<state>AVAILABLE</state>", ""))
    assert diffs == ["/realm: missing <state>"]
    diffs = compare(EXCHANGES[48], edited(48, "<state>", "<zone/><state>"))
    assert diffs == ["/realm: unexpected <zone>"]


def test_xml_resource_list_order_ignored_but_count_checked() -> None:
    body = EXCHANGES[46].response_body().decode()
    head, rest = body.split("<realm ", 1)
    first, second = rest.split("<realm ", 1)
    swapped = head + "<realm " + second.replace("</realms>", "") + "<realm " + first
    swapped = swapped.replace("</realms>", "") + "</realms>"
    assert compare(EXCHANGES[46], recorded(EXCHANGES[46], body=swapped.encode())) == []
    one = head + "<realm " + first.rstrip() + "\n</realms>"
    diffs = compare(EXCHANGES[46], recorded(EXCHANGES[46], body=one.encode()))
    assert "/realms: expected 2 x <realm>, got 1" in diffs


def test_diff_paths_name_the_entry() -> None:
    diffs = compare(
        EXCHANGES[67], edited(67, "<login>\n<keyname></keyname>\n</login>", "")
    )
    assert diffs == ["/instances/instance[id=inst3]/authentication: missing <login>"]
    exchange = EXCHANGES[68]
    data = json.loads(exchange.response_body())
    del data["instances"][3]["authentication"]
    diffs = compare(exchange, recorded(exchange, body=json.dumps(data).encode()))
    assert diffs == ["/instances[id=inst3]: missing keys ['authentication']"]


def test_xml_not_well_formed() -> None:
    diffs = compare(EXCHANGES[46], recorded(EXCHANGES[46], body=b"<realms>"))
    assert len(diffs) == 1
    assert diffs[0].startswith("body: not well-formed XML")


def test_volatile_values_ignored() -> None:
    # seq 219 lists instances named i-<time>; seq 155 carries metric samples.
    diffs = compare(EXCHANGES[219], edited(219, "i-17957", "i-18000", count=-1))
    assert diffs == []
    body = EXCHANGES[155].response_body().decode()
    first, _, rest = body.split("</sample>", 2)
    fewer = first + "</sample>" + rest  # one sample less
    assert compare(EXCHANGES[155], recorded(EXCHANGES[155], body=fewer.encode())) == []


def test_error_backtrace_and_request_must_be_empty() -> None:
    # The original leaked data there; the rewrite's must be empty.
    original = EXCHANGES[160]
    redacted = (
        b"<error status='500' url='/api/realms/500'>"
        b"<backend driver='mock' provider='default'/><code>500</code>"
        b"<message>DeltacloudErrorMessage</message><backtrace/><request/></error>"
    )
    assert compare(original, recorded(original, body=redacted)) == []
    diffs = compare(EXCHANGES[181], recorded(EXCHANGES[181]))
    assert diffs == ["/error: <request> must be empty (it leaked data in the original)"]
    no_request = redacted.replace(b"<request/>", b"")
    diffs = compare(original, recorded(original, body=no_request))
    assert diffs == ["/error: <request> presence differs"]


def test_json_key_removed_or_added() -> None:
    exchange = EXCHANGES[49]
    data = json.loads(exchange.response_body())
    del data["realm"]["state"]
    data["realm"]["zone"] = "x"
    diffs = compare(exchange, recorded(exchange, body=json.dumps(data).encode()))
    assert diffs == [
        "/realm: missing keys ['state']",
        "/realm: unexpected keys ['zone']",
    ]


def test_json_values() -> None:
    exchange = EXCHANGES[71]
    data = json.loads(exchange.response_body())
    data["instance"]["state"] = "STOPPED"  # values are ignored
    data["instance"]["href"] = "http://other:1/api/instances/inst0"
    assert compare(exchange, recorded(exchange, body=json.dumps(data).encode())) == []
    data["instance"]["id"] = "inst9"
    data["instance"]["owner"] = 7  # a type change is a difference
    diffs = compare(exchange, recorded(exchange, body=json.dumps(data).encode()))
    assert diffs == [
        "/instance/id: expected 'inst0', got 'inst9'",
        "/instance/owner: expected string, got number",
    ]


def test_json_resource_lists() -> None:
    exchange = EXCHANGES[68]
    data = json.loads(exchange.response_body())
    data["instances"].reverse()
    assert compare(exchange, recorded(exchange, body=json.dumps(data).encode())) == []
    data["instances"].pop()
    diffs = compare(exchange, recorded(exchange, body=json.dumps(data).encode()))
    assert "/instances: expected 4 entries, got 3" in diffs
    assert "/instances: missing entry with id='inst0'" in diffs


def test_json_metric_samples_vary() -> None:
    exchange = EXCHANGES[121]
    data = json.loads(exchange.response_body())
    data["metric"]["properties"][0]["values"].pop()
    assert compare(exchange, recorded(exchange, body=json.dumps(data).encode())) == []
    data["metric"]["properties"].pop()
    diffs = compare(exchange, recorded(exchange, body=json.dumps(data).encode()))
    assert diffs == [
        "/metric/properties: expected 9 entries, got 8",
        "/metric/properties: missing entry with name='nicOutputPacket'",
    ]


def test_json_focus() -> None:
    exchange = EXCHANGES[39]
    only_mock = {"mock": json.loads(exchange.response_body())["mock"]}
    response = recorded(exchange, body=json.dumps(only_mock).encode())
    assert compare(exchange, response)
    assert compare(exchange, response, focus=lambda d: {"mock": d["mock"]}) == []


def test_headers() -> None:
    get_201 = EXCHANGES[186]
    diffs = compare(get_201, recorded(get_201, drop_headers=["Location"]))
    assert diffs == ["Location: missing"]
    moved = {"Location": "http://localhost/api/instances/inst5"}
    diffs = compare(get_201, recorded(get_201, headers=moved))
    assert diffs == [
        "Location: expected path /api/instances/inst4, "
        "got http://localhost/api/instances/inst5"
    ]
    relative = {"Location": "/api/instances/inst4"}
    assert compare(get_201, recorded(get_201, headers=relative)) == []
    get = EXCHANGES[46]
    assert compare(get, recorded(get, drop_headers=["ETag"])) == ["ETag: missing"]
    assert compare(get, recorded(get, drop_headers=["Server"])) == [
        "Server: expected Apache-Deltacloud/..., got None"
    ]
    root = EXCHANGES[159]  # "Server: thin" came from the HTTP server
    assert compare(root, recorded(root, drop_headers=["Server"])) == []
    charset = {"Content-Type": "application/xml; charset=utf-8"}
    assert compare(get, recorded(get, headers=charset)) == []
    assert compare(get, recorded(get, headers={"Content-Type": "text/xml"})) == [
        "Content-Type: expected application/xml, got text/xml"
    ]
    driver = {"X-Deltacloud-Driver": "ec2"}
    assert compare(get, recorded(get, headers=driver)) == [
        "X-Deltacloud-Driver: expected mock, got ec2"
    ]
    unauthorized = EXCHANGES[166]
    assert compare(
        unauthorized, recorded(unauthorized, drop_headers=["WWW-Authenticate"])
    ) == ["WWW-Authenticate: missing", *compare(unauthorized, recorded(unauthorized))]


def test_empty_body_expected() -> None:
    exchange = EXCHANGES[208]  # DELETE -> 204
    assert compare(exchange, recorded(exchange, body=b"x")) == [
        "body: expected none, got 1 bytes"
    ]


# --------------------------------------------------------------------------- deviations

XML_ERROR = (
    b"<?xml version='1.0' encoding='utf-8' ?>\n<error status='404' url='/api/x'>"
    b"<backend driver='mock' provider='default'></backend><code>404</code>"
    b"<message><![CDATA[Not Found]]></message><backtrace></backtrace>"
    b"<request></request></error>"
)
API_HEADERS = {"Server": "Apache-Deltacloud/1.1.3"}


def test_deviation_accepts_error_document() -> None:
    xml = {**API_HEADERS, "Content-Type": "application/xml"}
    assert check_deviation(EXCHANGES[181], FakeResponse(404, xml, XML_ERROR), 404) == []
    body = json.dumps({"code": 404, "message": "Not Found", "error": "X"}).encode()
    response = FakeResponse(
        404, {**API_HEADERS, "Content-Type": "application/json"}, body
    )
    assert check_deviation(EXCHANGES[157], response, 404) == []


def test_deviation_rejects_wrong_status_or_format() -> None:
    xml = {**API_HEADERS, "Content-Type": "application/xml"}
    diffs = check_deviation(EXCHANGES[181], FakeResponse(403, xml, XML_ERROR), 404)
    assert diffs == ["status: expected 404 (declared deviation; original 403), got 403"]
    html = {**API_HEADERS, "Content-Type": "text/html"}
    diffs = check_deviation(EXCHANGES[156], FakeResponse(404, html, b"<p/>"), 404)
    assert diffs == ["Content-Type: expected application/xml, got text/html"]
    leaky = XML_ERROR.replace(b"<request></request>", b"<request><param/></request>")
    diffs = check_deviation(EXCHANGES[181], FakeResponse(404, xml, leaky), 404)
    assert diffs == ["/error: <request> must be empty (it leaked data in the original)"]
    diffs = check_deviation(EXCHANGES[181], FakeResponse(404, xml, b"<oops/>"), 404)
    assert diffs == ["body: expected <error>, got <oops>"]
