"""The EC2 frontend over the openstack driver: unmodified boto3 -> /ec2 ->
openstack driver -> the real Keystone, Nova, Glance, Cinder and Neutron.

The access key is mapped to the OpenStack credentials by ``EC2_KEY_FILE``,
and ``EC2_REGION`` names the region the clients sign for (the region of the
provider). Errors come back as EC2 ``<Response><Errors>`` codes.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openstack.exceptions import NotFoundException

from tests.support.ec2_frontend import client
from tests.support.ec2_frontend import error_code
from tests.support.ec2_frontend import serve
from tests.support.ec2_frontend import signed_post
from tests.support.ec2_frontend_storage import allow_tcp
from tests.support.ec2_frontend_storage import refuse_twin_then_delete
from tests.support.ec2_frontend_storage import refused
from tests.support.openstack_cloud import REGION
from tests.support.openstack_cloud import OpenStackCloud

pytestmark = pytest.mark.xdist_group("openstack")

ACCESS_KEY, SECRET = "AKIDOPENSTACK", "frontend-secret"
MISSING = "00000000-0000-0000-0000-000000000000"
#: makes this run's key and group names its own (the cloud is shared)
RUN = secrets.token_hex(3)
LAUNCH_KEY, KEY, GROUP, SERVER = (
    f"ec2-os-{what}-{RUN}" for what in ("launch", "key", "group", "server")
)


@pytest.fixture
def ec2_url(openstack: OpenStackCloud, tmp_path: Path) -> Iterator[str]:
    """``/ec2`` of a live server whose default driver is openstack."""
    user, password = openstack.credentials("demo")
    key_file = tmp_path / "keys.json"
    key_file.write_text(
        json.dumps({ACCESS_KEY: {"user": user, "password": password, "secret": SECRET}})
    )
    key_file.chmod(0o600)
    with serve(
        tmp_path / "mock",
        DRIVER="openstack",
        PROVIDER=openstack.provider,
        EC2_KEY_FILE=str(key_file),
        EC2_REGION=REGION,
    ) as url:
        yield url


@pytest.fixture
def ec2(ec2_url: str) -> Any:
    """boto3 pointed at deltaflask's /ec2, signed with the mapped key."""
    return client(ec2_url, key=ACCESS_KEY, secret=SECRET, region=REGION)


@pytest.fixture
def image(openstack: OpenStackCloud) -> str:
    """The seed's public Glance image."""
    glance = openstack.sdk("demo").image
    return str(next(i.id for i in glance.images() if i.name == "cirros-fake"))


def state_of(ec2: Any, instance_id: str) -> str:
    """The state name DescribeInstances reports for one instance."""
    found = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"]
    return str(found[0]["Instances"][0]["State"]["Name"])


def test_region_zones_and_instance_types(ec2: Any, openstack: OpenStackCloud) -> None:
    assert [r["RegionName"] for r in ec2.describe_regions()["Regions"]] == [REGION]
    zones = ec2.describe_availability_zones()["AvailabilityZones"]
    nova = openstack.sdk("demo").compute
    assert {z["ZoneName"] for z in zones} == {
        z.name for z in nova.availability_zones() if z.state["available"]
    }
    assert all(z["RegionName"] == REGION for z in zones)
    types = ec2.describe_instance_types()["InstanceTypes"]
    tiny = next(t for t in types if t["InstanceType"] == "m1.tiny")
    flavor = nova.find_flavor("m1.tiny")
    assert tiny["MemoryInfo"]["SizeInMiB"] == flavor.ram
    assert tiny["VCpuInfo"]["DefaultVCpus"] == flavor.vcpus


def test_signing_for_another_region_is_auth_failure(ec2_url: str) -> None:
    other = client(ec2_url, key=ACCESS_KEY, secret=SECRET, region="us-east-1")
    refused("AuthFailure", other.describe_images)
    wrong = client(ec2_url, key=ACCESS_KEY, secret="not-the-secret", region=REGION)
    refused("SignatureDoesNotMatch", wrong.describe_images)


def test_images_from_glance(ec2: Any, image: str, openstack: OpenStackCloud) -> None:
    listed = {i["ImageId"]: i for i in ec2.describe_images()["Images"]}
    seed = listed[image]
    assert (seed["Name"], seed["State"], seed["Architecture"]) == (
        "cirros-fake",
        "available",
        "x86_64",
    )
    assert seed["OwnerId"] == openstack.sdk("demo").image.get_image(image).owner
    assert seed["CreationDate"].endswith("Z")
    one = ec2.describe_images(ImageIds=[image])["Images"]
    assert [i["ImageId"] for i in one] == [image]
    # the seed's image is the admin project's; "self" is demo's project
    glance = openstack.sdk("demo").image
    own = glance.create_image(
        name="ec2-os-own",
        data=b"\0" * 1024,
        disk_format="raw",
        container_format="bare",
    )
    try:
        mine = {i["ImageId"] for i in ec2.describe_images(Owners=["self"])["Images"]}
        assert own.id in mine and image not in mine
    finally:
        glance.delete_image(own)
    refused("InvalidAMIID.NotFound", ec2.describe_images, ImageIds=[MISSING])
    refused("InvalidAMIID.Malformed", ec2.describe_images, ImageIds=["../etc"])


