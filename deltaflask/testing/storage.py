"""Storage scenarios through /api: volumes, snapshots, buckets, blobs and
segmented blobs (5 MiB segments, S3's minimum)."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from deltaflask.testing.api import Headers
from deltaflask.testing.api import answer
from deltaflask.testing.api import error_message
from deltaflask.testing.api import offers

MIB = 1024 * 1024
SEGMENTED = {"X-Deltacloud-BlobType": "segmented"}
VOLUME_STATES = {"CREATING", "AVAILABLE"}
SNAPSHOT_STATES = {"PENDING", "COMPLETED"}


def _segmented_put(
    client: FlaskClient, auth: Headers, url: str, data: bytes, **headers: str
) -> Any:
    return client.put(url, data=data, headers={**auth, **SEGMENTED, **headers})


def _initiate(
    client: FlaskClient, auth: Headers, bucket: str, blob: str
) -> tuple[str, str]:
    """A new bucket and a segmented upload of ``blob`` in it: (URL, upload id)."""
    answer(client.post("/api/buckets", data={"name": bucket}, headers=auth), 201)
    url = f"/api/buckets/{bucket}/{blob}"
    started = _segmented_put(client, auth, url, b"")
    assert started.status_code == 204, started.get_data(as_text=True)
    return url, started.headers["X-Deltacloud-SegmentedBlob"]


class StorageScenarios:
    """Volumes, snapshots, buckets, blobs, segmented blobs."""

    def test_volume_lifecycle(
        self, driver_client: FlaskClient, driver_auth: Headers
    ) -> None:
        if not offers(driver_client, driver_auth, "storage_volumes"):
            return
        created = driver_client.post(
            "/api/storage_volumes",
            data={"capacity": "2", "name": "contract-volume"},
            headers=driver_auth,
        )
        volume = answer(created, 201)["storage_volume"]
        assert created.headers["Location"].endswith(f"/storage_volumes/{volume['id']}")
        assert volume["capacity"] == 2
        assert volume["name"] == "contract-volume"
        assert volume["state"] in VOLUME_STATES
        listed = answer(
            driver_client.get("/api/storage_volumes", headers=driver_auth), 200
        )
        assert volume["id"] in [v["id"] for v in listed["storage_volumes"]]
        shown = driver_client.get(
            f"/api/storage_volumes/{volume['id']}", headers=driver_auth
        )
        assert answer(shown, 200)["storage_volume"]["id"] == volume["id"]
        bad = driver_client.post(
            "/api/storage_volumes", data={"capacity": "many"}, headers=driver_auth
        )
        assert "capacity" in error_message(bad, 400)
        not_attached = driver_client.post(
            f"/api/storage_volumes/{volume['id']}/detach", headers=driver_auth
        )
        assert "not attached" in error_message(not_attached, 409)
        url = f"/api/storage_volumes/{volume['id']}"
        answer(driver_client.delete(url, headers=driver_auth), 204)
        error_message(driver_client.get(url, headers=driver_auth), 404)

    def test_volume_attach_and_detach(
        self, driver_client: FlaskClient, driver_auth: Headers
    ) -> None:
        if not offers(driver_client, driver_auth, "storage_volumes", "instances"):
            return
        images = answer(driver_client.get("/api/images", headers=driver_auth), 200)[
            "images"
        ]
        launched = driver_client.post(
            "/api/instances", data={"image_id": images[0]["id"]}, headers=driver_auth
        )
        instance = answer(launched, 201)["instance"]
        realm_id = instance["realm"]["id"]
        volume = answer(
            driver_client.post(
                "/api/storage_volumes",
                data={"capacity": "1", "realm_id": realm_id},
                headers=driver_auth,
            ),
            201,
        )["storage_volume"]
        assert volume["realm"]["id"] == realm_id
        url = f"/api/storage_volumes/{volume['id']}"
        attached = driver_client.post(
            f"{url}/attach",
            data={"instance_id": instance["id"], "device": "/dev/sdf"},
            headers=driver_auth,
        )
        shown = answer(attached, 202)["storage_volume"]
        assert shown["state"] == "IN-USE"
        assert (shown["instance"]["id"], shown["device"]) == (
            instance["id"],
            "/dev/sdf",
        )
        assert "detach" in error_message(
            driver_client.delete(url, headers=driver_auth), 409
        )
        detached = answer(driver_client.post(f"{url}/detach", headers=driver_auth), 202)
        assert detached["storage_volume"]["state"] == "AVAILABLE"
        assert detached["storage_volume"]["instance"] == {}
        answer(driver_client.delete(url, headers=driver_auth), 204)

    def test_snapshot_lifecycle(
        self, driver_client: FlaskClient, driver_auth: Headers
    ) -> None:
        if not offers(
            driver_client, driver_auth, "storage_snapshots", "storage_volumes"
        ):
            return
        volume = answer(
            driver_client.post(
                "/api/storage_volumes", data={"capacity": "1"}, headers=driver_auth
            ),
            201,
        )["storage_volume"]
        created = driver_client.post(
            "/api/storage_snapshots",
            data={"volume_id": volume["id"]},
            headers=driver_auth,
        )
        snapshot = answer(created, 201)["storage_snapshot"]
        assert snapshot["storage_volume"]["id"] == volume["id"]
        assert snapshot["state"] in SNAPSHOT_STATES
        listed = answer(
            driver_client.get("/api/storage_snapshots", headers=driver_auth), 200
        )
        assert snapshot["id"] in [s["id"] for s in listed["storage_snapshots"]]
        url = f"/api/storage_snapshots/{snapshot['id']}"
        assert (
            answer(driver_client.get(url, headers=driver_auth), 200)[
                "storage_snapshot"
            ]["id"]
            == (snapshot["id"])
        )
        answer(driver_client.delete(url, headers=driver_auth), 204)
        error_message(driver_client.get(url, headers=driver_auth), 404)

    def test_bucket_and_blob_lifecycle(
        self, driver_client: FlaskClient, driver_auth: Headers
    ) -> None:
        if not offers(driver_client, driver_auth, "buckets"):
            return
        created = driver_client.post(
            "/api/buckets", data={"name": "contract-bucket"}, headers=driver_auth
        )
        assert answer(created, 201)["bucket"]["id"] == "contract-bucket"
        blob_url = "/api/buckets/contract-bucket/notes.txt"
        put = driver_client.put(
            blob_url,
            data=b"contract content",
            headers={
                **driver_auth,
                "Content-Type": "text/plain",
                "X-Deltacloud-Blobmeta-Owner": "qa",
            },
        )
        blob = answer(put, 200)["blob"]
        assert blob["content_length"] == len(b"contract content")
        assert blob["content_type"] == "text/plain"
        assert blob["user_metadata"] == {"owner": "qa"}

        bucket = answer(
            driver_client.get("/api/buckets/contract-bucket", headers=driver_auth), 200
        )["bucket"]
        assert [b["id"] for b in bucket["blob_list"]] == ["notes.txt"]
        assert bucket["size"] == 1
        listed = answer(driver_client.get("/api/buckets", headers=driver_auth), 200)
        assert "contract-bucket" in [b["id"] for b in listed["buckets"]]

        head = driver_client.head(blob_url, headers=driver_auth)
        assert head.status_code == 204
        assert head.headers["X-Deltacloud-Blobmeta-owner"] == "qa"
        content = driver_client.get(f"{blob_url}/content", headers=driver_auth)
        assert content.get_data() == b"contract content"
        updated = driver_client.post(
            blob_url, headers={**driver_auth, "X-Deltacloud-Blobmeta-Stage": "final"}
        )
        assert updated.status_code == 204
        shown = answer(driver_client.get(blob_url, headers=driver_auth), 200)["blob"]
        assert shown["user_metadata"] == {"stage": "final"}

        refused = driver_client.delete(
            "/api/buckets/contract-bucket", headers=driver_auth
        )
        # the mock keeps the original's 403; S3 itself answers 409 Conflict
        assert refused.status_code in (403, 409)
        assert "empty" in error_message(refused, refused.status_code).lower()
        answer(driver_client.delete(blob_url, headers=driver_auth), 204)
        error_message(driver_client.get(blob_url, headers=driver_auth), 404)
        answer(
            driver_client.delete("/api/buckets/contract-bucket", headers=driver_auth),
            204,
        )
        error_message(
            driver_client.get("/api/buckets/contract-bucket", headers=driver_auth), 404
        )

    def test_segmented_blob_of_five_mib_segments(
        self, driver_client: FlaskClient, driver_auth: Headers
    ) -> None:
        if not offers(driver_client, driver_auth, "buckets"):
            return
        url, upload = _initiate(
            driver_client, driver_auth, "segment-bucket", "joined.bin"
        )
        parts = {order: bytes([order]) * (5 * MIB) for order in (1, 2, 3)}
        ids = {}
        for order in (2, 3, 1):
            uploaded = _segmented_put(
                driver_client,
                driver_auth,
                url,
                parts[order],
                **{
                    "X-Deltacloud-SegmentedBlob": upload,
                    "X-Deltacloud-SegmentOrder": str(order),
                },
            )
            assert uploaded.status_code == 204, uploaded.get_data(as_text=True)
            ids[order] = uploaded.headers["X-Deltacloud-BlobSegmentId"]
        manifest = ", ".join(f"{order}={ids[order]}" for order in (3, 1, 2))
        done = _segmented_put(
            driver_client,
            driver_auth,
            url,
            manifest.encode(),
            **{"X-Deltacloud-SegmentedBlob": upload},
        )
        assert answer(done, 200)["blob"]["content_length"] == 15 * MIB
        content = driver_client.get(f"{url}/content", headers=driver_auth)
        assert content.get_data() == parts[1] + parts[2] + parts[3]

    def test_segmented_upload_abort(
        self, driver_client: FlaskClient, driver_auth: Headers
    ) -> None:
        if not offers(driver_client, driver_auth, "buckets"):
            return
        url, upload = _initiate(
            driver_client, driver_auth, "abort-bucket", "dropped.bin"
        )
        segment = {
            "X-Deltacloud-SegmentedBlob": upload,
            "X-Deltacloud-SegmentOrder": "1",
        }
        first = _segmented_put(driver_client, driver_auth, url, b"x" * 1024, **segment)
        assert first.status_code == 204, first.get_data(as_text=True)
        aborted = driver_client.delete(
            url, headers={**driver_auth, "X-Deltacloud-SegmentedBlob": upload}
        )
        assert aborted.status_code == 204, aborted.get_data(as_text=True)
        again = _segmented_put(driver_client, driver_auth, url, b"y", **segment)
        error_message(again, 404)
        error_message(driver_client.get(url, headers=driver_auth), 404)
