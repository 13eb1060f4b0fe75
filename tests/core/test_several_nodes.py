"""Two deltaflask nodes (separate gunicorn processes, separate data folders)
sharing one PostgreSQL database (``DELTAFLASK_DATABASE_URL``) and one cloud
(the mock's folder stands for the provider every node talks to), used by
alternating clients as a round-robin load balancer would: CIMI state made
through one is seen and used through the other, a browser session and its
CSRF token work on both, and a concurrent create/delete churn across both
loses and duplicates nothing."""

from __future__ import annotations

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
    """The base URLs of two running nodes."""
    with ExitStack() as stack:
        bases = []
        for name in ("a", "b"):
            folder = tmp_path / name
            folder.mkdir()
            env = {
                "DELTAFLASK_DATA": str(folder / "data"),
                "DELTAFLASK_DATABASE_URL": database_url,
                "DELTACLOUD_MOCK_STORAGE": str(tmp_path / "cloud"),
                "API_FRONTEND": "deltacloud,cimi",
            }
            live: LiveServer = stack.enter_context(
                gunicorn(folder, env, *PRODUCTION, workers=1)
            )
            bases.append(f"http://127.0.0.1:{live.port}")
        yield bases


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


def test_a_segmented_upload_may_hop_between_nodes(nodes):
    """The upload's state lives with the cloud (the mock's folder), not in a
    node: begun on one, its segments sent to both, completed on the other."""
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