def test_run_describe_stop_start_terminate(
    ec2: Any, image: str, openstack: OpenStackCloud
) -> None:
    ec2.create_key_pair(KeyName=LAUNCH_KEY)
    launched = ec2.run_instances(
        ImageId=image,
        MinCount=1,
        MaxCount=1,
        InstanceType="m1.tiny",
        KeyName=LAUNCH_KEY,
        Placement={"AvailabilityZone": "nova"},
        TagSpecifications=[
            {"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": SERVER}]}
        ],
    )["Instances"]
    assert len(launched) == 1
    first = launched[0]
    target = first["InstanceId"]
    assert first["InstanceType"] == "m1.tiny"
    assert first["KeyName"] == LAUNCH_KEY
    assert first["Placement"]["AvailabilityZone"] == "nova"
    assert first["Tags"] == [{"Key": "Name", "Value": SERVER}]
    assert first["PrivateIpAddress"]
    assert first["LaunchTime"]
    assert [g["GroupName"] for g in first["SecurityGroups"]] == ["default"]
    nova = openstack.sdk("demo").compute
    server = nova.get_server(target)
    assert (server.name, server.key_name, server.status) == (
        SERVER,
        LAUNCH_KEY,
        "ACTIVE",
    )

    listed = [
        i["InstanceId"]
        for r in ec2.describe_instances()["Reservations"]
        for i in r["Instances"]
    ]
    assert target in listed
    named = ec2.describe_instances(Filters=[{"Name": "tag:Name", "Values": [SERVER]}])[
        "Reservations"
    ]
    assert [r["Instances"][0]["InstanceId"] for r in named] == [target]

    assert state_of(ec2, target) == "running"
    stopped = ec2.stop_instances(InstanceIds=[target])["StoppingInstances"]
    assert stopped[0]["PreviousState"]["Name"] == "running"
    assert state_of(ec2, target) == "stopped"
    assert nova.get_server(target).status == "SHUTOFF"
    ec2.start_instances(InstanceIds=[target])
    assert state_of(ec2, target) == "running"
    ended = ec2.terminate_instances(InstanceIds=[target])["TerminatingInstances"]
    assert ended[0]["InstanceId"] == target
    with pytest.raises(NotFoundException):
        nova.get_server(target)
    refused("InvalidInstanceID.NotFound", ec2.describe_instances, InstanceIds=[target])
    refused("InvalidInstanceID.NotFound", ec2.terminate_instances, InstanceIds=[target])
    ec2.delete_key_pair(KeyName=LAUNCH_KEY)


def test_run_instances_refuses_unknown_references_and_launches_nothing(
    ec2: Any, image: str, openstack: OpenStackCloud
) -> None:
    nova = openstack.sdk("demo").compute
    before = {s.id for s in nova.servers()}
    common = {"MinCount": 1, "MaxCount": 1}
    refused("InvalidAMIID.NotFound", ec2.run_instances, ImageId=MISSING, **common)
    refused(
        "InvalidKeyPair.NotFound",
        ec2.run_instances,
        ImageId=image,
        KeyName="nokey",
        **common,
    )
    refused(
        "InvalidParameterValue",
        ec2.run_instances,
        ImageId=image,
        InstanceType="z9.huge",
        **common,
    )
    refused(
        "InvalidParameterValue",
        ec2.run_instances,
        ImageId=image,
        Placement={"AvailabilityZone": "nowhere"},
        **common,
    )
    assert {s.id for s in nova.servers()} == before


def test_key_pairs(ec2: Any, openstack: OpenStackCloud) -> None:
    made = ec2.create_key_pair(KeyName=KEY)
    assert made["KeyMaterial"].startswith("-----BEGIN")
    nova = openstack.sdk("demo").compute
    assert nova.get_keypair(KEY).fingerprint == made["KeyFingerprint"]
    listed = {k["KeyName"]: k for k in ec2.describe_key_pairs()["KeyPairs"]}
    assert listed[KEY]["KeyFingerprint"] == made["KeyFingerprint"]
    one = ec2.describe_key_pairs(KeyNames=[KEY])["KeyPairs"]
    assert [k["KeyName"] for k in one] == [KEY]
    refused("InvalidKeyPair.Duplicate", ec2.create_key_pair, KeyName=KEY)
    ec2.delete_key_pair(KeyName=KEY)
    with pytest.raises(NotFoundException):
        nova.get_keypair(KEY)
    refused("InvalidKeyPair.NotFound", ec2.describe_key_pairs, KeyNames=[KEY])


