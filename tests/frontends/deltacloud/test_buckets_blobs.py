"""Buckets and blobs over the classic API, on the mock driver: streaming, the
form upload, metadata, hostile names and interrupted uploads.

The recorded bucket and blob exchanges of the original server are replayed by
``test_wire_deltacloud.py`` with the rest of the classic API.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from deltaflask.drivers.storage_ops import StorageOperations
from deltaflask.errors import ValidationFailure
from deltaflask.plugins.deltacloud.views import blobs as blob_views
from tests.support.blobs import recording_file_wrapper
from tests.support.helpers import assert_error
from tests.support.helpers import parse_xml
from tests.support.paths import REPO


def _bucket(client: FlaskClient, headers: dict[str, str], name: str = "b1") -> str:
    response = client.post("/api/buckets", data={"name": name}, headers=headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    return name


BOUNDARY = "----deltaflasktestboundary"


def multipart(fields: dict[str, str], payload: bytes) -> bytes:
    """A multipart body with ``fields`` and ``payload`` as the ``blob_data`` file
    (built here: the test client's encoder leaks its temporary file)."""
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        f"{value}\r\n".encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="blob_data"; '
        'filename="u.txt"\r\nContent-Type: text/plain\r\n\r\n'.encode()
        + payload
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )
    return b"".join(parts)


def _blob_files(mock_storage: Path, bucket: str) -> list[str]:
    return sorted(p.name for p in (mock_storage / "blobs" / bucket).iterdir())


