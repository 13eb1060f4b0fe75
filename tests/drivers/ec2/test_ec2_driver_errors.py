"""How the ec2 driver turns AWS errors into answers: 404 for unknown ids, 401
for rejected keys, 503 with Retry-After when throttled, 502 with AWS's code and
message otherwise; never a 500, never a traceback.

Real errors come from moto (which checks keys only when started with
``INITIAL_NO_AUTH_ACTION_COUNT=0``) and from a tiny HTTP server that answers
every request with one AWS error document, parsed by the real boto3.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError
from flask.testing import FlaskClient

from deltaflask.errors import AuthenticationFailure
from deltaflask.errors import Conflict
from deltaflask.errors import DeltaflaskError
from deltaflask.errors import Forbidden
from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ProviderError
from deltaflask.errors import ProviderUnavailable
from deltaflask.errors import ValidationFailure
from deltaflask.plugins.ec2.errors import aws_errors
from deltaflask.plugins.ec2.errors import translate
from tests.support.auth import EC2_AUTH
from tests.support.ec2_driver import answer_from
from tests.support.ec2_driver import app_at
from tests.support.ec2_driver import aws_client
from tests.support.moto_server import MotoServer
from tests.support.moto_server import free_port
from tests.support.moto_server import moto_server

AUTH = {"Authorization": EC2_AUTH, "Accept": "application/json"}


def check_error(response: Any, status: int) -> str:
    """An /api JSON error with ``status`` and no traceback; its message."""
    body = response.get_data(as_text=True)
    assert response.status_code == status, body
    assert "Traceback" not in body and 'File "' not in body
    data = response.get_json()
    assert data["code"] == status
    return str(data["message"])


# unknown ids -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/storage_volumes/vol-12345678"),
        ("delete", "/api/storage_volumes/vol-12345678"),
        ("post", "/api/storage_volumes/vol-12345678/detach"),
        ("get", "/api/storage_snapshots/snap-12345678"),
        ("delete", "/api/storage_snapshots/snap-12345678"),
        ("get", "/api/buckets/no-such-bucket"),
        ("delete", "/api/buckets/no-such-bucket"),
        ("get", "/api/buckets/known-bucket/no-such-blob"),
        ("head", "/api/buckets/known-bucket/no-such-blob"),
        ("get", "/api/buckets/known-bucket/no-such-blob/content"),
        ("post", "/api/buckets/known-bucket/no-such-blob"),
        ("delete", "/api/buckets/known-bucket/no-such-blob"),
    ],
)
def test_unknown_ids_are_404(
    ec2_client: FlaskClient, aws: MotoServer, method: str, url: str
) -> None:
    aws_client(aws, "s3").create_bucket(Bucket="known-bucket")
    response = getattr(ec2_client, method)(url, headers=AUTH)
    if method == "head":
        assert response.status_code == 404
        assert response.get_data() == b""
    else:
        check_error(response, 404)


def test_attach_to_unknown_volume_is_404(
    ec2_client: FlaskClient, aws: MotoServer
) -> None:
    response = ec2_client.post(
        "/api/storage_volumes/vol-12345678/attach",
        data={"instance_id": "i-12345678", "device": "/dev/sdf"},
        headers=AUTH,
    )
    assert "vol-12345678" in check_error(response, 404)


# rejected keys -------------------------------------------------------------------
@pytest.fixture(scope="module")
def checking_moto() -> Iterator[MotoServer]:
    """A second moto server that checks access keys (it knows none)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("INITIAL_NO_AUTH_ACTION_COUNT", "0")
        with moto_server() as server:
            yield server


@pytest.mark.parametrize("url", ["/api/storage_volumes", "/api/buckets"])
def test_rejected_keys_are_401(checking_moto: MotoServer, url: str) -> None:
    response = app_at(checking_moto.endpoint).get(url, headers=AUTH)
    message = check_error(response, 401)
    assert "AuthFailure" in message or "InvalidAccessKeyId" in message
    assert "testing:testing" not in response.get_data(as_text=True)


# answers of a fake AWS endpoint ----------------------------------------------------
def ec2_error(code: str, message: str) -> str:
    return (
        "<Response><Errors><Error><Code>"
        f"{code}</Code><Message>{message}</Message></Error></Errors>"
        "<RequestID>r-1</RequestID></Response>"
    )


def s3_error(code: str, message: str) -> str:
    return f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"


def test_throttling_is_503_with_retry_after() -> None:
    throttled = ec2_error("RequestLimitExceeded", "Request limit exceeded.")
    response = answer_from(400, throttled, "/api/storage_volumes")
    assert "RequestLimitExceeded" in check_error(response, 503)
    assert int(response.headers["Retry-After"]) >= 1
    slow = s3_error("SlowDown", "Please reduce your request rate.")
    response = answer_from(503, slow, "/api/buckets")
    assert "SlowDown: Please reduce your request rate." in check_error(response, 503)
    assert int(response.headers["Retry-After"]) >= 1


