"""Hostile input to the EC2 Query API: presigned URLs whose body would add
unsigned parameters, far-future or malformed expiry, non-ASCII signatures,
huge numbers, control characters, repeated parameters; each answers an EC2
error document with a 4xx status, never a 500, and nothing unsigned is used."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import boto3
import defusedxml.ElementTree as SafeET
import pytest
from botocore.auth import S3SigV4QueryAuth
from botocore.auth import SigV2Auth
from botocore.auth import SigV4Auth
from botocore.auth import SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from flask import Flask

from deltaflask import create_app
from deltaflask.plugins.ec2_frontend.render import respond
from tests.support.ec2_frontend import FORM
from tests.support.ec2_frontend import KEY
from tests.support.ec2_frontend import REGION
from tests.support.ec2_frontend import SECRET
from tests.support.ec2_frontend import error_code
from tests.support.ec2_frontend import send
from tests.support.ec2_frontend import serve
from tests.support.ec2_frontend import signed_post

NAMESPACE = "{http://ec2.amazonaws.com/doc/2016-11-15/}"
HUGE = "9" * 5000


@pytest.fixture
def ec2_url(mock_storage: Path) -> Iterator[str]:
    """The ``/ec2`` URL of a live server on a fresh mock cloud."""
    with serve(mock_storage) as url:
        yield url


def _presigned(
    url: str, method: str, body: str = "", signer: type[SigV4QueryAuth] = SigV4QueryAuth
) -> AWSRequest:
    """``url`` presigned by a botocore presigner for ``method``; ``body`` added
    afterwards, as a client holding the URL could (botocore itself moves a body
    into the query before signing). ``SigV4QueryAuth`` signs the empty payload,
    ``S3SigV4QueryAuth`` the ``UNSIGNED-PAYLOAD`` constant."""
    request = AWSRequest(method=method, url=url)
    signer(Credentials(KEY, SECRET), "ec2", REGION, expires=60).add_auth(request)
    headers = {"Content-Type": FORM} if body else {}
    return AWSRequest(method=method, url=request.url, data=body, headers=headers)


def _answered(response: object) -> str:
    root = SafeET.fromstring(response.content)  # type: ignore[attr-defined]
    return str(root.tag).removeprefix(NAMESPACE)


def test_presigned_url_signs_only_its_query(ec2_url: str) -> None:
    url = ec2_url + "/?Action=DescribeRegions&Version=2016-11-15"
    for signer in (SigV4QueryAuth, S3SigV4QueryAuth):
        for method in ("GET", "POST"):
            plain = send(_presigned(url, method, signer=signer))
            assert plain.status_code == 200, plain.content
            assert _answered(plain) == "DescribeRegionsResponse"
    extra = send(_presigned(url, "POST", "RegionName.1=eu-west-9", S3SigV4QueryAuth))
    assert extra.status_code == 400, extra.content
    assert error_code(extra) == "InvalidRequest"
    override = send(
        _presigned(url, "POST", "Action=DescribeKeyPairs", S3SigV4QueryAuth)
    )
    assert override.status_code == 400
    assert error_code(override) == "InvalidParameterValue"
    assert b"DescribeKeyPairsResponse" not in override.content
    signed_empty = send(_presigned(url, "POST", "RegionName.1=eu-west-9"))
    assert signed_empty.status_code == 403  # the body is not the one signed
    assert error_code(signed_empty) == "SignatureDoesNotMatch"


def test_boto3_presigned_url_still_works(ec2_url: str) -> None:
    ec2 = boto3.client(
        "ec2",
        endpoint_url=ec2_url,
        region_name=REGION,
        aws_access_key_id=KEY,
        aws_secret_access_key=SECRET,
    )
    for method in ("GET", "POST"):
        url = ec2.generate_presigned_url(
            "describe_key_pairs", ExpiresIn=300, HttpMethod=method
        )
        response = send(AWSRequest(method=method, url=url))
        assert response.status_code == 200, response.content
        assert _answered(response) == "DescribeKeyPairsResponse"


@pytest.mark.parametrize("expires", [HUGE, "\u00b2", "604801", "0", "-5", "1e3"])
def test_presigned_expiry_must_be_a_number_within_seven_days(
    ec2_url: str, expires: str
) -> None:
    request = _presigned(ec2_url + "/?Action=DescribeRegions", "GET")
    forged = AWSRequest(
        method="GET",
        url=request.url.replace("X-Amz-Expires=60", "X-Amz-Expires=" + expires),
    )
    response = send(forged)
    assert response.status_code == 400, response.content
    assert error_code(response) == "InvalidParameterValue"
    assert HUGE.encode() not in response.content


def _v2(url: str, **params: str) -> AWSRequest:
    """A GET signed with Signature Version 2 by botocore's own signer."""
    params = {
        "AWSAccessKeyId": KEY,
        "SignatureVersion": "2",
        "SignatureMethod": "HmacSHA256",
        **params,
    }
    request = AWSRequest(method="GET", url=url + "/")
    _, signature = SigV2Auth(Credentials(KEY, SECRET)).calc_signature(request, params)
    return AWSRequest(
        method="GET", url=url + "/?" + urlencode({**params, "Signature": signature})
    )