def test_security_groups_by_id_and_by_name(ec2: Any, openstack: OpenStackCloud) -> None:
    neutron = openstack.sdk("demo").network
    project = openstack.sdk("demo").current_project_id
    default = neutron.find_security_group("default", project_id=project)
    named = ec2.describe_security_groups(GroupNames=["default"])["SecurityGroups"]
    assert [g["GroupId"] for g in named] == [default.id]
    # Neutron's default group lets its own members in on every protocol
    everything = [p for p in named[0]["IpPermissions"] if p["IpProtocol"] == "-1"]
    assert everything and all("FromPort" not in p for p in everything)
    assert everything[0]["UserIdGroupPairs"][0]["GroupName"] == "default"

    made = ec2.create_security_group(GroupName=GROUP, Description="web")
    group_id = made["GroupId"]
    assert neutron.get_security_group(group_id).name == GROUP
    allow_tcp(ec2, group_id, 22, IpRanges=[{"CidrIp": "10.0.0.0/8"}])
    by_id = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"]
    assert (by_id[0]["GroupName"], by_id[0]["Description"]) == (
        GROUP,
        "web",
    )
    rule = by_id[0]["IpPermissions"][0]
    assert (rule["IpProtocol"], rule["FromPort"], rule["ToPort"]) == ("tcp", 22, 22)
    assert rule["IpRanges"] == [{"CidrIp": "10.0.0.0/8"}]
    by_name = ec2.describe_security_groups(GroupNames=[GROUP])["SecurityGroups"]
    assert [g["GroupId"] for g in by_name] == [group_id]
    refused(
        "InvalidParameterValue",
        ec2.authorize_security_group_ingress,
        GroupId=group_id,
        IpPermissions=[{"IpProtocol": "gre", "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}],
    )
    refuse_twin_then_delete(ec2, GROUP, group_id)
    with pytest.raises(NotFoundException):
        neutron.get_security_group(group_id)


def test_volumes_created_attached_detached_and_deleted(
    ec2: Any, image: str, openstack: OpenStackCloud
) -> None:
    cinder = openstack.sdk("demo").block_storage
    instance = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1)["Instances"][0]
    server = instance["InstanceId"]
    volume = ec2.create_volume(Size=2, AvailabilityZone="nova")
    volume_id = volume["VolumeId"]
    assert (volume["Size"], volume["State"]) == (2, "available")
    assert cinder.get_volume(volume_id).size == 2
    listed = ec2.describe_volumes()["Volumes"]
    assert volume_id in [v["VolumeId"] for v in listed]

    ec2.attach_volume(VolumeId=volume_id, InstanceId=server, Device="/dev/sdc")
    attached = ec2.describe_volumes(VolumeIds=[volume_id])["Volumes"][0]
    assert attached["State"] == "in-use"
    assert attached["Attachments"][0]["InstanceId"] == server
    assert attached["Attachments"][0]["Device"] == "/dev/sdc"
    assert cinder.get_volume(volume_id).status == "in-use"
    refused("VolumeInUse", ec2.delete_volume, VolumeId=volume_id)

    ec2.detach_volume(VolumeId=volume_id)
    detached = ec2.describe_volumes(VolumeIds=[volume_id])["Volumes"][0]
    assert (detached["State"], detached["Attachments"]) == ("available", [])
    assert cinder.get_volume(volume_id).status == "available"
    ec2.delete_volume(VolumeId=volume_id)
    with pytest.raises(NotFoundException):
        cinder.get_volume(volume_id)
    refused("InvalidVolume.NotFound", ec2.describe_volumes, VolumeIds=[volume_id])
    refused("InvalidVolume.NotFound", ec2.delete_volume, VolumeId=volume_id)
    refused(
        "InvalidParameterValue",
        ec2.create_volume,
        Size=1,
        AvailabilityZone="nowhere",
    )
    ec2.terminate_instances(InstanceIds=[server])


def test_errors_are_ec2_error_documents(ec2_url: str) -> None:
    unknown = signed_post(
        ec2_url,
        {"Action": "NoSuchAction", "Version": "2016-11-15"},
        SECRET,
        REGION,
        ACCESS_KEY,
    )
    assert unknown.status_code == 400
    assert error_code(unknown) == "InvalidAction"
    bad_count = signed_post(
        ec2_url,
        {
            "Action": "RunInstances",
            "Version": "2016-11-15",
            "ImageId": MISSING,
            "MinCount": "many",
            "MaxCount": "1",
        },
        SECRET,
        REGION,
        ACCESS_KEY,
    )
    assert bad_count.status_code == 400
    assert error_code(bad_count) == "InvalidParameterValue"
