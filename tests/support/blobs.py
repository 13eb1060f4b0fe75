"""Shared test helpers taken from test_segmented_blobs.py."""

from __future__ import annotations

from typing import Any
from typing import BinaryIO

from flask.testing import FlaskClient
from werkzeug.test import TestResponse
from werkzeug.wsgi import FileWrapper

URL = "/api/buckets/bucket1/seg"


SEGMENTED = {"X-Deltacloud-BlobType": "segmented"}


def initiate(client: FlaskClient, headers: dict[str, str], url: str = URL) -> str:
    response = client.put(url, headers={**headers, **SEGMENTED})
    assert response.status_code == 204, response.get_data(as_text=True)
    return response.headers["X-Deltacloud-SegmentedBlob"]


def put_segment(
    client: FlaskClient,
    headers: dict[str, str],
    upload: str,
    order: int | str,
    data: bytes,
    url: str = URL,
    **options: Any,
) -> TestResponse:
    return client.put(
        url,
        data=data,
        headers={
            **headers,
            **SEGMENTED,
            "X-Deltacloud-SegmentedBlob": upload,
            "X-Deltacloud-SegmentOrder": str(order),
        },
        **options,
    )


def segment(
    client: FlaskClient,
    headers: dict[str, str],
    upload: str,
    order: int,
    data: bytes,
    url: str = URL,
) -> str:
    response = put_segment(client, headers, upload, order, data, url)
    assert response.status_code == 204, response.get_data(as_text=True)
    return response.headers["X-Deltacloud-BlobSegmentId"]


def complete(
    client: FlaskClient,
    headers: dict[str, str],
    upload: str,
    manifest: str,
    url: str = URL,
) -> TestResponse:
    return client.put(
        url,
        data=manifest,
        content_type="application/x-www-form-urlencoded",  # what curl -d sends
        headers={**headers, **SEGMENTED, "X-Deltacloud-SegmentedBlob": upload},
    )


def recording_file_wrapper() -> tuple[type[FileWrapper], list[int]]:
    """A ``wsgi.file_wrapper`` class and the buffer sizes it was made with."""
    made: list[int] = []

    class Wrapper(FileWrapper):
        def __init__(self, file: BinaryIO, buffer_size: int = 8192) -> None:
            super().__init__(file, buffer_size)
            made.append(buffer_size)

    return Wrapper, made