def _stamp(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_signature_version_2_expires_is_capped(ec2_url: str) -> None:
    soon = send(
        _v2(ec2_url, Action="DescribeRegions", Expires=_stamp(timedelta(hours=1)))
    )
    assert soon.status_code == 200, soon.content
    for far in ("2099-01-01T00:00:00Z", _stamp(timedelta(days=8))):
        response = send(_v2(ec2_url, Action="DescribeRegions", Expires=far))
        assert response.status_code == 400, response.content
        assert error_code(response) == "InvalidParameterValue"


def test_non_ascii_signatures_do_not_match(ec2_url: str) -> None:
    request = _v2(ec2_url, Action="DescribeRegions", Timestamp=_stamp(timedelta()))
    forged = AWSRequest(
        method="GET",
        url=request.url.split("&Signature=")[0] + "&Signature=%C3%A9%C3%A9%C3%A9",
    )
    response = send(forged)
    assert response.status_code == 403, response.content
    assert error_code(response) == "SignatureDoesNotMatch"
    query = _presigned(ec2_url + "/?Action=DescribeRegions", "GET").url
    head, _, _ = query.partition("&X-Amz-Signature=")
    response = send(AWSRequest(method="GET", url=head + "&X-Amz-Signature=%C3%A9"))
    assert response.status_code == 403, response.content
    assert error_code(response) == "SignatureDoesNotMatch"
    header = AWSRequest(
        method="POST",
        url=ec2_url,
        data="Action=DescribeRegions",
        headers={"Content-Type": FORM},
    )
    SigV4Auth(Credentials(KEY, SECRET), "ec2", REGION).add_auth(header)
    signed, _, _ = header.headers["Authorization"].partition("Signature=")
    header.headers.replace_header(
        "Authorization", signed + "Signature=" + "\u00e9" * 64
    )
    response = send(header)
    assert response.status_code == 403, response.content
    assert error_code(response) == "SignatureDoesNotMatch"


@pytest.mark.parametrize(
    "params",
    [
        {"Action": "DescribeInstances", "MaxResults": HUGE},
        {"Action": "DescribeInstances", "MaxResults": "\u00b2"},
        {"Action": "DescribeInstances", "MaxResults": " 5"},
        {"Action": "CreateVolume", "Size": HUGE, "AvailabilityZone": "us"},
        {
            "Action": "RunInstances",
            "ImageId": "img1",
            "MinCount": HUGE,
            "MaxCount": "1",
        },
        {
            "Action": "RunInstances",
            "ImageId": "img1",
            "MinCount": "1",
            "MaxCount": HUGE,
        },
        {"Action": "DescribeInstances", f"InstanceId.{HUGE}": "inst0"},
        {"Action": "DescribeInstances", "Filter.\u00b2.Name": "instance-id"},
        {
            "Action": "AuthorizeSecurityGroupIngress",
            "GroupName": "default",
            "IpPermissions.1.IpProtocol": "tcp",
            "IpPermissions.1.FromPort": HUGE,
            "IpPermissions.1.ToPort": "22",
            "IpPermissions.1.IpRanges.1.CidrIp": "10.0.0.0/8",
        },
        {
            "Action": "ImportKeyPair",
            "KeyName": "k",
            "PublicKeyMaterial": "\u00e9t\u00e9",
        },
        {"Action": "ImportKeyPair", "KeyName": "k", "PublicKeyMaterial": "AA=="},
        {"Action": "CreateKeyPair", "KeyName": "a\x00b"},
        {
            "Action": "CreateSecurityGroup",
            "GroupName": "g",
            "GroupDescription": "a\x1b",
        },
        {
            "Action": "CreateSecurityGroup",
            "GroupName": "g",
            "GroupDescription": "\uffff",
        },
        {
            "Action": "DescribeInstances",
            "Filter.1.Name": "tag:\x7f",
            "Filter.1.Value.1": "x",
        },
    ],
)
def test_bad_numbers_and_text_are_invalid_values(
    ec2_url: str, params: dict[str, str]
) -> None:
    response = signed_post(ec2_url, params)
    assert response.status_code == 400, response.content
    assert error_code(response) == "InvalidParameterValue"
    assert HUGE.encode() not in response.content
    SafeET.fromstring(response.content)  # well-formed whatever was sent


def test_a_huge_next_token_pages_past_every_id(ec2_url: str) -> None:
    token = base64.urlsafe_b64encode(HUGE.encode()).decode()
    response = signed_post(ec2_url, {"Action": "DescribeInstances", "NextToken": token})
    assert response.status_code == 200, response.content  # past every id: empty
    assert _answered(response) == "DescribeInstancesResponse"


def test_repeated_and_too_many_parameters(ec2_url: str) -> None:
    repeated = AWSRequest(
        method="POST",
        url=ec2_url + "/?Action=DescribeKeyPairs",
        data="Action=DescribeRegions",
        headers={"Content-Type": FORM},
    )
    SigV4Auth(Credentials(KEY, SECRET), "ec2", REGION).add_auth(repeated)
    response = send(repeated)
    assert response.status_code == 400
    assert error_code(response) == "InvalidParameterValue"
    many = {"Action": "DescribeInstances"}
    many.update({f"InstanceId.{n}": f"inst{n}" for n in range(1, 2001)})
    response = signed_post(ec2_url, many)
    assert response.status_code == 400
    assert error_code(response) == "InvalidParameterValue"


def test_renderers_never_emit_invalid_xml(mock_storage: Path) -> None:
    app: Flask = create_app(
        {"TESTING": True, "MOCK_STORAGE": str(mock_storage), "FRONTENDS": ["ec2"]}
    )
    with app.test_request_context("/ec2/"):
        body = respond(
            "DescribeKeyPairs",
            {"keySet": [{"keyName": "a\x00b\ud800c\uffff\x1b"}]},
        ).get_data()
    root = SafeET.fromstring(body)
    name = root.findtext(f"{NAMESPACE}keySet/{NAMESPACE}item/{NAMESPACE}keyName")
    assert name == "a\ufffdb\ufffdc\ufffd\ufffd"


def test_oversized_bodies_are_refused(ec2_url: str) -> None:
    response = signed_post(
        ec2_url,
        {"Action": "CreateKeyPair", "KeyName": "k", "Padding": "x" * (2 * 1024 * 1024)},
    )
    assert response.status_code == 413
    assert error_code(response) == "InvalidParameterValue"
