"""The ec2 driver's storage through /api, checked with boto3 against moto:
EBS volumes and snapshots, S3 buckets and blobs (streamed, with metadata)."""

from __future__ import annotations

import hashlib
import tracemalloc
from typing import Any

from flask.testing import FlaskClient

from tests.support.ec2_driver import aws_client
from tests.support.ec2_driver import create
from tests.support.ec2_driver_storage import Pattern
from tests.support.ec2_driver_storage import digest
from tests.support.moto_server import MotoServer


def start_instance(aws: MotoServer) -> str:
    """An instance launched directly with boto3."""
    ec2 = aws_client(aws, "ec2")
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    launched = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1)
    return str(launched["Instances"][0]["InstanceId"])


def volume_json(client: FlaskClient, auth: dict[str, str], volume_id: str) -> Any:
    response = client.get(f"/api/storage_volumes/{volume_id}", headers=auth)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["storage_volume"]


def create_volume(client: FlaskClient, auth: dict[str, str], **params: str) -> Any:
    response = client.post("/api/storage_volumes", data=params, headers=auth)
    assert response.status_code == 201, response.get_data(as_text=True)
    volume = response.get_json()["storage_volume"]
    assert response.headers["Location"].endswith(f"/storage_volumes/{volume['id']}")
    return volume


def error_message(response: Any, status: int) -> str:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_data(as_text=True)
    assert "Traceback" not in body
    data = response.get_json()
    assert data["code"] == status
    return str(data["message"])


# volumes ---------------------------------------------------------------------
def test_volume_create_attach_detach_destroy(
    ec2_client: FlaskClient, ec2_auth: dict[str, str], aws: MotoServer
) -> None:
    ec2 = aws_client(aws, "ec2")
    instance_id = start_instance(aws)
    volume = create_volume(
        ec2_client,
        ec2_auth,
        capacity="3",
        realm_id="us-east-1b",
        name="data",
        description="database disk",
    )
    assert volume["state"] == "AVAILABLE"
    assert volume["capacity"] == 3
    assert volume["realm"]["id"] == "us-east-1b"
    assert (volume["name"], volume["description"]) == ("data", "database disk")
    aws_volume = ec2.describe_volumes(VolumeIds=[volume["id"]])["Volumes"][0]
    assert (aws_volume["Size"], aws_volume["AvailabilityZone"]) == (3, "us-east-1b")
    assert {"Key": "Name", "Value": "data"} in aws_volume["Tags"]

    listed = ec2_client.get("/api/storage_volumes?state=AVAILABLE", headers=ec2_auth)
    assert volume["id"] in [v["id"] for v in listed.get_json()["storage_volumes"]]
    in_use = ec2_client.get("/api/storage_volumes?state=IN-USE", headers=ec2_auth)
    assert volume["id"] not in [v["id"] for v in in_use.get_json()["storage_volumes"]]

    attached = ec2_client.post(
        f"/api/storage_volumes/{volume['id']}/attach",
        data={"instance_id": instance_id, "device": "/dev/sdf"},
        headers=ec2_auth,
    )
    assert attached.status_code == 202, attached.get_data(as_text=True)
    shown = attached.get_json()["storage_volume"]
    assert shown["state"] == "IN-USE"
    assert shown["instance"]["id"] == instance_id
    assert shown["device"] == "/dev/sdf"
    attachments = ec2.describe_volumes(VolumeIds=[volume["id"]])["Volumes"][0][
        "Attachments"
    ]
    assert [(a["InstanceId"], a["Device"]) for a in attachments] == [
        (instance_id, "/dev/sdf")
    ]
    again = ec2_client.post(
        f"/api/storage_volumes/{volume['id']}/attach",
        data={"instance_id": instance_id, "device": "/dev/sdg"},
        headers=ec2_auth,
    )
    assert "already attached" in error_message(again, 409)
    refused = ec2_client.delete(
        f"/api/storage_volumes/{volume['id']}", headers=ec2_auth
    )
    assert "detach it first" in error_message(refused, 409)

    detached = ec2_client.post(
        f"/api/storage_volumes/{volume['id']}/detach", headers=ec2_auth
    )
    assert detached.status_code == 202, detached.get_data(as_text=True)
    assert detached.get_json()["storage_volume"]["state"] == "AVAILABLE"
    assert detached.get_json()["storage_volume"]["instance"] == {}
    assert not ec2.describe_volumes(VolumeIds=[volume["id"]])["Volumes"][0][
        "Attachments"
    ]
    not_attached = ec2_client.post(
        f"/api/storage_volumes/{volume['id']}/detach", headers=ec2_auth
    )
    assert "not attached" in error_message(not_attached, 409)

    gone = ec2_client.delete(f"/api/storage_volumes/{volume['id']}", headers=ec2_auth)
    assert gone.status_code == 204
    missing = ec2.describe_volumes(
        Filters=[{"Name": "volume-id", "Values": [volume["id"]]}]
    )["Volumes"]
    assert missing == []
    shown_again = ec2_client.get(
        f"/api/storage_volumes/{volume['id']}", headers=ec2_auth
    )
    error_message(shown_again, 404)


