"""What the servers write while clients use every frontend with credentials:
the README's development command (``deltaflask``) and its production one
(gunicorn), with JSON access logs. The whole of both logs is searched for
every secret the clients sent: passwords, Basic tokens, EC2 signatures (in the
Authorization header and in a query string), session cookies, CSRF tokens and
a provider URL's password. None may appear (the start-up banner's line
naming the mock's public demo account aside); the access lines must."""

from __future__ import annotations

import base64
import json
import os
import re
import sys
from pathlib import Path
from urllib.parse import urlencode

import boto3
import requests
from botocore.auth import SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

from tests.support.gunicorn_server import PRODUCTION
from tests.support.gunicorn_server import gunicorn
from tests.support.live_servers import running
from tests.support.moto_server import free_port

USER, PASSWORD = "mockuser", "mockpassword"
WRONG_PASSWORD = "Wr0ng-pa55word-xyz"
PROVIDER_PASSWORD = "pr0vider-s3cret"
BROWSER = {
    "Accept": "text/html",
    "Sec-Fetch-Site": "same-origin",
    "Sec-Fetch-Mode": "navigate",
}
TOKEN = re.compile(r'name="_csrf_token" value="([^"]+)"')


def use_every_frontend(base: str) -> set[str]:
    """Drive /api, /cimi, /ec2 and the HTML UI with credentials; return every
    secret that went over the wire."""
    basic = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    secrets = {PASSWORD, WRONG_PASSWORD, PROVIDER_PASSWORD, basic}
    auth = (USER, PASSWORD)
    assert requests.get(f"{base}/api/instances", auth=auth).status_code == 200
    assert requests.get(f"{base}/api/realms", auth=(USER, WRONG_PASSWORD)).status_code
    assert requests.get(f"{base}/cimi/machines", auth=auth).status_code == 200
    provider = f"http://admin:{PROVIDER_PASSWORD}@cloud.example/v3"
    requests.get(
        f"{base}/api/realms", auth=auth, headers={"X-Deltacloud-Provider": provider}
    )

    ec2 = boto3.client(
        "ec2",
        endpoint_url=f"{base}/ec2",
        region_name="us-east-1",
        aws_access_key_id=USER,
        aws_secret_access_key=PASSWORD,
        config=Config(retries={"max_attempts": 1}),
    )
    captured: list[str] = []
    ec2.meta.events.register(
        "before-send.ec2.*",
        lambda request, **_: captured.append(request.headers["Authorization"]),
    )
    assert ec2.describe_regions()["Regions"]
    signature = re.search(
        r"Signature=([0-9a-f]+)",
        captured[0].decode() if isinstance(captured[0], bytes) else captured[0],
    )
    assert signature
    secrets.add(signature.group(1))
    presigned = AWSRequest(
        method="GET",
        url=f"{base}/ec2?"
        + urlencode({"Action": "DescribeRegions", "Version": "2016-11-15"}),
    )
    SigV4QueryAuth(Credentials(USER, PASSWORD), "ec2", "us-east-1", 300).add_auth(
        presigned
    )
    query_signature = re.search(r"X-Amz-Signature=([0-9a-f]+)", presigned.url)
    assert query_signature
    secrets.add(query_signature.group(1))
    assert requests.get(presigned.url).status_code == 200

    browser = requests.Session()
    browser.auth = auth
    page = browser.get(f"{base}/api/keys/new", headers=BROWSER)
    assert page.status_code == 200
    token = TOKEN.search(page.text)
    assert token
    secrets.add(token.group(1))
    made = browser.post(
        f"{base}/api/keys",
        data={"name": "logged-key", "_csrf_token": token.group(1)},
        headers={**BROWSER, "Origin": base},
    )
    assert made.status_code == 201, made.text  # the new key, shown once
    assert "logged-key" in made.text
    secrets.update(value for value in browser.cookies.values() if len(value) > 8)
    assert len(browser.cookies) >= 1
    return secrets


def assert_clean(log: str, secrets: set[str]) -> None:
    # the banner names the mock's public demo account on purpose: only there
    banner = [line for line in log.splitlines() if "(HTTP Basic)" in line]
    assert len(banner) <= 1
    log = "\n".join(line for line in log.splitlines() if line not in banner)
    access = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    assert len(access) >= 8, log
    assert {entry["frontend"] for entry in access} >= {"deltacloud", "cimi", "ec2"}
    for secret in secrets:
        assert secret not in log, f"a secret ({secret[:4]}...) is in the log"
    assert "authorization" not in log.lower()


def test_the_development_server_logs_no_secret(tmp_path: Path) -> None:
    port = free_port()
    command = [
        str(Path(sys.executable).with_name("deltaflask")),
        *("-i", "mock", "-p", str(port), "-f", "deltacloud,cimi,ec2"),
        *("--data", str(tmp_path / "data")),
    ]
    env = {**os.environ, "DELTAFLASK_ACCESS_LOG": "json"}
    log = tmp_path / "server.log"
    with running(command, port, env, log) as server:
        secrets = use_every_frontend(f"http://127.0.0.1:{port}")
        output = server.output()
    assert_clean(output, secrets)


def test_the_production_server_logs_no_secret(tmp_path: Path) -> None:
    env = {
        "DELTAFLASK_DATA": str(tmp_path / "data"),
        "DELTAFLASK_ACCESS_LOG": "json",
        "API_FRONTEND": "deltacloud,cimi,ec2",
    }
    with gunicorn(tmp_path, env, *PRODUCTION, workers=2) as server:
        secrets = use_every_frontend(f"http://127.0.0.1:{server.port}")
    assert_clean(server.log.read_text(), secrets)
