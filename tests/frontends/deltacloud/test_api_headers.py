"""What the classic API echoes in response headers (blob metadata, driver and
provider) is checked on the way in and encoded on the way out: no request can
inject a header, break a reply or lock a browser out. Checked on werkzeug's
dev server and gunicorn with raw sockets, and with the test client."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient

from tests.support.auth import MOCK_AUTH
from tests.support.ec2_driver import aws_client
from tests.support.helpers import assert_error
from tests.support.html import BROWSER
from tests.support.html import field_error
from tests.support.html import token_from
from tests.support.live_servers import RawReply
from tests.support.live_servers import get
from tests.support.live_servers import live
from tests.support.live_servers import raw_request
from tests.support.moto_server import MotoServer

SERVERS = ["werkzeug", "gunicorn"]
INJECTED = "k\r\nSet-Cookie: pwn=1"


@pytest.fixture(params=SERVERS)
def port(request: pytest.FixtureRequest, tmp_path: Path) -> int:
    """A live deltaflask on the mock cloud, served by each server in turn."""
    with live(request.param, tmp_path / "mock") as serving:
        yield serving


def post_form(port: int, path: str, fields: dict[str, str]) -> RawReply:
    """A urlencoded POST (UTF-8) as a script would send it."""
    body = "&".join(f"{quote(k)}={quote(v)}" for k, v in fields.items()).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        f"Authorization: {MOCK_AUTH}\r\nAccept: application/xml\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return raw_request(port, head.encode() + body)


def assert_clean(reply: RawReply) -> None:
    """No injected header, and every header line is printable ASCII."""
    assert not reply.header("Set-Cookie")
    for line in reply.head.split(b"\r\n")[1:]:
        assert b":" in line and all(32 <= byte < 127 for byte in line), line


# blob metadata ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "value"),
    [
        (INJECTED, "v"),
        ("k", "v\r\nSet-Cookie: pwn=1"),
        ("with space", "v"),
        ("a:b", "v"),
        ("имя", "v"),
        ("k", "значение"),
        ("k", "line\nbreak"),
    ],
    ids=[
        "name-crlf",
        "value-crlf",
        "space",
        "colon",
        "name-cyrillic",
        "value-cyrillic",
        "lf",
    ],
)
def test_form_metadata_a_header_cannot_carry_is_refused_live(
    port: int, name: str, value: str
) -> None:
    fields = {
        "blob_id": "note",
        "blob_data": "hello",
        "meta_params": "1",
        "meta_name1": name,
        "meta_value1": value,
    }
    refused = post_form(port, "/api/buckets/bucket1", fields)
    assert refused.status == 400, refused.head
    assert b"Metadata" in refused.body
    assert_clean(refused)
    missing = raw_request(
        port, get("/api/buckets/bucket1/note", {"Authorization": MOCK_AUTH})
    )
    assert missing.status == 404  # nothing stored


def test_metadata_headers_a_header_cannot_carry_are_refused_live(port: int) -> None:
    value = "значение".encode()  # arrives as Latin-1 text with C1 controls
    request = (
        b"PUT /api/buckets/bucket1/note HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Connection: close\r\nAuthorization: " + MOCK_AUTH.encode() + b"\r\n"
        b"X-Deltacloud-Blobmeta-k: " + value + b"\r\nContent-Length: 2\r\n\r\nhi"
    )
    refused = raw_request(port, request)
    assert refused.status == 400, refused.head
    assert_clean(refused)
    missing = raw_request(
        port, get("/api/buckets/bucket1/note", {"Authorization": MOCK_AUTH})
    )
    assert missing.status == 404


def test_good_metadata_round_trips_live(port: int) -> None:
    fields = {
        "blob_id": "note",
        "blob_data": "hello",
        "meta_params": "1",
        "meta_name1": "Colour",
        "meta_value1": "deep blue; 50%",
    }
    assert post_form(port, "/api/buckets/bucket1", fields).status == 201
    head = get("/api/buckets/bucket1/note", {"Authorization": MOCK_AUTH})
    reply = raw_request(port, head.replace(b"GET", b"HEAD", 1))
    assert reply.status == 204
    assert reply.header("X-Deltacloud-Blobmeta-colour") == [b"deep blue; 50%"]


def test_stored_metadata_is_encoded_on_the_way_out_live(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Metadata another client of a back end stored is never a broken header."""
    storage = tmp_path / "mock"
    for server in SERVERS:
        with live(server, storage) as port:
            raw_request(port, get("/api/buckets", {"Authorization": MOCK_AUTH}))
            stored = storage / "blobs" / "bucket1" / "blob1.json"
            data = json.loads(stored.read_text())
            data["user_metadata"] = {
                INJECTED: "v",
                "bad name": "v",
                "fine": "x\r\nSet-Cookie: pwn=1",
                "word": "значение",
                "plain": "ok",
            }
            stored.write_text(json.dumps(data))
            head = get("/api/buckets/bucket1/blob1", {"Authorization": MOCK_AUTH})
            reply = raw_request(port, head.replace(b"GET", b"HEAD", 1))
            assert reply.status == 204, (server, reply.head)
            assert_clean(reply)
            assert reply.header("X-Deltacloud-Blobmeta-plain") == [b"ok"]
            assert reply.header("X-Deltacloud-Blobmeta-word") == [
                b"=?UTF-8?B?0LfQvdCw0YfQtdC90LjQtQ==?="
            ]
            assert len(reply.header("X-Deltacloud-Blobmeta-fine")) == 1
            assert reply.header("X-Deltacloud-Blobmeta-bad name") == []
            shown = raw_request(
                port, get("/api/buckets/bucket1/blob1", {"Authorization": MOCK_AUTH})
            )
            assert shown.status == 200  # the blob stays readable