def test_volume_defaults_and_bad_input(
    ec2_client: FlaskClient, ec2_auth: dict[str, str], aws: MotoServer
) -> None:
    volume = create_volume(ec2_client, ec2_auth)
    assert volume["capacity"] == 1
    assert volume["realm"]["id"] == "us-east-1a"
    for params, words in (
        ({"capacity": "lots"}, "capacity must be a whole number"),
        ({"capacity": "0"}, "between 1 and"),
        ({"capacity": "2", "realm_id": "mars-1a"}, "Realm 'mars-1a' does not exist"),
        ({"snapshot_id": "snap-12345678"}, "Snapshot 'snap-12345678' does not exist"),
    ):
        response = ec2_client.post(
            "/api/storage_volumes", data=params, headers=ec2_auth
        )
        assert words in error_message(response, 400)
    unknown_instance = ec2_client.post(
        f"/api/storage_volumes/{volume['id']}/attach",
        data={"instance_id": "i-1234567890abcdef0", "device": "/dev/sdf"},
        headers=ec2_auth,
    )
    assert "i-1234567890abcdef0" in error_message(unknown_instance, 404)


# snapshots -------------------------------------------------------------------
def test_snapshot_create_list_restore_destroy(
    ec2_client: FlaskClient, ec2_auth: dict[str, str], aws: MotoServer
) -> None:
    ec2 = aws_client(aws, "ec2")
    volume = create_volume(ec2_client, ec2_auth, capacity="4")
    snapshot = create(
        ec2_client,
        ec2_auth,
        "/api/storage_snapshots",
        volume_id=volume["id"],
        name="nightly",
        description="before",
    )
    assert snapshot["storage_volume"]["id"] == volume["id"]
    assert snapshot["state"] == "COMPLETED"
    aws_snapshot = ec2.describe_snapshots(SnapshotIds=[snapshot["id"]])["Snapshots"][0]
    assert aws_snapshot["Description"] == "before"
    assert {"Key": "Name", "Value": "nightly"} in aws_snapshot["Tags"]

    listed = ec2_client.get("/api/storage_snapshots", headers=ec2_auth).get_json()
    # only the account's own: not the public snapshots behind moto's AMIs
    assert [s["id"] for s in listed["storage_snapshots"]] == [snapshot["id"]]
    shown = ec2_client.get(f"/api/storage_snapshots/{snapshot['id']}", headers=ec2_auth)
    assert shown.get_json()["storage_snapshot"]["id"] == snapshot["id"]

    restored = create_volume(ec2_client, ec2_auth, snapshot_id=snapshot["id"])
    assert restored["capacity"] == 4
    aws_restored = ec2.describe_volumes(VolumeIds=[restored["id"]])["Volumes"][0]
    assert aws_restored["SnapshotId"] == snapshot["id"]

    gone = ec2_client.delete(
        f"/api/storage_snapshots/{snapshot['id']}", headers=ec2_auth
    )
    assert gone.status_code == 204
    error_message(
        ec2_client.get(f"/api/storage_snapshots/{snapshot['id']}", headers=ec2_auth),
        404,
    )
    unknown = ec2_client.post(
        "/api/storage_snapshots", data={"volume_id": "vol-12345678"}, headers=ec2_auth
    )
    assert "vol-12345678" in error_message(unknown, 404)


