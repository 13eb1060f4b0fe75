"""AWS request signatures: Version 4 (header and query forms) and Version 2.

Verification fails closed: no signature, an unknown access key, a malformed
or stale signature all refuse the request before any driver is called.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from urllib.parse import parse_qsl
from urllib.parse import quote

from flask import Request

from deltaflask.drivers import Credentials
from deltaflask.plugins.ec2_frontend import keys
from deltaflask.plugins.ec2_frontend.errors import EC2Error
from deltaflask.plugins.ec2_frontend.params import parse_int

ALGORITHM = "AWS4-HMAC-SHA256"
SERVICE = "ec2"
MAX_SKEW = timedelta(minutes=15)
MAX_EXPIRES = 7 * 24 * 3600
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
V2_METHODS = {"HmacSHA256": hashlib.sha256, "HmacSHA1": hashlib.sha1}


@dataclass(frozen=True)
class Signed:
    """Who signed a request and for which region (``None`` with SigV2)."""

    credentials: Credentials
    region: str | None


def verify(request: Request, params: Mapping[str, str]) -> Signed:
    """Check the request's signature; raise the EC2 error when it fails."""
    header = request.headers.get("Authorization", "")
    if header.startswith(ALGORITHM + " "):
        return _verify_v4(request, _header_fields(header), from_query=False)
    if "X-Amz-Signature" in request.args:
        return _verify_v4(request, _query_fields(request), from_query=True)
    if "Signature" in params:
        return Signed(_verify_v2(request, params), None)
    raise EC2Error(
        "AuthFailure",
        "AWS was not able to validate the provided access credentials",
        401,
    )


def _incomplete(what: str) -> EC2Error:
    return EC2Error(
        "IncompleteSignature", f"The request signature is incomplete: {what}"
    )


def _mismatch() -> EC2Error:
    return EC2Error(
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature "
        "you provided.",
        403,
    )


def _expired(reason: str) -> EC2Error:
    return EC2Error("RequestExpired", f"Request has expired: {reason}")


def _header_fields(header: str) -> dict[str, str]:
    fields = {}
    for part in header[len(ALGORITHM) :].split(","):
        name, _, value = part.strip().partition("=")
        fields[name] = value
    return fields


def _query_fields(request: Request) -> dict[str, str]:
    if request.args.get("X-Amz-Algorithm") != ALGORITHM:
        raise _incomplete(f"X-Amz-Algorithm must be {ALGORITHM}")
    return {
        "Credential": request.args.get("X-Amz-Credential", ""),
        "SignedHeaders": request.args.get("X-Amz-SignedHeaders", ""),
        "Signature": request.args.get("X-Amz-Signature", ""),
    }


def _verify_v4(request: Request, fields: dict[str, str], from_query: bool) -> Signed:
    for name in ("Credential", "SignedHeaders", "Signature"):
        if not fields.get(name):
            raise _incomplete(f"missing {name}")
    scope = fields["Credential"].split("/")
    if len(scope) != 5 or scope[3] != SERVICE or scope[4] != "aws4_request":
        raise _incomplete("Credential must be <key>/<date>/<region>/ec2/aws4_request")
    access_key, day, region = scope[0], scope[1], scope[2]
    source = request.args if from_query else request.headers
    stamp = source.get("X-Amz-Date", "")
    when = _parse_amz_date(stamp)
    if stamp[:8] != day:
        raise _incomplete("the credential scope date does not match X-Amz-Date")
    _check_v4_time(request, when, from_query)
    credentials, secret = keys.lookup(access_key)
    signed = fields["SignedHeaders"].split(";")
    if "host" not in signed:
        raise _incomplete("the host header must be signed")
    key = _signing_key(secret, day, region)
    canonical_query = _canonical_query(request, drop="X-Amz-Signature")
    payloads = [hashlib.sha256(request.get_data(cache=True)).hexdigest()]
    if from_query:
        payloads.append(UNSIGNED_PAYLOAD)
    for payload in payloads:
        canonical = "\n".join(
            [
                request.method,
                quote(request.script_root + request.path, safe="/~"),
                canonical_query,
                _canonical_headers(request, signed),
                ";".join(signed),
                payload,
            ]
        )
        to_sign = "\n".join(
            [
                ALGORITHM,
                stamp,
                f"{day}/{region}/{SERVICE}/aws4_request",
                hashlib.sha256(canonical.encode()).hexdigest(),
            ]
        )
        expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        if _same(expected, fields["Signature"]):
            if payload == UNSIGNED_PAYLOAD and request.get_data(cache=True):
                raise _unsigned_body()
            return Signed(credentials, region)
    raise _mismatch()


