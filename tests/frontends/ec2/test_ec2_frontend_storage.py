"""The EC2 frontend's storage and network actions through boto3, over the mock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from deltaflask import DriverSpec
from deltaflask import hookimpl
from deltaflask.drivers import BaseDriver
from tests.support.ec2_frontend import client
from tests.support.ec2_frontend import serve
from tests.support.ec2_frontend_storage import allow_tcp
from tests.support.ec2_frontend_storage import refuse_twin_then_delete
from tests.support.ec2_frontend_storage import refused


@pytest.fixture
def ec2(mock_storage: Path) -> Iterator[Any]:
    """A boto3 client of a live server on a fresh mock cloud."""
    with serve(mock_storage) as url:
        yield client(url)


def test_volume_life_cycle(ec2: Any) -> None:
    seeded = ec2.describe_volumes()["Volumes"]
    assert seeded and all("VolumeId" in v for v in seeded)
    volume = ec2.create_volume(AvailabilityZone="us", Size=2)
    vid = volume["VolumeId"]
    assert volume["Size"] == 2
    ec2.get_waiter("volume_available").wait(VolumeIds=[vid])
    attached = ec2.attach_volume(VolumeId=vid, InstanceId="inst0", Device="/dev/sdc")
    assert attached["InstanceId"] == "inst0"
    in_use = ec2.describe_volumes(VolumeIds=[vid])["Volumes"][0]
    assert in_use["State"] == "in-use"
    assert in_use["Attachments"][0]["Device"] == "/dev/sdc"
    refused("VolumeInUse", ec2.delete_volume, VolumeId=vid)
    ec2.detach_volume(VolumeId=vid)
    ec2.get_waiter("volume_available").wait(VolumeIds=[vid])
    ec2.delete_volume(VolumeId=vid)
    refused("InvalidVolume.NotFound", ec2.describe_volumes, VolumeIds=[vid])


def test_snapshots(ec2: Any) -> None:
    volume_id = ec2.describe_volumes()["Volumes"][0]["VolumeId"]
    snapshot = ec2.create_snapshot(VolumeId=volume_id, Description="nightly")
    sid = snapshot["SnapshotId"]
    listed = ec2.describe_snapshots(SnapshotIds=[sid])["Snapshots"]
    assert listed[0]["VolumeId"] == volume_id
    ec2.delete_snapshot(SnapshotId=sid)
    refused("InvalidSnapshot.NotFound", ec2.delete_snapshot, SnapshotId=sid)
    refused("InvalidVolume.NotFound", ec2.create_snapshot, VolumeId="nosuch")


def test_addresses(ec2: Any) -> None:
    allocated = ec2.allocate_address(Domain="vpc")
    ip = allocated["PublicIp"]
    association = ec2.associate_address(AllocationId=ip, InstanceId="inst0")
    listed = ec2.describe_addresses(PublicIps=[ip])["Addresses"][0]
    assert listed["InstanceId"] == "inst0"
    refused("InvalidIPAddress.InUse", ec2.release_address, AllocationId=ip)
    ec2.disassociate_address(AssociationId=association["AssociationId"])
    ec2.release_address(AllocationId=ip)
    refused("InvalidAllocationID.NotFound", ec2.release_address, AllocationId=ip)


def test_security_groups(ec2: Any) -> None:
    default = ec2.describe_security_groups(GroupNames=["default"])["SecurityGroups"][0]
    assert default["IpPermissions"][0]["FromPort"] == 22
    group_id = ec2.create_security_group(GroupName="web", Description="web")["GroupId"]
    allow_tcp(ec2, group_id, 80, IpRanges=[{"CidrIp": "10.0.0.0/8"}])
    web = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
    assert web["IpPermissions"][0]["IpRanges"] == [{"CidrIp": "10.0.0.0/8"}]
    refuse_twin_then_delete(ec2, "web", group_id)


def test_vpcs_and_subnets(ec2: Any) -> None:
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]
    vpc_id = vpc["VpcId"]
    assert vpc["CidrBlock"] == "10.9.0.0/16"
    subnet = ec2.create_subnet(
        VpcId=vpc_id, CidrBlock="10.9.1.0/24", AvailabilityZone="eu"
    )["Subnet"]
    assert (subnet["VpcId"], subnet["AvailabilityZone"]) == (vpc_id, "eu")
    found = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])
    assert [s["SubnetId"] for s in found["Subnets"]] == [subnet["SubnetId"]]
    in_zone = ec2.describe_subnets(
        Filters=[{"Name": "availability-zone", "Values": ["eu"]}]
    )["Subnets"]
    assert [s["SubnetId"] for s in in_zone] == [subnet["SubnetId"]]
    unknown = {"CidrBlock": "10.9.2.0/24", "AvailabilityZone": "mars"}
    message = refused(
        "InvalidParameterValue", ec2.create_subnet, VpcId=vpc_id, **unknown
    )
    assert "Realm 'mars' does not exist" in message
    assert "10.9.2.0/24" not in {
        s["CidrBlock"] for s in ec2.describe_subnets()["Subnets"]
    }
    refused("DependencyViolation", ec2.delete_vpc, VpcId=vpc_id)
    ec2.delete_subnet(SubnetId=subnet["SubnetId"])
    ec2.delete_vpc(VpcId=vpc_id)
    refused("InvalidVpcID.NotFound", ec2.describe_vpcs, VpcIds=[vpc_id])


class ComputeOnly(BaseDriver):
    """A driver without storage: every volume action is unsupported."""

    name = "computeonly"

    def instances(self, filters: Any) -> list[Any]:
        """No instances."""
        return []


class ComputeOnlyPlugin:
    """Registers :class:`ComputeOnly`."""

    @hookimpl
    def register_drivers(self) -> list[DriverSpec]:
        """Offer the compute-only driver."""
        return [DriverSpec("computeonly", "Compute only", f"{__name__}:ComputeOnly")]


def test_missing_capability_is_unsupported_operation(
    mock_storage: Path, tmp_path: Path
) -> None:
    key_file = tmp_path / "keys.json"
    key_file.write_text('{"AKID": {"user": "u", "password": "p"}}')
    with serve(
        mock_storage,
        DRIVER="computeonly",
        EXTRA_PLUGINS=[ComputeOnlyPlugin()],
        EC2_KEY_FILE=str(key_file),
    ) as url:
        ec2 = client(url, key="AKID", secret="p")
        assert ec2.describe_instances()["Reservations"] == []
        message = refused("UnsupportedOperation", ec2.describe_volumes)
        assert "storage_volumes" in message