# buckets ---------------------------------------------------------------------
def test_buckets_with_location(
    ec2_client: FlaskClient, ec2_auth: dict[str, str], aws: MotoServer
) -> None:
    s3 = aws_client(aws, "s3")
    entry = ec2_client.get("/api", headers=ec2_auth).get_json()["api"]["links"]
    features = next(link["features"] for link in entry if link["rel"] == "buckets")
    assert "bucket_location" in str(features)

    created = ec2_client.post(
        "/api/buckets",
        data={"name": "photos-eu", "location": "eu-west-1"},
        headers=ec2_auth,
    )
    assert created.status_code == 201, created.get_data(as_text=True)
    assert created.get_json()["bucket"]["location"] == "eu-west-1"
    assert created.headers["Location"].endswith("/api/buckets/photos-eu")
    assert s3.get_bucket_location(Bucket="photos-eu")["LocationConstraint"] == (
        "eu-west-1"
    )
    plain = ec2_client.post("/api/buckets", data={"name": "photos"}, headers=ec2_auth)
    assert plain.status_code == 201
    assert s3.get_bucket_location(Bucket="photos")["LocationConstraint"] is None

    shown = ec2_client.get("/api/buckets/photos-eu", headers=ec2_auth).get_json()
    assert shown["bucket"]["location"] == "eu-west-1"
    assert (shown["bucket"]["size"], shown["bucket"]["blob_list"]) == (0, [])
    listed = ec2_client.get("/api/buckets", headers=ec2_auth).get_json()["buckets"]
    assert {b["id"]: b.get("location") for b in listed} == {
        "photos-eu": "eu-west-1",
        "photos": "us-east-1",
    }

    duplicate = ec2_client.post(
        "/api/buckets", data={"name": "photos"}, headers=ec2_auth
    )
    assert "already exists" in error_message(duplicate, 409)
    bad_name = ec2_client.post("/api/buckets", data={"name": "b1"}, headers=ec2_auth)
    assert "InvalidBucketName" in error_message(bad_name, 400)
    error_message(ec2_client.get("/api/buckets/nosuchbucket", headers=ec2_auth), 404)

    assert ec2_client.delete("/api/buckets/photos", headers=ec2_auth).status_code == 204
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["photos-eu"]


def test_non_empty_bucket_is_refused(
    ec2_client: FlaskClient, ec2_auth: dict[str, str], aws: MotoServer
) -> None:
    s3 = aws_client(aws, "s3")
    s3.create_bucket(Bucket="full-bucket")
    s3.put_object(Bucket="full-bucket", Key="keep", Body=b"x")
    refused = ec2_client.delete("/api/buckets/full-bucket", headers=ec2_auth)
    assert "not empty" in error_message(refused, 409)
    s3.head_bucket(Bucket="full-bucket")
    shown = ec2_client.get("/api/buckets/full-bucket", headers=ec2_auth).get_json()
    assert [b["id"] for b in shown["bucket"]["blob_list"]] == ["keep"]
    assert shown["bucket"]["size"] == 1
    blob = ec2_client.delete("/api/buckets/full-bucket/keep", headers=ec2_auth)
    assert blob.status_code == 204
    bucket = ec2_client.delete("/api/buckets/full-bucket", headers=ec2_auth)
    assert bucket.status_code == 204
    assert s3.list_buckets()["Buckets"] == []


