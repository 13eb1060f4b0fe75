"""The fuzz's app, request sender and oracle (issue 19: "Keep finding them").

Every answer is checked by :func:`check_answer`: no 5xx, no traceback or source
path in the body, a well-formed document wherever the answer claims XML or
JSON, and, for a 4xx, the mock and CIMI stores byte for byte as they were.

Settings come from the environment:

* ``DELTAFLASK_FUZZ_EXAMPLES``: examples per test (CI default below); raise it
  to search longer locally.
* ``DELTAFLASK_FUZZ_COLLECT=1``: record every failing answer instead of
  stopping at the first, and fail each test once with the whole list (no
  shrinking); for a findings list.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as SafeET
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck
from hypothesis import settings
from werkzeug.test import TestResponse

import deltaflask
from deltaflask import create_app
from tests.support.auth import MOCK_AUTH

#: examples per test in CI; each test sends one request per example
CI_EXAMPLES = 60
EXAMPLES = int(os.environ.get("DELTAFLASK_FUZZ_EXAMPLES") or CI_EXAMPLES)
COLLECT = os.environ.get("DELTAFLASK_FUZZ_COLLECT") == "1"

#: a fixed, derandomized profile: CI sees the same requests on every run
FUZZ = settings(
    derandomize=True,
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    print_blob=False,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
        HealthCheck.large_base_example,
    ],
)

REPO = str(Path(deltaflask.__file__).resolve().parent.parent)
#: what no answer may show (plus the repository's own path)
LEAKS = ("Traceback", 'File "', "/site-packages/", '.py"', REPO)
XML_TYPES = ("application/xml", "text/xml")
JSON_TYPES = ("application/json",)
#: an unroutable endpoint: a request that still reached the ec2 driver fails fast
NOWHERE = "http://127.0.0.1:9"

#: requests sent, by frontend and by family (printed at the end of the run)
SENT: Counter[str] = Counter()
#: answers by status class (2xx, 3xx, 4xx, 5xx)
STATUSES: Counter[str] = Counter()
#: when the first fuzz request went out
STARTED: dict[str, float] = {}


@dataclass
class Fuzzed:
    """One app on a fresh mock cloud with every frontend, and its stores."""

    root: Path
    app: Flask = field(init=False)
    client: FlaskClient = field(init=False)
    findings: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.app = create_app(
            {
                "TESTING": True,
                "MOCK_STORAGE": str(self.root / "mock"),
                "CIMI_STORAGE": str(self.root / "cimi"),
                "FRONTENDS": "deltacloud,cimi,ec2",
                "EC2_ENDPOINT_URL": NOWHERE,
            }
        )
        # no cookie jar: a driver chosen by one request must not stick
        self.client = self.app.test_client(use_cookies=False)
        self.warm_up()

    def warm_up(self) -> None:
        """Seed both stores, so a refused request's first use seeds nothing."""
        for path in ("/api/instances", "/cimi/systems"):
            answer = self.client.get(path, headers={"Authorization": MOCK_AUTH})
            assert answer.status_code == 200, answer.get_data(as_text=True)

    def send(self, family: str, label: str, **request: Any) -> TestResponse | None:
        """Send ``request`` (``Client.open`` keywords) and check the answer;
        ``None`` when the app raised (a finding)."""
        STARTED.setdefault("at", time.monotonic())
        before = snapshot(self.root)
        SENT[family.split(":", 1)[0]] += 1
        SENT[family] += 1
        try:
            answer = self.client.open(**request)
        except Exception as error:  # TESTING propagates what no handler caught
            self.fail(label, request, f"raised {type(error).__name__}: {error}")
            return None
        answer.close()  # closes the request's upload files too
        STATUSES[f"{answer.status_code // 100}xx"] += 1
        problems = check_answer(answer, request.get("method", "GET"))
        if 400 <= answer.status_code < 500:
            changed = compare(before, snapshot(self.root))
            if changed:
                problems.append(
                    f"refused with {answer.status_code} but changed {changed}"
                )
        for problem in problems:
            self.fail(label, request, problem, answer)
        return answer

    def fail(
        self,
        label: str,
        request: Mapping[str, Any],
        problem: str,
        answer: TestResponse | None = None,
    ) -> None:
        """Raise (or, collecting, record) one finding with its reproduction."""
        text = f"{label}: {problem}\n{reproduction(request)}"
        if answer is not None:
            text += f"\n  -> {answer.status} {answer.get_data()[:300]!r}"
        if not COLLECT:
            raise AssertionError(text)
        self.findings.append(text)

    def finish(self) -> None:
        """Fail with every finding recorded while collecting."""
        if self.findings:
            unique = sorted(set(self.findings))
            raise AssertionError(
                f"{len(unique)} findings:\n\n" + "\n\n".join(unique[:200])
            )


