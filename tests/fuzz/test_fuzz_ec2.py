"""Fuzz of the EC2 Query API (``/ec2``), one test per group of actions.

Signed requests are signed by botocore's own SigV4 signer as ``mockuser`` /
``mockpassword``, so they get past authentication and reach the actions with
generated parameters; unsigned, garbled and wrongly signed requests have a
test of their own.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz import strategies as fz
from tests.fuzz.support import FUZZ
from tests.fuzz.support import Fuzzed
from tests.fuzz.support import run_per_family

KEY, SECRET, REGION = "mockuser", "mockpassword", "us-east-1"
URL = "http://localhost/ec2/"
FORM = "application/x-www-form-urlencoded; charset=utf-8"
#: the frontend's actions, grouped as the tests are
GROUPS = {
    "instances": (
        "DescribeInstances", "RunInstances", "DescribeInstanceStatus",
        "StartInstances", "StopInstances", "RebootInstances", "TerminateInstances",
    ),
    "volumes": (
        "DescribeVolumes", "CreateVolume", "AttachVolume", "DetachVolume",
        "DeleteVolume", "DescribeSnapshots", "CreateSnapshot", "DeleteSnapshot",
    ),
    "keys_images": (
        "DescribeKeyPairs", "CreateKeyPair", "ImportKeyPair", "DeleteKeyPair",
        "DescribeImages", "CreateImage", "DeregisterImage",
    ),
    "network": (
        "DescribeVpcs", "CreateVpc", "DeleteVpc", "DescribeSubnets", "CreateSubnet",
        "DescribeSecurityGroups", "CreateSecurityGroup", "DeleteSecurityGroup",
        "AuthorizeSecurityGroupIngress", "RevokeSecurityGroupIngress",
        "DescribeAddresses", "AllocateAddress", "AssociateAddress",
        "DisassociateAddress", "ReleaseAddress",
    ),
    "catalog": (
        "DescribeRegions", "DescribeAvailabilityZones", "DescribeInstanceTypes",
        "DescribeTags", "CreateTags", "DeleteTags", "DescribeAccountAttributes",
    ),
}  # fmt: skip
#: parameter names the actions read (indexed ones get .1 / .2 suffixes)
PARAMETERS = (
    "InstanceId", "ImageId", "MinCount", "MaxCount", "InstanceType", "KeyName",
    "UserData", "Placement.AvailabilityZone", "SubnetId", "SecurityGroup",
    "SecurityGroupId", "VolumeId", "Size", "SnapshotId", "AvailabilityZone",
    "Device", "Description", "Name", "PublicKeyMaterial", "KeyPairId", "Owner",
    "GroupName", "GroupId", "GroupDescription", "IpProtocol", "IpPermissions",
    "VpcId", "CidrBlock", "PublicIp", "AllocationId", "AssociationId", "Domain",
    "RegionName", "ZoneName", "ZoneId", "Filter", "MaxResults", "NextToken",
    "DryRun", "IncludeAllInstances", "TagSpecification", "ResourceId", "Tag",
    "Version", "Force",
)  # fmt: skip
SUFFIXES = (
    "", ".1", ".2", ".1.Name", ".1.Value.1", ".1.Key", ".1.Value", ".0", ".99999",
    ".1.ResourceType", ".1.Tag.1.Key", ".1.Tag.1.Value", ".1.IpProtocol",
    ".1.FromPort", ".1.ToPort", ".1.IpRanges.1.CidrIp", ".-1", ".1" * 20,
)  # fmt: skip
FILTER_NAMES = (
    "instance-id", "instance-state-name", "image-id", "owner-id", "volume-id",
    "status", "tag:Name", "availability-zone", "vpc-id", "group-name", "nosuch",
)  # fmt: skip


#: a plausible call of each action, which the fuzz then bends
PLAUSIBLE = {
    "RunInstances": {"ImageId": "img1", "MinCount": "1", "MaxCount": "1",
                     "InstanceType": "m1-small", "KeyName": "test-key"},
    "DescribeInstances": {"InstanceId.1": "inst1", "Filter.1.Name": "instance-id",
                          "Filter.1.Value.1": "inst1"},
    "DescribeInstanceStatus": {"InstanceId.1": "inst1", "IncludeAllInstances": "true"},
    "StartInstances": {"InstanceId.1": "inst1"},
    "StopInstances": {"InstanceId.1": "inst2"},
    "RebootInstances": {"InstanceId.1": "inst0"},
    "TerminateInstances": {"InstanceId.1": "inst2"},
    "DescribeVolumes": {"VolumeId.1": "vol1"},
    "CreateVolume": {"Size": "1", "AvailabilityZone": "us"},
    "AttachVolume": {"VolumeId": "vol1", "InstanceId": "inst1", "Device": "/dev/sdf"},
    "DetachVolume": {"VolumeId": "vol3"},
    "DeleteVolume": {"VolumeId": "vol2"},
    "DescribeSnapshots": {"SnapshotId.1": "snap1"},
    "CreateSnapshot": {"VolumeId": "vol1", "Description": "x"},
    "DeleteSnapshot": {"SnapshotId": "snap3"},
    "DescribeKeyPairs": {"KeyName.1": "test-key"},
    "CreateKeyPair": {"KeyName": "fuzzkey"},
    "ImportKeyPair": {"KeyName": "fuzzimport", "PublicKeyMaterial": "c3NoLXJzYSBBQUFB"},
    "DeleteKeyPair": {"KeyName": "test-key"},
    "DescribeImages": {"ImageId.1": "img1", "Owner.1": "self"},
    "CreateImage": {"InstanceId": "inst0", "Name": "fuzzimage"},
    "DeregisterImage": {"ImageId": "img3"},
    "DescribeVpcs": {"VpcId.1": "net1"},
    "CreateVpc": {"CidrBlock": "10.9.0.0/16"},
    "DeleteVpc": {"VpcId": "net2"},
    "DescribeSubnets": {"SubnetId.1": "subnet1"},
    "CreateSubnet": {"VpcId": "net1", "CidrBlock": "192.168.9.0/24"},
    "DescribeSecurityGroups": {"GroupName.1": "default"},
    "CreateSecurityGroup": {"GroupName": "fuzzgroup", "GroupDescription": "x"},
    "DescribeAddresses": {"PublicIp.1": "192.168.0.1"},
    "AllocateAddress": {},
    "DisassociateAddress": {"PublicIp": "192.168.0.1"},
    "ReleaseAddress": {"PublicIp": "192.168.0.2"},
    "DescribeRegions": {"RegionName.1": "us"},
    "DescribeAvailabilityZones": {"ZoneName.1": "us"},
    "DescribeInstanceTypes": {"InstanceType.1": "m1-small"},
    "DescribeTags": {"Filter.1.Name": "resource-id", "Filter.1.Value.1": "inst1"},
    "CreateTags": {"ResourceId.1": "inst1", "Tag.1.Key": "Name", "Tag.1.Value": "x"},
}  # fmt: skip


def ec2_value() -> st.SearchStrategy[str]:
    """A parameter value: real ids, EC2-looking ids, filter names, anything."""
    return st.one_of(
        fz.value,
        st.sampled_from(FILTER_NAMES),
        st.sampled_from(("i-inst1", "ami-img1", "vol-vol1", "true", "false")),
        st.sampled_from(("1", "2", "20", "21", "0", "-1", "9" * 5000)),
    )


@st.composite
def parameters(draw: st.DrawFn, actions: tuple[str, ...]) -> list[tuple[str, str]]:
    """An ``Action`` (mostly of the group) and generated parameters."""
    action = draw(fz.mostly(st.sampled_from(actions), fz.text, odds=5))
    pairs = [("Action", action)]
    if draw(st.integers(0, 3)):
        pairs.append(("Version", "2016-11-15"))
    for name, value in PLAUSIBLE.get(action, {}).items():
        bend = draw(st.integers(0, 3))
        if bend:  # keep it most of the time, else drop it or draw another value
            pairs.append((name, value if bend > 1 else draw(ec2_value())))
    for _ in range(draw(st.integers(0, 4))):
        name = draw(
            st.one_of(
                st.builds(
                    str.__add__,
                    st.sampled_from(PARAMETERS),
                    st.sampled_from(SUFFIXES),
                ),
                fz.text,
            )
        )
        pairs.append((name, draw(ec2_value())))
    return pairs


def signed(body: bytes, secret: str = SECRET, region: str = REGION) -> dict[str, str]:
    """The headers botocore's SigV4 signer adds to a form POST of ``body``."""
    request = AWSRequest(
        method="POST", url=URL, data=body, headers={"Content-Type": FORM}
    )
    SigV4Auth(Credentials(KEY, secret), "ec2", region).add_auth(request)
    return {
        name: value
        for name, value in request.headers.items()
        if name.lower() in ("authorization", "x-amz-date", "content-type")
    }


