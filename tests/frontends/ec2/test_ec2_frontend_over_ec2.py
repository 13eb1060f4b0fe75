"""The EC2 frontend over the ec2 driver: boto3 -> /ec2 -> ec2 driver -> moto.

The calls that work on the mock (tests/test_ec2_frontend*.py) must work when
the default driver is ec2, pointed at a real moto server.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.ec2_driver import aws_client
from tests.support.ec2_driver import default_group
from tests.support.ec2_driver import default_vpc
from tests.support.ec2_frontend import client
from tests.support.ec2_frontend import serve
from tests.support.ec2_frontend_storage import allow_tcp
from tests.support.ec2_frontend_storage import refuse_twin_then_delete
from tests.support.ec2_frontend_storage import refused
from tests.support.moto_server import MotoServer

ACCESS_KEY, SECRET = "AKIDOVEREC2", "frontend-secret"
IMAGE = "ami-fa7cdd89"


@pytest.fixture
def ec2_url(aws: MotoServer, mock_storage: Path, tmp_path: Path) -> Iterator[str]:
    """``/ec2`` of a live server whose default driver is ec2 on moto."""
    key_file = tmp_path / "keys.json"
    key_file.write_text(
        json.dumps(
            {ACCESS_KEY: {"user": "testing", "password": "testing", "secret": SECRET}}
        )
    )
    with serve(
        mock_storage,
        DRIVER="ec2",
        PROVIDER="us-east-1",
        EC2_ENDPOINT_URL=aws.endpoint,
        EC2_KEY_FILE=str(key_file),
    ) as url:
        yield url


@pytest.fixture
def ec2(ec2_url: str) -> Any:
    """boto3 pointed at deltaflask's /ec2, signed with the mapped key."""
    return client(ec2_url, key=ACCESS_KEY, secret=SECRET)


def state_of(ec2: Any, instance_id: str) -> str:
    """The state name DescribeInstances reports for one instance."""
    found = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"]
    return str(found[0]["Instances"][0]["State"]["Name"])


def test_regions_zones_and_images(ec2: Any) -> None:
    regions = {r["RegionName"] for r in ec2.describe_regions()["Regions"]}
    assert {"us-east-1", "eu-west-1"} <= regions
    zones = ec2.describe_availability_zones()["AvailabilityZones"]
    assert {"us-east-1a", "us-east-1b"} <= {z["ZoneName"] for z in zones}
    assert all(z["RegionName"] == "us-east-1" for z in zones)
    one = ec2.describe_images(ImageIds=[IMAGE])["Images"]
    assert [i["ImageId"] for i in one] == [IMAGE]
    assert one[0]["Architecture"] == "x86_64"
    page = ec2.describe_images(MaxResults=5)
    assert len(page["Images"]) == 5 and page["NextToken"]
    following = ec2.describe_images(MaxResults=5, NextToken=page["NextToken"])
    assert not {i["ImageId"] for i in page["Images"]} & {
        i["ImageId"] for i in following["Images"]
    }
    refused("InvalidAMIID.NotFound", ec2.describe_images, ImageIds=["ami-00000000"])


def test_describe_images_by_owner(ec2: Any) -> None:
    canonical = ec2.describe_images(Owners=["099720109477"])["Images"]
    assert canonical
    assert {i["OwnerId"] for i in canonical} == {"099720109477"}
    assert ec2.describe_images(Owners=["self"])["Images"] == []
    instance = ec2.run_instances(ImageId=IMAGE, MinCount=1, MaxCount=1)["Instances"][0]
    made = ec2.create_image(InstanceId=instance["InstanceId"], Name="mine")
    mine = ec2.describe_images(Owners=["self"])["Images"]
    assert [i["ImageId"] for i in mine] == [made["ImageId"]]
    ec2.deregister_image(ImageId=made["ImageId"])
    assert ec2.describe_images(Owners=["self"])["Images"] == []


