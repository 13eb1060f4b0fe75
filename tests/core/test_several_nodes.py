"""Two deltaflask nodes (separate gunicorn processes, separate local folders:
data folder and mock folder) sharing one PostgreSQL database
(``DELTAFLASK_DATABASE_URL``), which holds the CIMI store, the session key
and the mock cloud itself, used by alternating clients as a round-robin load
balancer would: CIMI state and mock instances made through one are seen and
used through the other, a blob and a segmented upload cross between them, a
browser session and its CSRF token work on both, and a concurrent
create/delete churn across both loses and duplicates nothing. Neither node
writes to its mock folder."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import pytest
import requests

from tests.support.auth import MOCK_AUTH
from tests.support.gunicorn_server import PRODUCTION
from tests.support.gunicorn_server import LiveServer
from tests.support.gunicorn_server import gunicorn
from tests.support.html import BROWSER
from tests.support.html import TOKEN

pytestmark = pytest.mark.xdist_group("postgres")
JSON = {"Authorization": MOCK_AUTH, "Accept": "application/json"}
#: the name a load balancer in front of both nodes would be reached by
PUBLIC = "deltaflask.example"


@pytest.fixture
def nodes(tmp_path: Path, database_url: str) -> Iterator[list[str]]:
    """The base URLs of two running nodes, each with folders of its own."""
    with ExitStack() as stack:
        bases = []
        for name in ("a", "b"):
            folder = tmp_path / name
            folder.mkdir()
            env = {
                "DELTAFLASK_DATA": str(folder / "data"),
                "DELTAFLASK_DATABASE_URL": database_url,
                "DELTACLOUD_MOCK_STORAGE": str(folder / "mock"),
                "API_FRONTEND": "deltacloud,cimi",
            }
            live: LiveServer = stack.enter_context(
                gunicorn(folder, env, *PRODUCTION, workers=1)
            )
            bases.append(f"http://127.0.0.1:{live.port}")
        yield bases
    for name in ("a", "b"):
        assert not (tmp_path / name / "mock").exists(), f"{name} wrote its mock folder"


def _template(base: str, name: str) -> dict[str, object]:
    return {
        "name": name,
        "machineConfig": {"href": f"{base}/cimi/machine_configurations/m1-small"},
        "machineImage": {"href": f"{base}/cimi/machine_images/img1"},
    }


def _templates(base: str) -> list[dict[str, str]]:
    answer = requests.get(f"{base}/cimi/machine_templates", headers=JSON, timeout=30)
    assert answer.status_code == 200, answer.text
    return list(answer.json().get("machineTemplates", []))


def test_a_template_made_through_one_node_is_used_through_the_other(nodes):
    a, b = nodes
    made = requests.post(
        f"{a}/cimi/machine_templates", json=_template(a, "shared"), headers=JSON,
        timeout=30,
    )  # fmt: skip
    assert made.status_code == 201, made.text
    template_id = made.headers["Location"].rsplit("/", 1)[-1]
    seen = requests.get(
        f"{b}/cimi/machine_templates/{template_id}", headers=JSON, timeout=30
    )
    assert seen.status_code == 200, seen.text
    assert seen.json()["name"] == "shared"
    machine = requests.post(
        f"{b}/cimi/machines",
        json={
            "name": "from-a",
            "machineTemplate": {"href": f"{b}/cimi/machine_templates/{template_id}"},
        },
        headers=JSON,
        timeout=30,
    )
    assert machine.status_code == 201, machine.text
    shown = requests.get(machine.headers["Location"].replace(b, a), headers=JSON,
                         timeout=30)  # fmt: skip
    assert shown.status_code == 200, shown.text
    assert shown.json()["name"] == "from-a"  # the name CIMI keeps, read through a


def test_a_browser_session_and_its_csrf_token_work_on_both_nodes(nodes):
    a, b = nodes
    browser = requests.Session()  # one cookie jar: both nodes are 127.0.0.1
    browser.headers.update({"Authorization": MOCK_AUTH, **BROWSER})
    browser.headers.update({"Host": PUBLIC, "Origin": f"http://{PUBLIC}"})
    page = browser.get(f"{a}/api/drivers", timeout=30)
    assert page.status_code == 200
    token = TOKEN.search(page.text)
    assert token, "the drivers page carries no CSRF token"
    assert browser.cookies, "no session cookie was set"
    for base, provider in ((b, "eu"), (a, "us"), (b, "ap")):
        picked = browser.post(
            f"{base}/api/drivers/mock/use",
            data={"_csrf_token": token.group(1), "other_provider": provider},
            allow_redirects=False,
            timeout=30,
        )
        assert picked.status_code == 303, picked.text
        for reader in (a, b):
            answer = browser.get(f"{reader}/api", timeout=30)
            assert answer.headers.get("X-Deltacloud-Provider") == provider
    refused = browser.post(
        f"{b}/api/drivers/mock/use",
        data={"_csrf_token": "forged", "other_provider": "eu"},
        allow_redirects=False,
        timeout=30,
    )
    assert refused.status_code == 403
    assert browser.get(f"{a}/api", timeout=30).headers["X-Deltacloud-Provider"] == "ap"


def test_create_delete_churn_across_both_nodes_loses_and_duplicates_nothing(nodes):
    """8 threads, each making 10 templates through alternating nodes and
    deleting every other one through the node that did not make it."""
    before = {t["id"] for t in _templates(nodes[0])}

    def churn(worker: int) -> tuple[list[str], list[str]]:
        kept, deleted = [], []
        for round_number in range(10):
            node = nodes[(worker + round_number) % 2]
            other = nodes[(worker + round_number + 1) % 2]
            made = requests.post(
                f"{node}/cimi/machine_templates",
                json=_template(node, f"w{worker}-{round_number}"),
                headers=JSON,
                timeout=60,
            )
            assert made.status_code == 201, made.text
            path = re.sub(r"^http://[^/]+", "", made.headers["Location"])
            if round_number % 2:
                gone = requests.delete(f"{other}{path}", headers=JSON, timeout=60)
                assert gone.status_code == 200, gone.text
                deleted.append(path)
            else:
                kept.append(path)
        return kept, deleted

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(churn, range(8)))
    kept = [path for made, _ in results for path in made]
    deleted = [path for _, gone in results for path in gone]
    assert len(set(kept + deleted)) == 80  # no id handed out twice
    for base in nodes:
        listed = _templates(base)
        ids = [template["id"] for template in listed]
        assert len(ids) == len(set(ids))
        assert {i for i in ids if i not in before} == {f"{base}{p}" for p in kept}
        names = sorted(t["name"] for t in listed if t["id"] not in before)
        assert names == sorted(f"w{w}-{r}" for w in range(8) for r in range(0, 10, 2))
    for path in deleted:
        answer = requests.get(f"{nodes[0]}{path}", headers=JSON, timeout=30)
        assert answer.status_code == 404


def test_an_instance_made_through_one_node_is_stopped_and_destroyed_through_the_other(
    nodes,
):
    a, b = nodes
    made = requests.post(
        f"{a}/api/instances", data={"image_id": "img1"}, headers=JSON, timeout=30
    )
    assert made.status_code == 201, made.text
    instance_id = made.json()["instance"]["id"]
    listed = requests.get(f"{b}/api/instances", headers=JSON, timeout=30)
    assert instance_id in [i["id"] for i in listed.json()["instances"]]
    stopped = requests.post(
        f"{b}/api/instances/{instance_id}/stop", headers=JSON, timeout=30
    )
    assert stopped.status_code in (200, 202), stopped.text
    shown = requests.get(f"{a}/api/instances/{instance_id}", headers=JSON, timeout=30)
    assert shown.json()["instance"]["state"] == "STOPPED"
    gone = requests.delete(f"{b}/api/instances/{instance_id}", headers=JSON, timeout=30)
    assert gone.status_code == 204, gone.text
    missing = requests.get(f"{a}/api/instances/{instance_id}", headers=JSON, timeout=30)
    assert missing.status_code == 404


def test_a_blob_written_through_one_node_streams_back_through_the_other(nodes):
    a, b = nodes
    payload = os.urandom(5 * 1024 * 1024 + 321)  # several chunks and a short one

    def pieces() -> Iterator[bytes]:  # sent chunked, as it comes
        for start in range(0, len(payload), 256 * 1024):
            yield payload[start : start + 256 * 1024]

    put = requests.put(
        f"{a}/api/buckets/bucket1/big.bin", data=pieces(), headers=JSON, timeout=60
    )
    assert put.status_code == 200, put.text
    with requests.get(
        f"{b}/api/buckets/bucket1/big.bin/content", headers=JSON, stream=True,
        timeout=60,
    ) as got:  # fmt: skip
        assert got.status_code == 200
        received = hashlib.sha256()
        for chunk in got.iter_content(1024 * 1024):
            received.update(chunk)
    assert received.hexdigest() == hashlib.sha256(payload).hexdigest()


def test_a_segmented_upload_may_hop_between_nodes(nodes):
    """The upload's state lives with the cloud (the mock in the database), not
    in a node: begun on one, its segments sent to both, completed on the other."""
    a, b = nodes
    made = requests.post(
        f"{a}/api/buckets", data={"name": "hops"}, headers=JSON, timeout=30
    )
    assert made.status_code == 201, made.text
    blob = "/api/buckets/hops/parts"
    segmented = {**JSON, "X-Deltacloud-BlobType": "segmented"}
    begun = requests.put(f"{a}{blob}", data=b"", headers=segmented, timeout=30)
    assert begun.status_code == 204, begun.text
    upload = {
        **segmented,
        "X-Deltacloud-SegmentedBlob": begun.headers["X-Deltacloud-SegmentedBlob"],
    }
    pieces = [b"first piece;", b"second piece;", b"third piece"]
    manifest = []
    for order, piece in enumerate(pieces, start=1):
        node = nodes[order % 2]
        sent = requests.put(
            f"{node}{blob}",
            data=piece,
            headers={**upload, "X-Deltacloud-SegmentOrder": str(order)},
            timeout=30,
        )
        assert sent.status_code == 204, sent.text
        manifest.append(f"{order}={sent.headers['X-Deltacloud-BlobSegmentId']}")
    done = requests.put(
        f"{b}{blob}", data=", ".join(manifest), headers=upload, timeout=30
    )
    assert done.status_code == 200, done.text
    content = requests.get(f"{a}{blob}/content", headers=JSON, timeout=30)
    assert content.content == b"".join(pieces)


def test_instance_churn_across_both_nodes_never_shares_an_id(nodes):
    """6 threads each launch 5 instances through alternating nodes and
    destroy every other one through the node that did not launch it."""

    def churn(worker: int) -> list[str]:
        given = []
        for round_number in range(5):
            node = nodes[(worker + round_number) % 2]
            other = nodes[(worker + round_number + 1) % 2]
            made = requests.post(
                f"{node}/api/instances", data={"image_id": "img1"}, headers=JSON,
                timeout=60,
            )  # fmt: skip
            assert made.status_code == 201, made.text
            instance_id = made.json()["instance"]["id"]
            given.append(instance_id)
            if round_number % 2:
                url = f"{other}/api/instances/{instance_id}"
                assert requests.post(f"{url}/stop", headers=JSON, timeout=60).ok
                assert requests.delete(url, headers=JSON, timeout=60).status_code == 204
        return given

    with ThreadPoolExecutor(6) as pool:
        given = [i for ids in pool.map(churn, range(6)) for i in ids]
    assert len(set(given)) == 30
    kept = {i for n, i in enumerate(given) if (n % 5) % 2 == 0}
    for base in nodes:
        listed = requests.get(f"{base}/api/instances", headers=JSON, timeout=30)
        ids = [i["id"] for i in listed.json()["instances"]]
        assert len(ids) == len(set(ids))
        assert set(ids) - {"inst0", "inst1", "inst2", "inst3"} == kept
