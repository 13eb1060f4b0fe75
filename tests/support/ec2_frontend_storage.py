"""Shared test helpers taken from test_ec2_frontend_storage.py."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError


def code_of(error: pytest.ExceptionInfo[ClientError]) -> str:
    """The EC2 error code boto3 parsed."""
    return str(error.value.response["Error"]["Code"])


def allow_tcp(ec2: Any, group_id: str, port: int, **sources: Any) -> None:
    """AuthorizeSecurityGroupIngress of one tcp port from ``sources``."""
    ec2.authorize_security_group_ingress(
        GroupId=group_id,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, **sources}
        ],
    )


def refused(code: str, call: Any, **params: Any) -> str:
    """``call(**params)`` fails with the EC2 error ``code``; its message."""
    with pytest.raises(ClientError) as error:
        call(**params)
    assert code_of(error) == code
    return str(error.value.response["Error"]["Message"])


def refuse_twin_then_delete(ec2: Any, name: str, group_id: str) -> None:
    """A second group ``name`` is a duplicate; once deleted the id is unknown."""
    refused(
        "InvalidGroup.Duplicate",
        ec2.create_security_group,
        GroupName=name,
        Description="again",
    )
    ec2.delete_security_group(GroupId=group_id)
    refused("InvalidGroup.NotFound", ec2.describe_security_groups, GroupIds=[group_id])
