"""The EC2 frontend's protocol: signatures, key file, error shapes, the AWS CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import defusedxml.ElementTree as SafeET
import pytest
from botocore.auth import SigV2Auth
from botocore.auth import SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from tests.support.ec2_frontend import KEY
from tests.support.ec2_frontend import SECRET
from tests.support.ec2_frontend import client
from tests.support.ec2_frontend import error_code
from tests.support.ec2_frontend import send
from tests.support.ec2_frontend import serve
from tests.support.ec2_frontend import signed_post

NAMESPACE = "{http://ec2.amazonaws.com/doc/2016-11-15/}"


@pytest.fixture
def ec2_url(mock_storage: Path) -> Iterator[str]:
    """The ``/ec2`` URL of a live server on a fresh mock cloud."""
    with serve(mock_storage) as url:
        yield url


def test_signed_post_answers_ec2_xml(ec2_url: str) -> None:
    for url in (ec2_url, ec2_url + "/"):
        response = signed_post(
            url, {"Action": "DescribeRegions", "Version": "2016-11-15"}
        )
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("text/xml")
        root = SafeET.fromstring(response.content)
        assert root.tag == f"{NAMESPACE}DescribeRegionsResponse"
        assert root.findtext(f"{NAMESPACE}requestId")


def test_unsigned_and_wrongly_signed_requests_fail_closed(ec2_url: str) -> None:
    unsigned = send(AWSRequest(method="GET", url=ec2_url + "?Action=DescribeInstances"))
    assert unsigned.status_code == 401
    assert error_code(unsigned) == "AuthFailure"
    basic = AWSRequest(
        method="GET",
        url=ec2_url + "?Action=DescribeInstances",
        headers={"Authorization": "Basic bW9ja3VzZXI6bW9ja3Bhc3N3b3Jk"},
    )
    assert error_code(send(basic)) == "AuthFailure"
    wrong = signed_post(ec2_url, {"Action": "DescribeInstances"}, secret="guess")
    assert wrong.status_code == 403
    assert error_code(wrong) == "SignatureDoesNotMatch"
    region = signed_post(ec2_url, {"Action": "DescribeInstances"}, region="eu-west-9")
    assert region.status_code == 401
    assert error_code(region) == "AuthFailure"


def test_unknown_access_key_is_refused(ec2_url: str) -> None:
    stranger = client(ec2_url, key="stranger", secret="stranger")
    with pytest.raises(ClientError) as error:
        stranger.describe_instances()
    assert error.value.response["Error"]["Code"] == "AuthFailure"
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 401


def test_bad_signature_through_boto3(ec2_url: str) -> None:
    with pytest.raises(ClientError) as error:
        client(ec2_url, secret="wrong").describe_regions()
    assert error.value.response["Error"]["Code"] == "SignatureDoesNotMatch"


def test_unknown_and_missing_actions(ec2_url: str) -> None:
    unknown = signed_post(ec2_url, {"Action": "LaunchMissiles"})
    assert unknown.status_code == 400
    assert error_code(unknown) == "InvalidAction"
    assert (
        error_code(signed_post(ec2_url, {"Version": "2016-11-15"})) == "MissingAction"
    )


def test_missing_and_malformed_parameters(ec2_url: str) -> None:
    missing = signed_post(ec2_url, {"Action": "RunInstances", "MinCount": "1"})
    assert missing.status_code == 400
    assert error_code(missing) == "MissingParameter"
    count = signed_post(
        ec2_url,
        {"Action": "RunInstances", "ImageId": "img1", "MinCount": "x", "MaxCount": "1"},
    )
    assert error_code(count) == "InvalidParameterValue"
    token = signed_post(ec2_url, {"Action": "DescribeInstances", "NextToken": "%%%"})
    assert error_code(token) == "InvalidNextToken"


def test_presigned_query_signature(ec2_url: str) -> None:
    request = AWSRequest(method="GET", url=ec2_url + "/?Action=DescribeInstances")
    SigV4QueryAuth(Credentials(KEY, SECRET), "ec2", "us-east-1", expires=60).add_auth(
        request
    )
    response = send(request)
    assert response.status_code == 200, response.content
    assert b"reservationSet" in response.content
    tampered = AWSRequest(method="GET", url=request.url.replace("Describe", "Xescribe"))
    assert error_code(send(tampered)) == "SignatureDoesNotMatch"


def test_signature_version_2(ec2_url: str) -> None:
    request = AWSRequest(
        method="GET", url=ec2_url + "/", params={"Action": "DescribeKeyPairs"}
    )
    SigV2Auth(Credentials(KEY, SECRET)).add_auth(request)
    response = send(request)
    assert response.status_code == 200, response.content
    assert b"keySet" in response.content
    forged = AWSRequest(
        method="GET", url=ec2_url + "/", params={"Action": "DescribeKeyPairs"}
    )
    SigV2Auth(Credentials(KEY, "guess")).add_auth(forged)
    assert error_code(send(forged)) == "SignatureDoesNotMatch"


def test_other_methods_answer_ec2_errors(ec2_url: str) -> None:
    response = send(AWSRequest(method="PUT", url=ec2_url + "/", data=b"x"))
    assert response.status_code == 400
    assert error_code(response) == "InvalidAction"


def test_key_file_maps_access_keys(mock_storage: Path, tmp_path: Path) -> None:
    key_file = tmp_path / "keys.json"
    key_file.write_text(
        json.dumps(
            {
                "AKIDTEAM": {
                    "user": "mockuser",
                    "password": "mockpassword",
                    "secret": "team-secret",
                },
                "AKIDWRONG": {"user": "mockuser", "password": "not-the-password"},
            }
        )
    )
    with serve(mock_storage, EC2_KEY_FILE=str(key_file)) as url:
        team = client(url, key="AKIDTEAM", secret="team-secret")
        assert team.describe_instances()["Reservations"]
        wrong = client(url, key="AKIDWRONG", secret="not-the-password")
        with pytest.raises(ClientError) as error:
            wrong.describe_instances()
        assert error.value.response["Error"]["Code"] == "AuthFailure"


def test_aws_cli(ec2_url: str, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET,
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
    }
    beside = Path(sys.executable).with_name("aws")  # the test extra installs it
    aws = str(beside) if beside.exists() else shutil.which("aws")
    assert aws, "the AWS CLI is missing: pip install -e '.[test]' installs it"
    base = [aws, "ec2", "--endpoint-url", ec2_url, "--region", "us-east-1"]
    listed = subprocess.run(
        [*base, "describe-instances", "--output", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    ids = [
        i["InstanceId"]
        for r in json.loads(listed.stdout)["Reservations"]
        for i in r["Instances"]
    ]
    assert "inst0" in ids
    missing = subprocess.run(
        [*base, "stop-instances", "--instance-ids", "nosuch"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert missing.returncode != 0
    assert "InvalidInstanceID.NotFound" in missing.stderr