def test_run_describe_stop_start_terminate(ec2: Any) -> None:
    ec2.create_key_pair(KeyName="web-key")
    reservation = ec2.run_instances(
        ImageId=IMAGE,
        MinCount=3,
        MaxCount=3,
        InstanceType="t2.micro",
        KeyName="web-key",
        Placement={"AvailabilityZone": "us-east-1b"},
        UserData="#!/bin/sh\necho hi\n",
        TagSpecifications=[
            {"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "web"}]}
        ],
    )
    launched = reservation["Instances"]
    assert len(launched) == 3
    ids = sorted(i["InstanceId"] for i in launched)
    first = launched[0]
    assert first["InstanceType"] == "t2.micro"
    assert first["KeyName"] == "web-key"
    assert first["Placement"]["AvailabilityZone"] == "us-east-1b"
    assert first["Tags"] == [{"Key": "Name", "Value": "web"}]
    assert first["PrivateIpAddress"]
    assert first["Architecture"] == "x86_64"
    assert first["RootDeviceType"] == "ebs"

    paginator = ec2.get_paginator("describe_instances")
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 5}))
    listed = [
        i["InstanceId"]
        for p in pages
        for r in p["Reservations"]
        for i in r["Instances"]
    ]
    assert sorted(listed) == ids
    named = ec2.describe_instances(Filters=[{"Name": "tag:Name", "Values": ["web"]}])[
        "Reservations"
    ]
    assert len(named) == 3

    target = ids[0]
    assert state_of(ec2, target) == "running"
    stopped = ec2.stop_instances(InstanceIds=[target])["StoppingInstances"]
    assert stopped[0]["PreviousState"]["Name"] == "running"
    assert state_of(ec2, target) == "stopped"
    ec2.start_instances(InstanceIds=[target])
    assert state_of(ec2, target) == "running"
    ec2.reboot_instances(InstanceIds=[target])
    assert state_of(ec2, target) == "running"
    ended = ec2.terminate_instances(InstanceIds=[target])["TerminatingInstances"]
    assert ended[0]["InstanceId"] == target
    assert state_of(ec2, target) == "terminated"
    refused("IncorrectInstanceState", ec2.start_instances, InstanceIds=[target])
    refused(
        "InvalidInstanceID.NotFound",
        ec2.describe_instances,
        InstanceIds=["i-0123456789abcdef0"],
    )


def test_run_instances_with_security_group_and_bad_input(ec2: Any) -> None:
    group = ec2.create_security_group(GroupName="web", Description="web servers")
    by_name = ec2.run_instances(
        ImageId=IMAGE, MinCount=1, MaxCount=1, SecurityGroups=["web"]
    )["Instances"][0]
    assert [g["GroupId"] for g in by_name["SecurityGroups"]] == [group["GroupId"]]
    by_id = ec2.run_instances(
        ImageId=IMAGE, MinCount=1, MaxCount=1, SecurityGroupIds=[group["GroupId"]]
    )["Instances"][0]
    assert [g["GroupName"] for g in by_id["SecurityGroups"]] == ["web"]
    refused(
        "InvalidAMIID.NotFound",
        ec2.run_instances,
        ImageId="ami-00000000",
        MinCount=1,
        MaxCount=1,
    )
    refused(
        "InvalidKeyPair.NotFound",
        ec2.run_instances,
        ImageId=IMAGE,
        MinCount=1,
        MaxCount=1,
        KeyName="nokey",
    )
    refused(
        "InvalidParameterValue",
        ec2.run_instances,
        ImageId=IMAGE,
        MinCount=1,
        MaxCount=1,
        InstanceType="z9.huge",
    )


def test_key_pairs(ec2: Any) -> None:
    made = ec2.create_key_pair(KeyName="k1")
    assert made["KeyMaterial"].startswith("-----BEGIN")
    listed = ec2.describe_key_pairs()["KeyPairs"]
    assert [k["KeyName"] for k in listed] == ["k1"]
    assert listed[0]["KeyFingerprint"] == made["KeyFingerprint"]
    assert ec2.describe_key_pairs(KeyNames=["k1"])["KeyPairs"][0]["KeyName"] == "k1"
    refused("InvalidKeyPair.Duplicate", ec2.create_key_pair, KeyName="k1")
    ec2.delete_key_pair(KeyName="k1")
    assert ec2.describe_key_pairs()["KeyPairs"] == []
    refused("InvalidKeyPair.NotFound", ec2.describe_key_pairs, KeyNames=["k1"])


def test_security_groups(ec2: Any) -> None:
    made = ec2.create_security_group(GroupName="web", Description="web servers")
    group_id = made["GroupId"]
    assert group_id.startswith("sg-")
    allow_tcp(ec2, group_id, 22, IpRanges=[{"CidrIp": "10.0.0.0/8"}])
    by_id = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"]
    assert by_id[0]["GroupName"] == "web"
    rule = by_id[0]["IpPermissions"][0]
    assert (rule["IpProtocol"], rule["FromPort"], rule["ToPort"]) == ("tcp", 22, 22)
    assert rule["IpRanges"] == [{"CidrIp": "10.0.0.0/8"}]
    admin = ec2.create_security_group(GroupName="admin", Description="bastions")
    allow_tcp(ec2, group_id, 443, UserIdGroupPairs=[{"GroupId": admin["GroupId"]}])
    rules = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
    from_group = [r for r in rules["IpPermissions"] if r["FromPort"] == 443]
    pairs = from_group[0]["UserIdGroupPairs"]
    assert [p["GroupId"] for p in pairs] == [admin["GroupId"]]
    by_name = ec2.describe_security_groups(GroupNames=["web"])["SecurityGroups"]
    assert [g["GroupId"] for g in by_name] == [group_id]
    refuse_twin_then_delete(ec2, "web", group_id)


