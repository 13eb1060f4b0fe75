"""Fuzz of the classic API (``/api``) and the root pages, one test per family.

Each example sends one request on a route of the family (from ``url_map``):
path parameters as real, hostile or generated ids, matrix and query
parameters, odd headers and a form, multipart, JSON or raw body. The answer
goes through the oracle of :mod:`tests.fuzz.support`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz import routes
from tests.fuzz import strategies as fz
from tests.fuzz.support import FUZZ
from tests.fuzz.support import Fuzzed
from tests.fuzz.support import run_per_family

#: parameter names the classic views read (queries and form fields)
FIELDS = (
    "format", "id", "state", "realm_id", "image_id", "owner_id", "architecture",
    "instance_id", "hwp_id", "hwp_memory", "hwp_cpu", "hwp_storage",
    "hwp_architecture", "name", "keyname", "user_data", "firewalls1",
    "network_id", "subnet_id", "capacity", "snapshot_id", "volume_id",
    "description", "device", "blob_id", "blob_data", "meta_params", "meta_name1",
    "meta_value1", "key_name", "public_key", "address_block", "protocol",
    "port_from", "port_to", "ip_address", "group", "listener_protocol",
    "listener_balancer_port", "listener_instance_port", "realm_id", "network",
    "instance", "force_auth", "cmd", "private_key", "password", "ip", "port",
    "page", "_method", "_csrf_token", "api[driver]", "api[provider]",
)  # fmt: skip


@st.composite
def api_request(draw: st.DrawFn, family: str) -> dict[str, object]:
    """One request on a route of ``family``."""
    route = draw(st.sampled_from(routes.FAMILIES[family]))
    method = draw(routes.method_for(route))
    path = draw(routes.path_of(route.rule))
    if path.startswith("/api"):
        path = "/api" + draw(routes.matrix()) + path[len("/api") :]
    request: dict[str, object] = {
        "method": method,
        "path": path,
        "query_string": fz.query_string(draw(fz.queries(FIELDS))),
        "headers": draw(fz.headers()),
    }
    if method not in ("GET", "HEAD") or draw(st.integers(0, 9)) == 0:
        kind, body = draw(fz.bodies(FIELDS))
        request["data"] = body
        if kind is not None:
            request["content_type"] = kind
    return request


@pytest.mark.parametrize("family", [*routes.families("api"), "root:"])
def test_api_family(family: str, tmp_path: Path) -> None:
    """No request on the family gets a 5xx, a leak, a broken document or,
    refused, a change to the stores."""
    fuzzed = Fuzzed(tmp_path)

    @FUZZ
    @given(request=api_request(family))
    def one(request: dict[str, object]) -> None:
        fuzzed.send(family, f"{family} {request['method']}", **request)

    run_per_family(one, family)
    fuzzed.finish()
