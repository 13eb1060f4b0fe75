"""Provider calls under guard (deltaflask.provider_calls), through /api on a
driver whose provider fails on demand: throttled reads retried with back-off,
writes and time-outs never retried, 503 with Retry-After, and a circuit breaker
per driver and provider that fails fast while a provider times out or stays
unavailable, and closes again."""

from __future__ import annotations

import time
from pathlib import Path

from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ProviderError
from deltaflask.errors import ProviderTimeout
from deltaflask.errors import ProviderUnavailable
from deltaflask.provider_calls import OPERATIONS
from deltaflask.provider_calls import is_read
from tests.support.auth import MOCK_AUTH
from tests.support.ec2_frontend import error_code
from tests.support.ec2_frontend import serve
from tests.support.ec2_frontend import signed_post
from tests.support.flaky_driver import CALLS
from tests.support.flaky_driver import SCRIPT
from tests.support.flaky_driver import FlakyPlugin
from tests.support.flaky_driver import flaky_app

V = "2016-11-15"
HEADERS = {"Authorization": MOCK_AUTH, "Accept": "application/json"}


def _get_instances(client, provider: str | None = None):
    headers = dict(HEADERS)
    if provider:
        headers["X-Deltacloud-Provider"] = provider
    return client.get("/api/instances", headers=headers)


def test_a_read_is_retried_until_the_provider_answers(tmp_path: Path) -> None:
    client = flaky_app(tmp_path).test_client()
    SCRIPT.extend([ProviderUnavailable("slow down"), ProviderUnavailable(), None])
    answer = _get_instances(client)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert CALLS["instances"] == 3


def test_a_timed_out_read_is_not_retried(tmp_path: Path) -> None:
    client = flaky_app(tmp_path).test_client()
    SCRIPT.extend([ProviderTimeout(), None])
    assert _get_instances(client).status_code == 504
    assert CALLS["instances"] == 1


def test_errors_answered_at_once_do_not_open_the_circuit(tmp_path: Path) -> None:
    app = flaky_app(tmp_path, PROVIDER_RETRIES=0, BREAKER_THRESHOLD=2)
    client = app.test_client()
    SCRIPT.extend([ProviderError("bad gateway")] * 4)
    assert [_get_instances(client).status_code for _ in range(5)] == [502] * 4 + [200]
    assert CALLS["instances"] == 5


def test_a_read_failing_every_try_is_a_503_with_retry_after(tmp_path: Path) -> None:
    client = flaky_app(tmp_path, PROVIDER_RETRIES=2).test_client()
    SCRIPT.extend([ProviderUnavailable("throttled", retry_after=1)] * 3)
    answer = _get_instances(client)
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "1"
    assert CALLS["instances"] == 3


def test_a_provider_asking_for_a_long_wait_is_not_retried(tmp_path: Path) -> None:
    client = flaky_app(tmp_path).test_client()
    SCRIPT.append(ProviderUnavailable("come back in a minute", retry_after=60))
    started = time.monotonic()
    answer = _get_instances(client)
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "60"
    assert CALLS["instances"] == 1
    assert time.monotonic() - started < 2


def test_a_write_is_never_retried(tmp_path: Path) -> None:
    client = flaky_app(tmp_path).test_client()
    SCRIPT.append(ProviderTimeout())
    answer = client.post("/api/keys", data={"name": "k1"}, headers=HEADERS)
    assert answer.status_code == 504
    assert CALLS["create_key"] == 1
    assert client.get("/api/keys/k1", headers=HEADERS).status_code == 404


def test_the_circuit_opens_fails_fast_and_closes_after_a_trial(tmp_path: Path) -> None:
    app = flaky_app(
        tmp_path, PROVIDER_RETRIES=0, BREAKER_THRESHOLD=3, BREAKER_COOLDOWN=0.5
    )
    client = app.test_client()
    SCRIPT.extend([ProviderTimeout("no answer")] * 3)
    for _ in range(3):
        assert _get_instances(client).status_code == 504
    rejected = _get_instances(client)
    assert rejected.status_code == 503
    assert "failed 3 times in a row" in rejected.get_json()["message"]
    assert int(rejected.headers["Retry-After"]) >= 1
    assert CALLS["instances"] == 3  # the open circuit did not call the provider
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'deltaflask_provider_circuits_open{driver="flaky"} 1.0' in metrics
    assert 'outcome="timeout"} 3.0' in metrics
    assert (
        'deltaflask_provider_calls_total{driver="flaky",operation="instances",'
        'outcome="rejected"} 1.0'
    ) in metrics
    time.sleep(0.6)
    assert _get_instances(client).status_code == 200  # the trial call
    assert CALLS["instances"] == 4
    assert _get_instances(client).status_code == 200
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'deltaflask_provider_circuits_open{driver="flaky"} 0.0' in metrics


def test_a_failed_trial_keeps_the_circuit_open(tmp_path: Path) -> None:
    app = flaky_app(
        tmp_path, PROVIDER_RETRIES=0, BREAKER_THRESHOLD=2, BREAKER_COOLDOWN=0.3
    )
    client = app.test_client()
    SCRIPT.extend([ProviderTimeout()] * 3)
    assert [_get_instances(client).status_code for _ in range(3)] == [504, 504, 503]
    time.sleep(0.4)
    assert _get_instances(client).status_code == 504  # the trial fails
    assert _get_instances(client).status_code == 503  # open again
    assert CALLS["instances"] == 3


def test_each_provider_has_its_own_circuit(tmp_path: Path) -> None:
    app = flaky_app(tmp_path, PROVIDER_RETRIES=0, BREAKER_THRESHOLD=2)
    client = app.test_client()
    SCRIPT.extend([ProviderUnavailable()] * 2)
    assert _get_instances(client, "down").status_code == 503
    assert _get_instances(client, "down").status_code == 503
    assert _get_instances(client, "down").status_code == 503
    assert _get_instances(client, "up").status_code == 200


def test_request_errors_do_not_open_the_circuit(tmp_path: Path) -> None:
    app = flaky_app(tmp_path, PROVIDER_RETRIES=0, BREAKER_THRESHOLD=2)
    client = app.test_client()
    SCRIPT.extend([ObjectNotFound("gone")] * 4)
    assert [_get_instances(client).status_code for _ in range(4)] == [404] * 4
    assert _get_instances(client).status_code == 200
    assert CALLS["instances"] == 5


def test_reads_and_writes_are_told_apart() -> None:
    reads = {name for name in OPERATIONS if is_read(name)}
    assert {"instances", "instance", "blob_data", "buckets", "valid_credentials"} <= (
        reads
    )
    writes = OPERATIONS - reads
    assert {"create_instance", "destroy_instance", "start_instance"} <= writes
    assert {"upload_blob_segment", "update_blob_metadata", "lb_register_instance"} <= (
        writes
    )


def test_the_ec2_frontend_passes_retry_after_on(tmp_path: Path) -> None:
    flaky_app(tmp_path)  # resets the script
    with serve(
        tmp_path / "mock",
        DRIVER="flaky",
        DATA=str(tmp_path / "data"),
        EXTRA_PLUGINS=[FlakyPlugin()],
    ) as url:
        SCRIPT.append(ProviderUnavailable("throttled", retry_after=30))
        answer = signed_post(url, {"Action": "DescribeInstances", "Version": V})
    assert answer.status_code == 503, answer.content
    assert answer.headers["Retry-After"] == "30"
    assert error_code(answer) == "RequestLimitExceeded"