def _same(expected: str, given: str) -> bool:
    """Constant-time comparison of signatures as bytes (``given`` may be any text)."""
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace"))


def _unsigned_body() -> EC2Error:
    return EC2Error(
        "InvalidRequest",
        "A presigned URL with an unsigned payload signs only its query: "
        "send its parameters in the URL, without a body",
    )


def _parse_amz_date(stamp: str) -> datetime:
    try:
        return datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise _incomplete("X-Amz-Date must be YYYYMMDDTHHMMSSZ") from None


def _check_v4_time(request: Request, when: datetime, from_query: bool) -> None:
    now = datetime.now(UTC)
    if when - now > MAX_SKEW:
        raise _expired("the request date is in the future")
    if not from_query:
        if now - when > MAX_SKEW:
            raise _expired("the request date is more than 15 minutes old")
        return
    raw = request.args.get("X-Amz-Expires", "")
    if not raw:
        raise _incomplete("missing X-Amz-Expires")
    expires = parse_int("X-Amz-Expires", raw, 1, MAX_EXPIRES)
    if now > when + timedelta(seconds=expires):
        raise _expired("the presigned request is past its expiry")


def _signing_key(secret: str, day: str, region: str) -> bytes:
    key = ("AWS4" + secret).encode()
    for part in (day, region, SERVICE, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def _encode(value: str) -> str:
    return quote(value, safe="-_.~")


def _canonical_query(request: Request, drop: str) -> str:
    pairs = parse_qsl(request.query_string.decode("latin-1"), keep_blank_values=True)
    kept = sorted((_encode(k), _encode(v)) for k, v in pairs if k != drop)
    return "&".join(f"{k}={v}" for k, v in kept)


def _canonical_headers(request: Request, signed: list[str]) -> str:
    lines = []
    for name in signed:
        value = request.headers.get(name)
        if value is None:
            raise _mismatch()
        lines.append(f"{name}:{' '.join(value.split())}\n")
    return "".join(lines)


def _verify_v2(request: Request, params: Mapping[str, str]) -> Credentials:
    if params.get("SignatureVersion") != "2":
        raise EC2Error("InvalidParameterValue", "SignatureVersion must be 2 or 4")
    digest = V2_METHODS.get(params.get("SignatureMethod", ""))
    if digest is None:
        raise EC2Error(
            "InvalidParameterValue", "SignatureMethod must be HmacSHA256 or HmacSHA1"
        )
    access_key = params.get("AWSAccessKeyId")
    if not access_key:
        raise _incomplete("missing AWSAccessKeyId")
    _check_v2_time(params)
    credentials, secret = keys.lookup(access_key)
    query = "&".join(
        f"{_encode(k)}={_encode(v)}"
        for k, v in sorted(params.items())
        if k != "Signature"
    )
    to_sign = "\n".join(
        [
            request.method,
            request.host.lower(),
            request.script_root + request.path,
            query,
        ]
    )
    expected = base64.b64encode(
        hmac.new(secret.encode(), to_sign.encode(), digest).digest()
    ).decode()
    if not _same(expected, params.get("Signature", "")):
        raise _mismatch()
    return credentials


def _check_v2_time(params: Mapping[str, str]) -> None:
    timestamp, expires = params.get("Timestamp"), params.get("Expires")
    if bool(timestamp) == bool(expires):
        raise EC2Error(
            "InvalidParameterCombination", "Give exactly one of Timestamp and Expires"
        )
    raw = timestamp or expires or ""
    try:
        when = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise EC2Error("InvalidParameterValue", f"Invalid timestamp: {raw}") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = datetime.now(UTC)
    if expires and now > when:
        raise _expired("the request is past its Expires time")
    if expires and when - now > timedelta(seconds=MAX_EXPIRES):
        raise EC2Error(
            "InvalidParameterValue",
            f"Expires must be at most {MAX_EXPIRES} seconds (7 days) ahead",
        )
    if timestamp and abs(now - when) > MAX_SKEW:
        raise _expired("the Timestamp is more than 15 minutes away")