def test_metadata_update_refuses_what_a_header_cannot_carry(
    client: FlaskClient, xml: dict[str, str]
) -> None:
    refused = client.post(
        "/api/buckets/bucket1/blob1",
        headers={**xml, "X-Deltacloud-Blobmeta-k": "caf\x85"},
    )
    assert "Metadata value 1" in assert_error(refused, 400)
    head = client.head("/api/buckets/bucket1/blob1", headers=xml)
    assert "X-Deltacloud-Blobmeta-k" not in head.headers


def test_a_download_of_any_name_gets_a_sound_disposition(
    ec2_client: FlaskClient, ec2_auth: dict[str, str], aws: MotoServer
) -> None:
    s3 = aws_client(aws, "s3")
    s3.create_bucket(Bucket="names")
    for key, expected in (
        ("plain.txt", "attachment; filename=plain.txt"),
        ("ключ файл", "attachment; filename*=UTF-8''%D0%BA%D0%BB%D1%8E%D1%87%20"),
        ('a"b c', "attachment; filename*=UTF-8''a%22b%20c"),
    ):
        s3.put_object(Bucket="names", Key=key, Body=b"x")
        answer = ec2_client.get(
            f"/api/buckets/names/{quote(key, safe='')}/content", headers=ec2_auth
        )
        assert answer.status_code == 200, answer.get_data(as_text=True)
        assert answer.headers["Content-Disposition"].startswith(expected)


# driver and provider ---------------------------------------------------------------
@pytest.mark.parametrize(
    "request_bytes",
    [
        get("/api/realms?api[provider]=eu%0d%0aSet-Cookie:%20pwn=1"),
        get("/api/realms?api[driver]=mock%0d%0aSet-Cookie:%20pwn=1"),
        get("/api/realms?api[provider]=%D1%88"),
        get("/api;provider=x%0aSet-Cookie:%20pwn=1/realms"),
        get("/api/realms", {"X-Deltacloud-Provider": "ш"}),
        get("/api/realms", {"X-Deltacloud-Driver": "ш"}),
        get("/api/realms", {"X-Deltacloud-Provider": "p" * 2000}),
        get("/api/realms?api[provider]=" + "p" * 3000),
    ],
    ids=[
        "param-crlf",
        "driver-crlf",
        "param-cyrillic",
        "matrix-lf",
        "header-cyrillic",
        "driver-header-cyrillic",
        "header-long",
        "param-long",
    ],
)
def test_a_bad_driver_or_provider_is_a_400_live(
    port: int, request_bytes: bytes
) -> None:
    request_bytes = request_bytes.replace(
        b"\r\n\r\n", f"\r\nAuthorization: {MOCK_AUTH}\r\n\r\n".encode(), 1
    )
    reply = raw_request(port, request_bytes)
    assert reply.status == 400, reply.head
    assert b"name is not valid" in reply.body
    assert_clean(reply)


