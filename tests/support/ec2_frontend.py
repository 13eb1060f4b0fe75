"""Helpers for the EC2 frontend tests: a live server and raw signed requests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import boto3
import defusedxml.ElementTree as SafeET
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.httpsession import URLLib3Session
from werkzeug.serving import make_server

from deltaflask import create_app

KEY, SECRET, REGION = "mockuser", "mockpassword", "us-east-1"
FORM = "application/x-www-form-urlencoded; charset=utf-8"


@contextmanager
def serve(mock_storage: Path, **config: Any) -> Iterator[str]:
    """Run the app on a free port; yield the ``/ec2`` endpoint URL."""
    app = create_app(
        {
            "TESTING": True,
            "MOCK_STORAGE": str(mock_storage),
            "FRONTENDS": ["deltacloud", "ec2"],
            **config,
        }
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/ec2"
    finally:
        server.shutdown()
        thread.join()


def client(url: str, key: str = KEY, secret: str = SECRET, region: str = REGION) -> Any:
    """An unmodified boto3 EC2 client of ``url`` that does not retry."""
    return boto3.client(
        "ec2",
        endpoint_url=url,
        region_name=region,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )


def send(request: AWSRequest) -> AWSResponse:
    """Send a prepared botocore request."""
    return URLLib3Session().send(request.prepare())


def signed_post(
    url: str,
    params: dict[str, str],
    secret: str = SECRET,
    region: str = REGION,
    key: str = KEY,
) -> AWSResponse:
    """A form POST signed with SigV4 by ``key``, as boto3 sends it."""
    request = AWSRequest(
        method="POST", url=url, data=urlencode(params), headers={"Content-Type": FORM}
    )
    SigV4Auth(Credentials(key, secret), "ec2", region).add_auth(request)
    return send(request)


def error_code(response: AWSResponse) -> str:
    """The ``Errors/Error/Code`` of an EC2 error document (checked for shape)."""
    root = SafeET.fromstring(response.content)
    assert root.tag == "Response"
    assert root.findtext("RequestID")
    assert b"Traceback" not in response.content
    assert SECRET.encode() not in response.content
    return root.findtext("Errors/Error/Code") or ""