# blobs -----------------------------------------------------------------------
def test_blob_metadata_head_content_and_update(
    ec2_client: FlaskClient, ec2_auth: dict[str, str], aws: MotoServer
) -> None:
    s3 = aws_client(aws, "s3")
    s3.create_bucket(Bucket="docs")
    put = ec2_client.put(
        "/api/buckets/docs/readme",
        data=b"hello, ec2",
        headers={
            **ec2_auth,
            "Content-Type": "text/plain",
            "X-Deltacloud-Blobmeta-Author": "Ann",
            "X-Deltacloud-Blobmeta-Kind": "note",
        },
    )
    assert put.status_code == 200, put.get_data(as_text=True)
    blob = put.get_json()["blob"]
    assert (blob["content_length"], blob["content_type"]) == (10, "text/plain")
    assert blob["user_metadata"] == {"author": "Ann", "kind": "note"}
    assert blob["content"] == "hello, ec2"
    head = s3.head_object(Bucket="docs", Key="readme")
    assert head["Metadata"] == {"author": "Ann", "kind": "note"}
    assert head["ContentType"] == "text/plain"

    shown = ec2_client.get("/api/buckets/docs/readme", headers=ec2_auth)
    assert shown.get_json()["blob"]["user_metadata"] == blob["user_metadata"]
    headed = ec2_client.head("/api/buckets/docs/readme", headers=ec2_auth)
    assert headed.status_code == 204
    assert headed.headers["X-Deltacloud-Blobmeta-author"] == "Ann"
    assert headed.headers["X-Deltacloud-Blobmeta-kind"] == "note"
    content = ec2_client.get("/api/buckets/docs/readme/content", headers=ec2_auth)
    assert content.status_code == 200
    assert content.get_data() == b"hello, ec2"
    assert content.headers["Content-Type"].startswith("text/plain")
    assert content.headers["Content-Length"] == "10"

    updated = ec2_client.post(
        "/api/buckets/docs/readme",
        headers={**ec2_auth, "X-Deltacloud-Blobmeta-Reviewed": "yes"},
    )
    assert updated.status_code == 204
    assert updated.headers["X-Deltacloud-Blobmeta-reviewed"] == "yes"
    head = s3.head_object(Bucket="docs", Key="readme")
    assert head["Metadata"] == {"reviewed": "yes"}
    assert head["ContentType"] == "text/plain"
    assert s3.get_object(Bucket="docs", Key="readme")["Body"].read() == b"hello, ec2"

    s3.put_object(
        Bucket="docs",
        Key="archive.gz",
        Body=b"gz",
        ContentType="application/gzip",
        ContentEncoding="gzip",
        CacheControl="max-age=60",
        StorageClass="STANDARD_IA",
        Metadata={"old": "1"},
    )
    kept = ec2_client.post(
        "/api/buckets/docs/archive.gz",
        headers={**ec2_auth, "X-Deltacloud-Blobmeta-New": "2"},
    )
    assert kept.status_code == 204
    head = s3.head_object(Bucket="docs", Key="archive.gz")
    assert head["Metadata"] == {"new": "2"}
    assert (head["ContentType"], head["ContentEncoding"]) == (
        "application/gzip",
        "gzip",
    )
    assert (head["CacheControl"], head["StorageClass"]) == ("max-age=60", "STANDARD_IA")

    bad_meta = ec2_client.put(
        "/api/buckets/docs/other",
        data=b"x",
        headers={**ec2_auth, "X-Deltacloud-Blobmeta-Name": "Zoë"},
    )
    assert "US-ASCII" in error_message(bad_meta, 400)
    bad_name = ec2_client.put(
        "/api/buckets/docs/other",
        data=b"x",
        headers={**ec2_auth, "X-Deltacloud-Blobmeta-Two Words": "v"},
    )
    assert "not a valid HTTP header name" in error_message(bad_name, 400)

    deleted = ec2_client.delete("/api/buckets/docs/readme", headers=ec2_auth)
    assert deleted.status_code == 204
    left = s3.list_objects_v2(Bucket="docs")["Contents"]
    assert [item["Key"] for item in left] == ["archive.gz"]
    for method in (ec2_client.get, ec2_client.delete):
        error_message(method("/api/buckets/docs/readme", headers=ec2_auth), 404)
    error_message(
        ec2_client.get("/api/buckets/docs/readme/content", headers=ec2_auth), 404
    )
    error_message(
        ec2_client.put("/api/buckets/nosuchbucket/x", data=b"x", headers=ec2_auth),
        404,
    )