def test_put_streams_large_body_and_content_streams_back(
    client: FlaskClient, xml: dict[str, str], auth: dict[str, str]
) -> None:
    _bucket(client, xml)
    payload = bytes(range(256)) * (12 * 1024)  # 3 MiB, over the 1 MiB form cap
    response = client.put(
        "/api/buckets/b1/big.bin",
        data=payload,
        headers={**xml, "Content-Type": "application/x-thing"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert parse_xml(response).findtext("content_length") == str(len(payload))
    content = client.get("/api/buckets/b1/big.bin/content", headers=auth)
    assert content.status_code == 200
    assert content.is_streamed
    assert content.headers["Content-Type"] == "application/x-thing"
    assert content.headers["Content-Length"] == str(len(payload))
    assert content.headers["Content-Disposition"] == "attachment; filename=big.bin"
    assert content.get_data() == payload
    shown = client.get(
        "/api/buckets/b1/big.bin", headers={**auth, "Accept": "application/json"}
    )
    assert shown.get_json()["blob"]["content"] is None


def test_metadata_head_and_update(client: FlaskClient, xml: dict[str, str]) -> None:
    client.put(
        "/api/buckets/bucket1/m",
        data=b"x",
        headers={**xml, "X-Deltacloud-Blobmeta-Colour": "red"},
    )
    head = client.head("/api/buckets/bucket1/m", headers=xml)
    assert head.status_code == 204
    assert head.headers["X-Deltacloud-Blobmeta-colour"] == "red"
    update = client.post(
        "/api/buckets/bucket1/m",
        headers={**xml, "X-Deltacloud-Blobmeta-Size": "L"},
    )
    assert update.status_code == 204
    assert update.headers["X-Deltacloud-Blobmeta-size"] == "L"
    alias = client.head("/api/buckets/bucket1/m/metadata", headers=xml)
    assert alias.headers.get("X-Deltacloud-Blobmeta-size") == "L"
    assert "X-Deltacloud-Blobmeta-colour" not in alias.headers
    missing = client.head("/api/buckets/bucket1/nosuch/metadata", headers=xml)
    assert missing.status_code == 404


def test_form_upload_over_the_form_cap(
    client: FlaskClient, json_headers: dict[str, str]
) -> None:
    payload = b"z" * (2 * 1024 * 1024)
    fields = {"blob_id": "upload", "meta_params": "1", "meta_name1": "Origin"}
    fields["meta_value1"] = "form"
    response = client.post(
        "/api/buckets/bucket2",
        data=multipart(fields, payload),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        headers=json_headers,
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    blob = response.get_json()["blob"]
    assert blob["content_length"] == len(payload)
    assert blob["user_metadata"] == {"origin": "form"}
    content = client.get("/api/buckets/bucket2/upload/content", headers=json_headers)
    assert content.get_data() == payload
    missing = client.post(
        "/api/buckets/bucket2", data={"blob_id": "x"}, headers=json_headers
    )
    assert_error(missing, 400, "json")


def test_bucket_lifecycle(client: FlaskClient, xml: dict[str, str]) -> None:
    _bucket(client, xml, "life")
    assert_error(client.post("/api/buckets", data={"name": "life"}, headers=xml), 409)
    client.put("/api/buckets/life/one", data=b"1", headers=xml)
    message = assert_error(client.delete("/api/buckets/life", headers=xml), 403)
    assert "non-empty" in message
    assert client.delete("/api/buckets/life/one", headers=xml).status_code == 204
    assert client.delete("/api/buckets/life", headers=xml).status_code == 204
    assert_error(client.get("/api/buckets/life", headers=xml), 404)


@pytest.mark.parametrize(
    "path",
    [
        "/api/buckets/bucket1/a..b",
        "/api/buckets/bucket1/" + "n" * 200,
        "/api/buckets/bucket1/a%2Fb",
        "/api/buckets/bucket1/sub/dir/x",
        "/api/buckets/bucket1/.hidden",
        "/api/buckets/bad%20name/x",
    ],
)
def test_hostile_blob_names(
    client: FlaskClient, json_headers: dict[str, str], mock_storage: Path, path: str
) -> None:
    response = client.put(path, data=b"evil", headers=json_headers)
    assert_error(response, 400, "json")
    assert_error(client.get(path, headers=json_headers), 400, "json")
    assert not list(mock_storage.glob("**/evil*"))


@pytest.mark.parametrize("name", ["..", "../x", "a/b", "x" * 200, "nul\x00"])
def test_hostile_bucket_names(
    client: FlaskClient, json_headers: dict[str, str], name: str
) -> None:
    response = client.post("/api/buckets", data={"name": name}, headers=json_headers)
    assert_error(response, 400, "json")


def test_put_into_missing_bucket(client: FlaskClient, xml: dict[str, str]) -> None:
    assert_error(client.put("/api/buckets/nosuch/x", data=b"1", headers=xml), 404)


class ReadOnlyBody:
    """A body that, like gunicorn's, offers ``read`` but no ``readinto``."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)
        self.sizes: list[int] = []

    def read(self, size: int = -1) -> bytes:
        self.sizes.append(size)
        return self._data.read(size)


def _gunicorn_like(body: ReadOnlyBody, length: int) -> dict[str, object]:
    return {
        "CONTENT_LENGTH": str(length),
        "wsgi.input": body,
        "wsgi.input_terminated": True,
    }


@pytest.mark.parametrize(
    "environ",
    [
        {"CONTENT_LENGTH": "500000"},
        # a server that ends the body at EOF (gunicorn) hands over a short body
        {"CONTENT_LENGTH": "500000", "wsgi.input_terminated": True},
        _gunicorn_like(ReadOnlyBody(b"x" * 1000), 500000),
    ],
)
def test_disconnect_mid_upload_leaves_no_blob(
    client: FlaskClient,
    xml: dict[str, str],
    mock_storage: Path,
    environ: dict[str, object],
) -> None:
    assert client.get("/api/buckets/bucket1", headers=xml).status_code == 200
    before = _blob_files(mock_storage, "bucket1")
    response = client.put(
        "/api/buckets/bucket1/partial",
        data=b"x" * 1000,
        headers=xml,
        environ_overrides=environ,
    )
    assert 400 <= response.status_code < 500
    assert_error(client.get("/api/buckets/bucket1/partial", headers=xml), 404)
    assert _blob_files(mock_storage, "bucket1") == before


def test_put_through_a_read_only_body(
    client: FlaskClient, xml: dict[str, str], auth: dict[str, str]
) -> None:
    """A body without ``readinto`` (gunicorn's) is read in 1 MiB pieces."""
    payload = os.urandom(2 * 1024 * 1024 + 12345)
    stream = ReadOnlyBody(payload)
    response = client.put(
        "/api/buckets/bucket1/ro.bin",
        headers=xml,
        environ_overrides=_gunicorn_like(stream, len(payload)),
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert parse_xml(response).findtext("content_length") == str(len(payload))
    assert max(stream.sizes) == 1024 * 1024
    content = client.get("/api/buckets/bucket1/ro.bin/content", headers=auth)
    assert content.get_data() == payload


def test_put_exactly_the_declared_length(
    client: FlaskClient, xml: dict[str, str], auth: dict[str, str]
) -> None:
    """Bytes after ``Content-Length`` are not part of the blob, on either path."""
    for name, stream in (
        ("into", io.BytesIO(b"0123456789tail")),
        ("read", ReadOnlyBody(b"0123456789tail")),
    ):
        response = client.put(
            f"/api/buckets/bucket1/{name}",
            headers=xml,
            environ_overrides={
                "CONTENT_LENGTH": "10",
                "wsgi.input": stream,
                "wsgi.input_terminated": True,
            },
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        content = client.get(f"/api/buckets/bucket1/{name}/content", headers=auth)
        assert content.get_data() == b"0123456789"


def test_body_fills_a_bytearray_and_stops_at_its_length(app: Flask) -> None:
    """The body handed to a driver fills any writable buffer, never past its
    length, and a body that ends early is a 400."""
    with app.test_request_context(
        "/",
        method="PUT",
        environ_overrides={
            "CONTENT_LENGTH": "6",
            "wsgi.input": io.BytesIO(b"abcdefghij"),
            "wsgi.input_terminated": True,
        },
    ):
        stream = blob_views.body()
        buffer = bytearray(4)
        assert stream.readinto(buffer) == 4
        assert buffer == b"abcd"
        assert stream.readinto(buffer) == 2
        assert buffer[:2] == b"ef"
        assert stream.readinto(buffer) == 0
    with app.test_request_context(
        "/",
        method="PUT",
        environ_overrides={
            "CONTENT_LENGTH": "9",
            "wsgi.input": io.BytesIO(b"abc"),
            "wsgi.input_terminated": True,
        },
    ):
        stream = blob_views.body()
        assert stream.readinto(bytearray(8)) == 3
        with pytest.raises(ValidationFailure, match="6 bytes before its length"):
            stream.readinto(bytearray(8))


#: Reads 64 KiB from a pipe into 1 MiB buffers, as gunicorn receives a body
#: (``recv`` of 1 MiB, shrunk to what arrived), and prints the page faults.
FAULTS = """
import os, resource, sys
if sys.argv[1] == "wsgi":
    from deltaflask import wsgi
    assert wsgi.tune_malloc() == ("MALLOC_MMAP_THRESHOLD_" not in os.environ)
r, w = os.pipe()
piece = b"x" * 65536
start = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(300):
    os.write(w, piece)
    data = os.read(r, 1024 * 1024)
    del data
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - start)
"""


@pytest.mark.skipif(
    "CS_GNU_LIBC_VERSION" not in os.confstr_names, reason="glibc malloc only"
)
def test_wsgi_keeps_body_buffers_on_the_heap(tmp_path: Path) -> None:
    """``deltaflask.wsgi`` tunes glibc so that fresh 1 MiB buffers stop costing page
    faults on every read, and leaves an operator's own setting alone."""
    root = REPO
    env = {name: value for name, value in os.environ.items() if "MALLOC_" not in name}
    env["DELTACLOUD_MOCK_STORAGE"] = str(tmp_path)

    def faults(mode: str, **extra: str) -> int:
        done = subprocess.run(
            [sys.executable, "-c", FAULTS, mode],
            cwd=root,
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return int(done.stdout)

    untuned = faults("plain")
    assert untuned > 300 * 8
    assert faults("wsgi") < untuned / 10
    assert faults("wsgi", MALLOC_MMAP_THRESHOLD_="131072") > untuned / 2


def test_failed_replace_keeps_the_old_blob(
    client: FlaskClient, xml: dict[str, str], auth: dict[str, str]
) -> None:
    client.put(
        "/api/buckets/bucket1/blob1",
        data=b"y" * 10,
        headers=xml,
        environ_overrides={"CONTENT_LENGTH": "100"},
    )
    content = client.get("/api/buckets/bucket1/blob1/content", headers=auth)
    assert content.get_data() == b"content of blob 1"


def test_requires_credentials(client: FlaskClient) -> None:
    response = client.put("/api/buckets/bucket1/x", data=b"1")
    assert response.status_code == 401


def test_html_pages(client: FlaskClient, auth: dict[str, str]) -> None:
    html = {**auth, "Accept": "text/html"}
    for path in (
        "/api/buckets",
        "/api/buckets/new",
        "/api/buckets/bucket1",
        "/api/buckets/bucket1/new_blob_form_d15cfd90",
        "/api/buckets/bucket1/blob1",
    ):
        response = client.get(path, headers=html)
        assert response.status_code == 200, path
        assert response.content_type == "text/html"


def test_content_goes_through_the_servers_file_wrapper(
    client: FlaskClient, xml: dict[str, str], auth: dict[str, str]
) -> None:
    client.put("/api/buckets/bucket1/f", data=b"file bytes", headers=xml)
    wrapper, wrapped = recording_file_wrapper()
    with client.get(
        "/api/buckets/bucket1/f/content",
        headers=auth,
        environ_overrides={"wsgi.file_wrapper": wrapper},
    ) as content:
        assert content.headers["Content-Length"] == "10"
        assert content.get_data() == b"file bytes"
    assert wrapped == [1024 * 1024]


def test_a_driver_without_files_streams_chunks() -> None:
    assert StorageOperations().blob_file("bucket1", "blob1") is None


def test_html_blob_content_is_sandboxed(
    client: FlaskClient, xml: dict[str, str]
) -> None:
    bucket = _bucket(client, xml, "pages")
    page = b"<script>alert(document.cookie)</script>"
    put = client.put(
        f"/api/buckets/{bucket}/page",
        data=page,
        headers={**xml, "Content-Type": "text/html"},
    )
    assert put.status_code == 200
    response = client.get(f"/api/buckets/{bucket}/page/content", headers=xml)
    assert response.data == page
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["Content-Security-Policy"].startswith("sandbox")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
