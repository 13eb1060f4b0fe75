"""Helpers shared by the ec2 driver tests and the contract suite: boto3 straight
at moto, the driver itself, /api set-up calls (instances, created resources,
firewall rules) and a fake AWS endpoint that answers one fixed document."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from typing import Any

import boto3
from flask.testing import FlaskClient

from deltaflask import create_app
from deltaflask.drivers import Credentials
from deltaflask.plugins.ec2.driver import Ec2Driver
from tests.support.auth import EC2_AUTH
from tests.support.moto_server import MotoServer

Headers = dict[str, str]
IMAGE = "ami-fa7cdd89"  # an x86_64 EBS AMI moto preloads
TESTING = Credentials("testing", "testing")


def aws_client(aws: MotoServer, service: str = "ec2") -> Any:
    """A plain boto3 client of the moto server, to set up or check things."""
    return boto3.client(
        service,
        endpoint_url=aws.endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def ec2_driver(aws: MotoServer, provider: str = "us-east-1") -> Ec2Driver:
    """The ec2 driver of the moto server, called directly."""
    return Ec2Driver(TESTING, provider, {"EC2_ENDPOINT_URL": aws.endpoint})


def app_at(endpoint: str, **config: Any) -> FlaskClient:
    """A test client of an app whose ec2 driver talks to ``endpoint``."""
    app = create_app(
        {
            "TESTING": True,
            "DRIVER": "ec2",
            "PROVIDER": "us-east-1",
            "EC2_ENDPOINT_URL": endpoint,
            **config,
        }
    )
    return app.test_client()


class _Answer(BaseHTTPRequestHandler):
    """Answers every request with the server's ``answer`` (status, type, body)."""

    server: Any

    def _reply(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        status, content_type, body = self.server.answer
        self.server.requests += 1
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _reply

    def log_message(self, *args: Any) -> None:
        """Stay quiet."""


@contextmanager
def fake_aws(status: int, body: str, content_type: str = "text/xml") -> Iterator[Any]:
    """A loopback HTTP server answering every request with ``status`` and
    ``body``; ``requests`` counts what it was asked."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Answer)
    server.answer = (status, content_type, body)  # type: ignore[attr-defined]
    server.requests = 0  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def answer_from(status: int, body: str, path: str, **form: str) -> Any:
    """The /api answer to ``GET path`` (``POST`` when ``form`` is given) of an
    app whose AWS endpoint answers every request with ``status`` and ``body``."""
    with fake_aws(status, body) as server:
        client = app_at(f"http://127.0.0.1:{server.server_port}")
        auth = {"Authorization": EC2_AUTH, "Accept": "application/json"}
        if form:
            response = client.post(path, data=form, headers=auth)
        else:
            response = client.get(path, headers=auth)
        assert server.requests >= 1
    return response


def as_xml(headers: Headers) -> Headers:
    """``headers`` asking for XML."""
    return {**headers, "Accept": "application/xml"}


def launch(client: FlaskClient, auth: Headers, **params: str) -> Any:
    """``POST /api/instances`` (the preloaded image unless named): the instance,
    or the list of instances when several were asked for."""
    params.setdefault("image_id", IMAGE)
    response = client.post("/api/instances", data=params, headers=auth)
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    return body["instance"] if "instance" in body else body["instances"]


def create(
    client: FlaskClient, auth: Headers, path: str, status: int = 201, **data: str
) -> Any:
    """What ``POST path`` with ``data`` created (the body's one member); a 201
    must carry the new resource's ``Location``."""
    response = client.post(path, data=data, headers=auth)
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    made = body[next(iter(body))]
    if status == 201:
        assert response.headers["Location"].endswith(f"{path}/{made['id']}")
    return made


def default_vpc(boto: Any) -> str:
    """The id of the region's default VPC."""
    vpcs = boto.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])
    return str(vpcs["Vpcs"][0]["VpcId"])


def default_group(boto: Any, vpc_id: str) -> str:
    """The id of the security group ``default`` of a VPC."""
    groups = boto.describe_security_groups(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]},
            {"Name": "group-name", "Values": ["default"]},
        ]
    )["SecurityGroups"]
    return str(groups[0]["GroupId"])
