"""deltaflask.openapi.requests and .answers read a view's source: what it
reads of its request and how it answers. The views below are read, never run."""

from __future__ import annotations

import re

from flask import Response
from flask import request

from deltaflask.openapi.answers import Primitive
from deltaflask.openapi.answers import answers
from deltaflask.openapi.requests import Readers
from deltaflask.openapi.requests import reading
from deltaflask.openapi.types import Components
from deltaflask.plugins.deltacloud.params import positive_number
from deltaflask.plugins.deltacloud.params import request_params
from deltaflask.plugins.deltacloud.params import require
from deltaflask.plugins.deltacloud.params import whole_number
from deltaflask.plugins.deltacloud.render import empty
from deltaflask.plugins.deltacloud.views.openapi import READERS

SIZES = ("small", "large")
TAG = re.compile(r"tag[0-9]+")


def create_view() -> None:
    params = request_params()
    require(params, "name", "count")
    whole_number(params.get("count") or "1", "count", 1, 10)
    for size in SIZES:
        if params.get(f"size_{size}"):
            positive_number(params[f"size_{size}"], f"size_{size}")
    tags = [v for k, v in params.items() if TAG.match(k) or k.startswith("label")]
    _helper(params, "X-Trace")
    print(tags, params.get("note"), params.get("flag") in ("true", "on"))


def _helper(values: dict[str, str], header: str) -> None:
    print(values["extra"], request.headers.get(header), request.files.get("upload"))


def upload_view() -> Response:
    print(request.stream.read())
    if request.args.get("done"):
        return _answer(202)
    return empty()


def _answer(status: int = 200) -> Response:
    return empty(status)


def test_reading_finds_fields_types_patterns_and_parameters() -> None:
    read = reading(create_view, READERS)
    assert read.required == ["name", "count"]
    assert set(read.schema()["properties"]) == {
        "name",
        "count",
        "size_small",
        "size_large",
        "note",
        "flag",
        "extra",
        "upload",
    }
    assert (read.fields["count"]["minimum"], read.fields["count"]["maximum"]) == (1, 10)
    assert "number" in read.fields["size_large"]["type"]
    assert "boolean" in read.fields["flag"]["type"]
    assert read.fields["note"] == {"type": "string"}
    assert set(read.patterns) == {TAG.pattern, "^label"}
    assert read.files == ["upload"]
    assert read.parameters == {"header": ["X-Trace"]}
    assert not read.raw


def test_reading_a_streamed_body() -> None:
    read = reading(upload_view, READERS)
    assert read.raw and read.empty
    assert read.parameters == {"query": ["done"]}


def test_readers_name_the_frontends_functions() -> None:
    nothing = Readers(frozenset({"other"}), "demand", "choose", {})
    read = reading(create_view, nothing)
    assert not (read.fields or read.patterns or read.required)
    assert read.files == ["upload"]  # not read from the parameters


def test_answers_follow_helpers_with_their_status() -> None:
    def recognize(target: object) -> Primitive | None:
        return Primitive(204, status_at=0) if target is empty else None

    found = answers(upload_view, recognize, Components(), __name__)
    assert found.bodies == {202: None, 204: None}