def run_per_family(test: Any, family: str) -> None:
    """Run a ``@given`` test with examples of its own for ``family`` (the
    derandomized seed comes from the test's digest, as for a parametrized test)."""
    test.hypothesis.inner_test._hypothesis_internal_add_digest = family.encode()
    test()


def check_answer(answer: TestResponse, method: str) -> list[str]:
    """What is wrong with ``answer`` (empty when nothing)."""
    problems = []
    if answer.status_code >= 500:
        problems.append(f"server error {answer.status_code}")
    body = answer.get_data()
    text = body.decode("utf-8", "replace")
    problems += [f"body shows {leak!r}" for leak in LEAKS if leak in text]
    if method == "HEAD" or answer.status_code in (204, 304):
        return problems
    mimetype = answer.mimetype or ""
    if mimetype in XML_TYPES or mimetype.endswith("+xml"):
        try:
            SafeET.fromstring(body)
        except Exception as error:
            problems.append(f"claims {mimetype} but is not XML ({error})")
    elif mimetype in JSON_TYPES or mimetype.endswith("+json"):
        try:
            json.loads(body)
        except ValueError as error:
            problems.append(f"claims {mimetype} but is not JSON ({error})")
    return problems


def snapshot(root: Path) -> dict[str, bytes]:
    """Every stored file under ``root`` (name -> contents), lock files aside."""
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in root.rglob("*")
        if path.is_file() and path.name != ".lock"
    }


def compare(before: dict[str, bytes], after: dict[str, bytes]) -> list[str]:
    """The files added, removed or changed between two snapshots."""
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    changed = sorted(k for k in set(before) & set(after) if before[k] != after[k])
    return (
        [f"+{name}" for name in added]
        + [f"-{name}" for name in removed]
        + [f"~{name}" for name in changed]
    )[:10]


def reproduction(request: Mapping[str, Any]) -> str:
    """A curl-like account of ``request``."""
    method = request.get("method", "GET")
    path = request.get("path", "/")
    query = request.get("query_string")
    if query:
        path += "?" + (query.decode("latin-1") if isinstance(query, bytes) else query)
    lines = [f"  {method} {path[:400]}"]
    for name, value in (request.get("headers") or {}).items():
        lines.append(f"  {name}: {str(value)[:200]!r}")
    if request.get("content_type"):
        lines.append(f"  Content-Type: {request['content_type']}")
    data = request.get("data")
    if data:
        lines.append(f"  body ({len(data)} bytes): {data[:300]!r}")
    return "\n".join(lines)


def summary() -> str:
    """The request count of the run, by frontend."""
    frontends = {k: v for k, v in SENT.items() if ":" not in k}
    total = sum(frontends.values())
    parts = ", ".join(f"{name} {count}" for name, count in sorted(frontends.items()))
    answers = ", ".join(f"{k} {v}" for k, v in sorted(STATUSES.items()))
    return (
        f"fuzz: {total} requests ({parts}; answers {answers}) at {EXAMPLES} "
        "examples per test, "
        f"{time.monotonic() - STARTED.get('at', time.monotonic()):.0f} s"
    )