def test_addresses(ec2: Any) -> None:
    instance = ec2.run_instances(ImageId=IMAGE, MinCount=1, MaxCount=1)["Instances"][0]
    allocated = ec2.allocate_address(Domain="vpc")
    allocation = allocated["AllocationId"]
    association = ec2.associate_address(
        AllocationId=allocation, InstanceId=instance["InstanceId"]
    )["AssociationId"]
    listed = ec2.describe_addresses()["Addresses"]
    assert [a["InstanceId"] for a in listed] == [instance["InstanceId"]]
    assert listed[0]["PublicIp"] == allocated["PublicIp"]
    ec2.disassociate_address(AssociationId=association)
    assert "InstanceId" not in ec2.describe_addresses()["Addresses"][0]
    ec2.release_address(AllocationId=allocation)
    assert ec2.describe_addresses()["Addresses"] == []
    refused(
        "InvalidAllocationID.NotFound", ec2.release_address, AllocationId=allocation
    )


def test_volumes_and_snapshots(ec2: Any) -> None:
    instance = ec2.run_instances(
        ImageId=IMAGE,
        MinCount=1,
        MaxCount=1,
        Placement={"AvailabilityZone": "us-east-1a"},
    )["Instances"][0]
    volume = ec2.create_volume(Size=2, AvailabilityZone="us-east-1a")
    volume_id = volume["VolumeId"]
    assert volume["Size"] == 2
    ec2.attach_volume(
        VolumeId=volume_id, InstanceId=instance["InstanceId"], Device="/dev/sdf"
    )
    attached = ec2.describe_volumes(VolumeIds=[volume_id])["Volumes"][0]
    assert attached["State"] == "in-use"
    assert attached["Attachments"][0]["InstanceId"] == instance["InstanceId"]
    refused("VolumeInUse", ec2.delete_volume, VolumeId=volume_id)
    ec2.detach_volume(VolumeId=volume_id)
    assert ec2.describe_volumes(VolumeIds=[volume_id])["Volumes"][0]["State"] == (
        "available"
    )
    snapshot = ec2.create_snapshot(VolumeId=volume_id, Description="backup")
    snapshot_id = snapshot["SnapshotId"]
    listed = ec2.describe_snapshots(SnapshotIds=[snapshot_id])["Snapshots"]
    assert listed[0]["VolumeId"] == volume_id
    restored = ec2.create_volume(SnapshotId=snapshot_id, AvailabilityZone="us-east-1b")
    assert restored["SnapshotId"] == snapshot_id
    ec2.delete_snapshot(SnapshotId=snapshot_id)
    refused(
        "InvalidSnapshot.NotFound", ec2.describe_snapshots, SnapshotIds=[snapshot_id]
    )
    ec2.delete_volume(VolumeId=volume_id)
    refused("InvalidVolume.NotFound", ec2.describe_volumes, VolumeIds=[volume_id])


def test_run_instances_into_a_subnet(ec2: Any) -> None:
    vpc = ec2.create_vpc(CidrBlock="10.77.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.77.1.0/24")["Subnet"]
    launched = ec2.run_instances(
        ImageId=IMAGE, MinCount=1, MaxCount=1, SubnetId=subnet["SubnetId"]
    )["Instances"][0]
    assert launched["PrivateIpAddress"].startswith("10.77.1.")
    listed = ec2.describe_instances(InstanceIds=[launched["InstanceId"]])
    placed = listed["Reservations"][0]["Instances"][0]
    assert placed["PrivateIpAddress"] == launched["PrivateIpAddress"]
    zone = placed["Placement"]["AvailabilityZone"]
    in_zone = ec2.describe_instances(
        Filters=[{"Name": "availability-zone", "Values": [zone]}]
    )["Reservations"]
    assert launched["InstanceId"] in {
        i["InstanceId"] for r in in_zone for i in r["Instances"]
    }


def test_subnet_zones_and_default_group_names(ec2: Any, aws: MotoServer) -> None:
    vpc = ec2.create_vpc(CidrBlock="10.78.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(
        VpcId=vpc, CidrBlock="10.78.1.0/24", AvailabilityZone="us-east-1c"
    )["Subnet"]
    assert subnet["AvailabilityZone"] == "us-east-1c"
    direct = aws_client(aws)
    described = direct.describe_subnets(SubnetIds=[subnet["SubnetId"]])["Subnets"]
    assert described[0]["AvailabilityZone"] == "us-east-1c"
    in_zone = ec2.describe_subnets(
        Filters=[{"Name": "availability-zone", "Values": ["us-east-1c"]}]
    )["Subnets"]
    assert subnet["SubnetId"] in {s["SubnetId"] for s in in_zone}
    refused(
        "InvalidParameterValue",
        ec2.create_subnet,
        VpcId=vpc,
        CidrBlock="10.78.2.0/24",
        AvailabilityZone="x-1z",
    )
    # every VPC has a group named default; the name means the default VPC's
    every = ec2.describe_security_groups(
        Filters=[{"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"]
    assert len(every) == 2
    named = ec2.describe_security_groups(GroupNames=["default"])["SecurityGroups"]
    home = default_group(direct, default_vpc(direct))
    assert [g["GroupId"] for g in named] == [home]
    refused(
        "InvalidGroup.NotFound", ec2.describe_security_groups, GroupNames=["nosuch"]
    )