def post(body: bytes, headers: dict[str, str]) -> dict[str, object]:
    """Test-client keywords for a POST of ``body`` to ``/ec2/``."""
    return {
        "method": "POST",
        "path": urlsplit(URL).path,
        "data": body,
        "headers": headers,
    }


@st.composite
def signed_request(draw: st.DrawFn, actions: tuple[str, ...]) -> dict[str, object]:
    """A correctly signed POST of generated parameters."""
    body = fz.query_string(draw(parameters(actions))).encode("ascii")
    return post(body, signed(body))


@st.composite
def garbled_request(draw: st.DrawFn) -> dict[str, object]:
    """Unsigned, wrongly signed, garbled signatures, GETs and odd bodies."""
    actions = tuple(a for group in GROUPS.values() for a in group)
    body = fz.query_string(draw(parameters(actions))).encode("ascii")
    how = draw(st.integers(0, 6))
    if how == 0:
        return post(body, {"Content-Type": FORM})
    if how == 1:
        return post(body, signed(body, secret="wrong"))
    if how == 2:
        headers = signed(body)
        headers["Authorization"] = fz.header_value(draw(fz.text))
        return post(body, headers)
    if how == 3:
        headers = signed(body)
        auth = headers["Authorization"]
        cut = draw(st.integers(0, len(auth)))
        headers["Authorization"] = auth[:cut] + fz.header_value(draw(fz.text))
        return post(body, headers)
    if how == 4:
        headers = signed(body)
        headers["X-Amz-Date"] = fz.header_value(draw(fz.value))
        return post(body, headers)
    if how == 5:
        headers = signed(b"other body")
        return post(body + fz.wire(draw(fz.text)).encode(), headers)
    request = post(body, draw(fz.headers()))
    request["method"] = draw(st.sampled_from(("GET", "POST", "PUT", "DELETE")))
    request["query_string"] = body.decode("ascii")
    if request["method"] == "GET":
        del request["data"]
    return request


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_ec2_signed(group: str, tmp_path: Path) -> None:
    """Signed requests with generated parameters: no 5xx, leak, broken XML or,
    refused, change to the stores."""
    fuzzed = Fuzzed(tmp_path)
    family = f"ec2:{group}"

    @FUZZ
    @given(request=signed_request(GROUPS[group]))
    def one(request: dict[str, object]) -> None:
        fuzzed.send(family, f"{family} signed", **request)

    run_per_family(one, family)
    fuzzed.finish()


def test_ec2_unsigned_and_garbled(tmp_path: Path) -> None:
    """Requests that must be refused before any action runs."""
    fuzzed = Fuzzed(tmp_path)
    family = "ec2:garbled"

    @FUZZ
    @given(request=garbled_request())
    def one(request: dict[str, object]) -> None:
        fuzzed.send(family, f"{family} {request['method']}", **request)

    run_per_family(one, family)
    fuzzed.finish()
