"""botocore errors translated into deltaflask's typed errors at the SDK boundary.

Unknown ids are 404, rejected credentials 401, throttling 503 with a retry
hint, bad parameters 400, and anything else AWS says is a 502 carrying AWS's
code and message. Connection failures are 502 (504 on a timeout).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from deltaflask.errors import AuthenticationFailure
from deltaflask.errors import Conflict
from deltaflask.errors import DeltaflaskError
from deltaflask.errors import Forbidden
from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ProviderError
from deltaflask.errors import ProviderTimeout
from deltaflask.errors import ProviderUnavailable
from deltaflask.errors import ValidationFailure

AUTH_CODES = frozenset(
    {
        "AuthFailure",
        "InvalidClientTokenId",
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "UnrecognizedClientException",
        "ExpiredToken",
        "InvalidToken",
    }
)
FORBIDDEN_CODES = frozenset(
    {"UnauthorizedOperation", "AccessDenied", "OptInRequired", "Blocked", "403"}
)
THROTTLE_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "RequestLimitExceeded",
        "SlowDown",
        "ServiceUnavailable",
        "Unavailable",
        "InsufficientInstanceCapacity",
    }
)
NOT_FOUND_CODES = frozenset(
    {
        "NoSuchBucket",
        "NoSuchKey",
        "NoSuchUpload",
        "NotFound",
        "404",
        "LoadBalancerNotFound",
        "InvalidAMIID.Unavailable",
    }
)
CONFLICT_CODES = frozenset(
    {
        "IncorrectState",
        "IncorrectInstanceState",
        "VolumeInUse",
        "InvalidGroup.InUse",
        "DependencyViolation",
        "BucketNotEmpty",
        "BucketAlreadyExists",
        "BucketAlreadyOwnedByYou",
        "InvalidKeyPair.Duplicate",
        "InvalidGroup.Duplicate",
        "InvalidPermission.Duplicate",
        "ResourceInUse",
        "DuplicateLoadBalancerName",
        "OperationAborted",
    }
)
BAD_INPUT_CODES = frozenset(
    {
        "InvalidParameter",
        "InvalidParameterValue",
        "InvalidParameterCombination",
        "MissingParameter",
        "ValidationError",
        "InvalidBucketName",
        "EntityTooSmall",
        "InvalidPart",
        "InvalidPartOrder",
        "MalformedXML",
        "InvalidArgument",
        "InvalidRequest",
        "InvalidKeyPair.Format",
        "InvalidAMIID.Malformed",
        "InvalidInstanceID.Malformed",
        "InvalidVolumeID.Malformed",
        "InvalidSnapshotID.Malformed",
        "InvalidCidr",
        "InvalidSubnet.Range",
        "InvalidSubnet.Conflict",
        "InvalidVpc.Range",
        "MetadataTooLarge",
        "EntityTooLarge",
        "KeyTooLongError",
        "BadDigest",
        "IncompleteBody",
        "IllegalLocationConstraintException",
        "TooManyBuckets",
    }
)


def translate(code: str, message: str, status: int | None = None) -> DeltaflaskError:
    """The typed error for an AWS error ``code`` (HTTP ``status`` if known)."""
    text = f"{code}: {message}" if message else code
    if code in AUTH_CODES:
        return AuthenticationFailure(text)
    if code in FORBIDDEN_CODES:
        return Forbidden(text)
    if code in THROTTLE_CODES or status == 503:
        return ProviderUnavailable(text, retry_after=2)
    if code in NOT_FOUND_CODES or code.endswith(".NotFound") or status == 404:
        return ObjectNotFound(text)
    if code in CONFLICT_CODES or code.endswith(".InUse"):
        return Conflict(text)
    if (
        code in BAD_INPUT_CODES
        or code.endswith(".Malformed")
        or code.startswith("Invalid")
    ):
        return ValidationFailure(text)
    return ProviderError(text)


@contextmanager
def aws_errors() -> Iterator[None]:
    """Run boto3 calls, turning botocore's errors into typed errors."""
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError
    from botocore.exceptions import ConnectTimeoutError
    from botocore.exceptions import EndpointConnectionError
    from botocore.exceptions import InvalidRegionError
    from botocore.exceptions import NoCredentialsError
    from botocore.exceptions import ParamValidationError
    from botocore.exceptions import ReadTimeoutError
    from botocore.parsers import ResponseParserError

    try:
        yield
    except ClientError as exc:
        error = exc.response.get("Error", {})
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        raise translate(
            str(error.get("Code") or "Unknown"), str(error.get("Message") or ""), status
        ) from None
    except ParamValidationError as exc:
        raise ValidationFailure(str(exc)) from None
    except NoCredentialsError:
        raise AuthenticationFailure() from None
    except InvalidRegionError:
        raise ValidationFailure(
            "The provider must be an AWS region name such as eu-west-1"
        ) from None
    except (ConnectTimeoutError, ReadTimeoutError) as exc:
        raise ProviderTimeout(f"EC2 did not answer: {exc}") from None
    except EndpointConnectionError as exc:
        raise ProviderError(f"Cannot reach EC2: {exc}") from None
    except (BotoCoreError, ResponseParserError) as exc:  # e.g. an emulator's 500
        raise ProviderError(f"EC2 failed: {type(exc).__name__}") from None