def test_large_blob_streams_both_ways_in_bounded_memory(
    ec2_client: FlaskClient, ec2_auth: dict[str, str], aws: MotoServer
) -> None:
    size = 40 * 1024 * 1024
    s3 = aws_client(aws, "s3")
    s3.create_bucket(Bucket="big-blobs")
    expected = digest(Pattern(size))
    tracemalloc.start()
    try:
        put = ec2_client.put(
            "/api/buckets/big-blobs/disk.img",
            input_stream=Pattern(size),
            headers={**ec2_auth, "Content-Type": "application/octet-stream"},
        )
        upload_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        download = ec2_client.get(
            "/api/buckets/big-blobs/disk.img/content", headers=ec2_auth, buffered=False
        )
        found, length = hashlib.sha256(), 0
        for chunk in download.response:
            found.update(chunk)
            length += len(chunk)
        download.close()
        download_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert put.status_code == 200, put.get_data(as_text=True)
    assert put.get_json()["blob"]["content_length"] == size
    assert (length, found.hexdigest()) == (size, expected)
    stored = s3.get_object(Bucket="big-blobs", Key="disk.img")["Body"]
    assert hashlib.sha256(stored.read()).hexdigest() == expected
    # boto3 holds at most a few 8 MiB parts, whatever the blob's size
    assert upload_peak < 24 * 1024 * 1024, f"upload held {upload_peak} bytes"
    assert download_peak < 4 * 1024 * 1024, f"download held {download_peak} bytes"


def test_storage_pages_render_as_xml_and_html(
    ec2_client: FlaskClient, ec2_auth: dict[str, str], aws: MotoServer
) -> None:
    basic = {"Authorization": ec2_auth["Authorization"]}
    volume = create_volume(ec2_client, ec2_auth, name="shown")
    snapshot = ec2_client.post(
        "/api/storage_snapshots", data={"volume_id": volume["id"]}, headers=ec2_auth
    ).get_json()["storage_snapshot"]
    aws_client(aws, "s3").create_bucket(Bucket="pages")
    ec2_client.put("/api/buckets/pages/page.txt", data=b"text", headers=ec2_auth)
    urls = [
        "/api/storage_volumes",
        f"/api/storage_volumes/{volume['id']}",
        "/api/storage_snapshots",
        f"/api/storage_snapshots/{snapshot['id']}",
        "/api/buckets",
        "/api/buckets/pages",
        "/api/buckets/pages/page.txt",
    ]
    for url in urls:
        for fmt in ("xml", "html"):
            response = ec2_client.get(f"{url}?format={fmt}", headers=basic)
            assert response.status_code == 200, (url, fmt)
            assert "Traceback" not in response.get_data(as_text=True)
    xml = ec2_client.get("/api/storage_volumes?format=xml", headers=basic)
    assert f"id='{volume['id']}'" in xml.get_data(as_text=True)
    assert "<state>AVAILABLE</state>" in xml.get_data(as_text=True)


class Truncated(Pattern):
    """Claims ``size`` bytes but ends after ``end`` (a client that went away)."""

    def __init__(self, size: int, end: int) -> None:
        super().__init__(size)
        self.end = end

    def readinto(self, buffer: Any) -> int:
        if self.pos >= self.end:
            return 0
        return super().readinto(memoryview(buffer)[: self.end - self.pos])


def test_truncated_upload_stores_nothing(
    ec2_client: FlaskClient, ec2_auth: dict[str, str], aws: MotoServer
) -> None:
    s3 = aws_client(aws, "s3")
    s3.create_bucket(Bucket="cut")
    for size, end in ((1000, 10), (20 * 1024 * 1024, 12 * 1024 * 1024)):
        response = ec2_client.put(
            "/api/buckets/cut/partial",
            input_stream=Truncated(size, end),
            headers=ec2_auth,
        )
        error_message(response, 400)
        assert "Contents" not in s3.list_objects_v2(Bucket="cut")
        assert "Uploads" not in s3.list_multipart_uploads(Bucket="cut")