def test_unmapped_aws_errors_are_502_with_code_and_message() -> None:
    unsupported = ec2_error("UnsupportedOperation", "The operation is not supported.")
    response = answer_from(400, unsupported, "/api/storage_volumes", capacity="1")
    message = check_error(response, 502)
    assert message == "UnsupportedOperation: The operation is not supported."
    internal = s3_error("InternalError", "We encountered an error.")
    response = answer_from(500, internal, "/api/buckets")
    assert check_error(response, 502) == "InternalError: We encountered an error."


def test_auth_failure_from_aws_is_401() -> None:
    refused = ec2_error("AuthFailure", "AWS was not able to validate the credentials.")
    response = answer_from(401, refused, "/api/storage_snapshots")
    assert "AuthFailure" in check_error(response, 401)


def test_unreachable_endpoint_is_502() -> None:
    response = app_at(f"http://127.0.0.1:{free_port()}").get(
        "/api/storage_volumes", headers=AUTH
    )
    assert "Cannot reach EC2" in check_error(response, 502)


def test_a_silent_endpoint_times_out_as_504_within_provider_timeout() -> None:
    with socket.create_server(("127.0.0.1", 0), backlog=16) as silent:
        endpoint = f"http://127.0.0.1:{silent.getsockname()[1]}"
        client = app_at(endpoint, PROVIDER_TIMEOUT=0.5, PROVIDER_RETRIES=0)
        started = time.monotonic()
        response = client.get("/api/storage_volumes", headers=AUTH)
        took = time.monotonic() - started
    assert "did not answer" in check_error(response, 504)
    assert took < 5  # botocore's two attempts of 0.5 s, not its default 60 s


def test_malformed_region_is_400() -> None:
    response = app_at(f"http://127.0.0.1:{free_port()}").get(
        "/api/storage_volumes",
        headers={**AUTH, "X-Deltacloud-Provider": "bad region!"},
    )
    assert "AWS region" in check_error(response, 400)


# the translation table -------------------------------------------------------------
@pytest.mark.parametrize(
    ("code", "status", "kind"),
    [
        ("AuthFailure", None, AuthenticationFailure),
        ("InvalidAccessKeyId", 403, AuthenticationFailure),
        ("SignatureDoesNotMatch", 403, AuthenticationFailure),
        ("UnauthorizedOperation", 403, Forbidden),
        ("AccessDenied", 403, Forbidden),
        ("403", 403, Forbidden),
        ("Throttling", 400, ProviderUnavailable),
        ("RequestLimitExceeded", 503, ProviderUnavailable),
        ("SlowDown", 503, ProviderUnavailable),
        ("SomethingNew", 503, ProviderUnavailable),
        ("InvalidVolume.NotFound", 400, ObjectNotFound),
        ("InvalidSnapshot.NotFound", 400, ObjectNotFound),
        ("NoSuchBucket", 404, ObjectNotFound),
        ("NoSuchKey", 404, ObjectNotFound),
        ("NoSuchUpload", 404, ObjectNotFound),
        ("404", 404, ObjectNotFound),
        ("VolumeInUse", 400, Conflict),
        ("BucketNotEmpty", 409, Conflict),
        ("OperationAborted", 409, Conflict),
        ("IncorrectState", 400, Conflict),
        ("EntityTooSmall", 400, ValidationFailure),
        ("InvalidPart", 400, ValidationFailure),
        ("InvalidBucketName", 400, ValidationFailure),
        ("MetadataTooLarge", 400, ValidationFailure),
        ("InvalidParameterValue", 400, ValidationFailure),
        ("InvalidVolumeID.Malformed", 400, ValidationFailure),
        ("UnsupportedOperation", 400, ProviderError),
        ("InternalError", 500, ProviderError),
    ],
)
def test_translate_each_class_of_code(
    code: str, status: int | None, kind: type[DeltaflaskError]
) -> None:
    error = translate(code, "what AWS said", status)
    assert isinstance(error, kind)
    assert error.message == f"{code}: what AWS said"
    assert error.status != 500
    if isinstance(error, ProviderUnavailable):
        assert error.retry_after >= 1


def test_real_client_errors_through_aws_errors(aws: MotoServer) -> None:
    s3, ec2 = aws_client(aws, "s3"), aws_client(aws)
    s3.create_bucket(Bucket="full-bucket")
    s3.put_object(Bucket="full-bucket", Key="k", Body=b"x")
    cases = [
        (lambda: s3.get_object(Bucket="full-bucket", Key="nope"), ObjectNotFound),
        (lambda: s3.delete_bucket(Bucket="full-bucket"), Conflict),
        (lambda: s3.create_bucket(Bucket="b1"), ValidationFailure),
        (lambda: ec2.delete_volume(VolumeId="vol-12345678"), ObjectNotFound),
        (lambda: s3.get_object(Bucket="full-bucket"), ValidationFailure),
    ]
    for call, kind in cases:
        with pytest.raises(kind) as caught, aws_errors():
            call()
        assert caught.value.status != 500
    throttled = ClientError(
        {
            "Error": {"Code": "Throttling", "Message": "Rate exceeded"},
            "ResponseMetadata": {"HTTPStatusCode": 400},
        },
        "DescribeVolumes",
    )
    with pytest.raises(ProviderUnavailable) as caught, aws_errors():
        raise throttled
    assert caught.value.message == "Throttling: Rate exceeded"
