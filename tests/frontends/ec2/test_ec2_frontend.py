"""The EC2 frontend driven by unmodified boto3 over HTTP: compute actions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.support.ec2_frontend import client
from tests.support.ec2_frontend import serve


@pytest.fixture
def ec2_url(mock_storage: Path) -> Iterator[str]:
    """The ``/ec2`` URL of a live server on a fresh mock cloud."""
    with serve(mock_storage) as url:
        yield url


@pytest.fixture
def ec2(ec2_url: str) -> Any:
    """A boto3 client signed as the mock user."""
    return client(ec2_url)


def code_of(error: pytest.ExceptionInfo[ClientError]) -> str:
    """The EC2 error code boto3 parsed."""
    return str(error.value.response["Error"]["Code"])


def states(ec2: Any, *ids: str) -> dict[str, str]:
    """Instance id -> state name."""
    found = ec2.describe_instances(InstanceIds=list(ids))["Reservations"]
    return {i["InstanceId"]: i["State"]["Name"] for r in found for i in r["Instances"]}


def test_catalog_actions(ec2: Any) -> None:
    regions = ec2.describe_regions()["Regions"]
    assert [r["RegionName"] for r in regions] == ["us-east-1"]
    zones = ec2.describe_availability_zones()["AvailabilityZones"]
    assert {z["ZoneName"] for z in zones} == {"us", "eu"}
    assert all(z["State"] == "available" for z in zones)
    types = ec2.describe_instance_types(InstanceTypes=["m1-small"])["InstanceTypes"]
    assert types[0]["VCpuInfo"]["DefaultVCpus"] == 1
    assert types[0]["ProcessorInfo"]["SupportedArchitectures"] == ["i386"]


def test_describe_images_and_filters(ec2: Any) -> None:
    images = ec2.describe_images()["Images"]
    assert {i["ImageId"] for i in images} == {"img1", "img2", "img3"}
    one = ec2.describe_images(ImageIds=["img1"])["Images"]
    assert [i["ImageId"] for i in one] == ["img1"]
    with pytest.raises(ClientError) as error:
        ec2.describe_images(ImageIds=["nosuch"])
    assert code_of(error) == "InvalidAMIID.NotFound"
    with pytest.raises(ClientError) as error:
        ec2.describe_images(Filters=[{"Name": "bogus", "Values": ["x"]}])
    assert code_of(error) == "InvalidParameterValue"


def test_run_stop_start_terminate_with_waiters(ec2: Any) -> None:
    reservation = ec2.run_instances(
        ImageId="img1",
        MinCount=1,
        MaxCount=1,
        InstanceType="m1-large",
        Placement={"AvailabilityZone": "eu"},
        UserData="hello",
        TagSpecifications=[
            {"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "web"}]}
        ],
    )
    instance = reservation["Instances"][0]
    iid = instance["InstanceId"]
    assert instance["InstanceType"] == "m1-large"
    assert instance["Placement"]["AvailabilityZone"] == "eu"
    assert instance["Tags"] == [{"Key": "Name", "Value": "web"}]
    ec2.get_waiter("instance_running").wait(InstanceIds=[iid])
    stopped = ec2.stop_instances(InstanceIds=[iid])["StoppingInstances"][0]
    assert stopped["PreviousState"] == {"Code": 16, "Name": "running"}
    ec2.get_waiter("instance_stopped").wait(InstanceIds=[iid])
    ec2.start_instances(InstanceIds=[iid])
    ec2.get_waiter("instance_running").wait(InstanceIds=[iid])
    ec2.reboot_instances(InstanceIds=[iid])
    gone = ec2.terminate_instances(InstanceIds=[iid])["TerminatingInstances"][0]
    assert gone["CurrentState"]["Name"] == "terminated"
    with pytest.raises(ClientError) as error:
        ec2.describe_instances(InstanceIds=[iid])
    assert code_of(error) == "InvalidInstanceID.NotFound"


def test_run_several_and_bad_parameters(ec2: Any) -> None:
    created = ec2.run_instances(ImageId="img2", MinCount=2, MaxCount=3)["Instances"]
    assert len(created) == 3
    cases = [
        ({"ImageId": "nosuch"}, "InvalidAMIID.NotFound"),
        ({"ImageId": "img1", "InstanceType": "huge"}, "InvalidParameterValue"),
        ({"ImageId": "img1", "KeyName": "nokey"}, "InvalidKeyPair.NotFound"),
        (
            {"ImageId": "img1", "Placement": {"AvailabilityZone": "mars"}},
            "InvalidParameterValue",
        ),
        ({"ImageId": "img1", "MinCount": 3, "MaxCount": 2}, "InvalidParameterValue"),
    ]
    before = len(ec2.describe_instances()["Reservations"])
    for extra, expected in cases:
        args = {"MinCount": 1, "MaxCount": 1, **extra}
        with pytest.raises(ClientError) as error:
            ec2.run_instances(**args)
        assert code_of(error) == expected, extra
    assert len(ec2.describe_instances()["Reservations"]) == before


def test_paginator_over_describe_instances(ec2: Any) -> None:
    ec2.run_instances(ImageId="img1", MinCount=3, MaxCount=3)
    paginator = ec2.get_paginator("describe_instances")
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 5}))
    sizes = [len(page["Reservations"]) for page in pages]
    assert sizes == [5, 2]
    ids = [r["Instances"][0]["InstanceId"] for p in pages for r in p["Reservations"]]
    assert len(set(ids)) == 7
    with pytest.raises(ClientError) as error:
        ec2.describe_instances(InstanceIds=["inst0"], MaxResults=5)
    assert code_of(error) == "InvalidParameterCombination"
    with pytest.raises(ClientError) as error:
        ec2.describe_instances(MaxResults=2)
    assert code_of(error) == "InvalidParameterValue"


def test_describe_instances_filters(ec2: Any) -> None:
    ec2.stop_instances(InstanceIds=["inst1"])
    found = ec2.describe_instances(
        Filters=[{"Name": "instance-state-name", "Values": ["stopped"]}]
    )["Reservations"]
    assert [r["Instances"][0]["InstanceId"] for r in found] == ["inst1"]
    eu = ec2.describe_instances(
        Filters=[{"Name": "availability-zone", "Values": ["e*"]}]
    )["Reservations"]
    assert {r["Instances"][0]["Placement"]["AvailabilityZone"] for r in eu} == {"eu"}


def test_instance_status(ec2: Any) -> None:
    ec2.stop_instances(InstanceIds=["inst1"])
    running = ec2.describe_instance_status()["InstanceStatuses"]
    assert "inst1" not in {s["InstanceId"] for s in running}
    assert all(s["InstanceStatus"]["Status"] == "ok" for s in running)
    every = ec2.describe_instance_status(IncludeAllInstances=True)["InstanceStatuses"]
    assert "inst1" in {s["InstanceId"] for s in every}
    ec2.get_waiter("instance_status_ok").wait(InstanceIds=["inst0"])


def test_state_errors_change_nothing(ec2: Any) -> None:
    with pytest.raises(ClientError) as error:
        ec2.stop_instances(InstanceIds=["inst0", "nosuch"])
    assert code_of(error) == "InvalidInstanceID.NotFound"
    assert states(ec2, "inst0") == {"inst0": "running"}
    with pytest.raises(ClientError) as error:
        ec2.stop_instances(InstanceIds=["../etc"])
    assert code_of(error) == "InvalidInstanceID.Malformed"
    ec2.stop_instances(InstanceIds=["inst1"])
    with pytest.raises(ClientError) as error:
        ec2.reboot_instances(InstanceIds=["inst0", "inst1"])
    assert code_of(error) == "IncorrectInstanceState"
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    again = ec2.stop_instances(InstanceIds=["inst1"])["StoppingInstances"][0]
    assert again["CurrentState"]["Name"] == "stopped"


def test_images_from_instances(ec2: Any) -> None:
    image_id = ec2.create_image(InstanceId="inst0", Name="golden")["ImageId"]
    assert ec2.describe_images(ImageIds=[image_id])["Images"][0]["Name"] == "golden"
    mine = ec2.describe_images(Owners=["self"])["Images"]
    assert image_id in {i["ImageId"] for i in mine}
    ec2.deregister_image(ImageId=image_id)
    with pytest.raises(ClientError) as error:
        ec2.deregister_image(ImageId=image_id)
    assert code_of(error) == "InvalidAMIID.NotFound"
    with pytest.raises(ClientError) as error:
        ec2.create_image(InstanceId="nosuch", Name="xyz")
    assert code_of(error) == "InvalidInstanceID.NotFound"


def test_deregister_another_owners_image_is_refused(ec2: Any) -> None:
    """19.S7: img1 belongs to fedoraproject; the mock user may not remove it."""
    with pytest.raises(ClientError) as error:
        ec2.deregister_image(ImageId="img1")
    assert code_of(error) == "UnauthorizedOperation"
    assert ec2.describe_images(ImageIds=["img1"])["Images"][0]["ImageId"] == "img1"


def test_key_pairs(ec2: Any) -> None:
    created = ec2.create_key_pair(KeyName="golden")
    assert created["KeyMaterial"].startswith("-----BEGIN RSA PRIVATE KEY-----")
    names = {k["KeyName"] for k in ec2.describe_key_pairs()["KeyPairs"]}
    assert "golden" in names
    with pytest.raises(ClientError) as error:
        ec2.create_key_pair(KeyName="golden")
    assert code_of(error) == "InvalidKeyPair.Duplicate"
    with pytest.raises(ClientError) as error:
        ec2.describe_key_pairs(KeyNames=["nosuch"])
    assert code_of(error) == "InvalidKeyPair.NotFound"
    with pytest.raises(ClientError) as error:
        ec2.import_key_pair(KeyName="imported", PublicKeyMaterial=b"ssh-rsa AAAA x")
    assert code_of(error) == "UnsupportedOperation"
    ec2.delete_key_pair(KeyName="golden")
    ec2.delete_key_pair(KeyName="golden")
    assert "golden" not in {k["KeyName"] for k in ec2.describe_key_pairs()["KeyPairs"]}


def test_dry_run_and_tags(ec2: Any) -> None:
    with pytest.raises(ClientError) as error:
        ec2.stop_instances(InstanceIds=["inst0"], DryRun=True)
    assert code_of(error) == "DryRunOperation"
    assert states(ec2, "inst0") == {"inst0": "running"}
    with pytest.raises(ClientError) as error:
        ec2.create_tags(Resources=["inst0"], Tags=[{"Key": "a", "Value": "b"}])
    assert code_of(error) == "UnsupportedOperation"
    tags = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": ["inst0"]}])
    assert [t["Key"] for t in tags["Tags"]] == ["Name"]


def test_provider_failure_is_unavailable(ec2: Any) -> None:
    with pytest.raises(ClientError) as error:
        ec2.describe_availability_zones(ZoneNames=["502"])
    assert code_of(error) == "Unavailable"
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