def test_switching_to_a_bad_provider_is_a_400_live(port: int) -> None:
    for provider in ("x\r\nSet-Cookie: pwn=1", "ш", "p" * 70000):
        reply = post_form(port, "/api", {"provider": provider})
        assert reply.status == 400, reply.head
        assert_clean(reply)
    moved = post_form(port, "/api", {"provider": "eu-west-1"})
    assert moved.status == 301
    assert moved.header("Location")[0].endswith(b"/api;provider=eu-west-1")


def test_a_provider_with_punctuation_is_echoed(
    client: FlaskClient, xml: dict[str, str]
) -> None:
    answer = client.get("/api/realms", headers={**xml, "X-Deltacloud-Provider": "a b"})
    assert answer.headers["X-Deltacloud-Provider"] == "a b"


# the browser's driver picker -------------------------------------------------------
def test_picking_a_provider_no_header_can_carry_is_refused_at_pick_time(
    client: FlaskClient,
) -> None:
    browser = {"Authorization": MOCK_AUTH, **BROWSER}
    token = token_from(client, "/api/drivers", browser)
    refused = client.post(
        "/api/drivers/mock/use",
        data={"other_provider": "ш", "_csrf_token": token},
        headers=browser,
    )
    assert refused.status_code == 400
    assert "Use letters" in field_error(refused, "mock-other_provider")
    assert client.get("/api/realms", headers=browser).status_code == 200


@pytest.mark.parametrize(
    "choice",
    [
        {"driver": "mock", "provider": "ш"},
        {"driver": "mock", "provider": "x\r\nSet-Cookie: pwn=1"},
        {"driver": "ш", "provider": ""},
        {"driver": ["mock"], "provider": 1},
    ],
    ids=["cyrillic", "crlf", "driver", "types"],
)
def test_a_bad_stored_choice_is_ignored_not_a_lockout(
    client: FlaskClient, choice: dict
) -> None:
    browser = {"Authorization": MOCK_AUTH, **BROWSER}
    client.get("/api/drivers", headers=browser)
    with client.session_transaction() as session:
        session["api_driver"] = choice
    for path in ("/api/realms", "/api/drivers", "/api"):
        page = client.get(path, headers=browser)
        assert page.status_code == 200, (path, page.get_data(as_text=True)[:300])
        assert page.headers["X-Deltacloud-Driver"] == "mock"
        assert "X-Deltacloud-Provider" not in page.headers


# ec2 picks a device when none is named ---------------------------------------------
def test_ec2_attach_without_a_device_picks_a_free_one(
    ec2_client: FlaskClient, ec2_auth: dict[str, str], aws: MotoServer
) -> None:
    ec2 = aws_client(aws, "ec2")
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    instance_id = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1)["Instances"][
        0
    ]["InstanceId"]
    devices = []
    for _ in range(2):
        made = ec2_client.post(
            "/api/storage_volumes", data={"capacity": "1"}, headers=ec2_auth
        )
        volume_id = made.get_json()["storage_volume"]["id"]
        attached = ec2_client.post(
            f"/api/storage_volumes/{volume_id}/attach?instance_id={instance_id}&device",
            headers=ec2_auth,
        )
        assert attached.status_code == 202, attached.get_data(as_text=True)
        devices.append(attached.get_json()["storage_volume"]["device"])
    assert devices == ["/dev/sdf", "/dev/sdg"]
