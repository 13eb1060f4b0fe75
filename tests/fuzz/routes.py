"""The routes to fuzz, read from a real app's ``url_map``, grouped in families
(the first path segment under a frontend's prefix), and requests drawn on them."""

from __future__ import annotations

import re
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from hypothesis import strategies as st

from deltaflask import create_app
from tests.fuzz import strategies as fz

PARAMETER = re.compile(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>")
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")


@dataclass(frozen=True)
class Route:
    """One URL rule and the methods it serves."""

    rule: str
    methods: tuple[str, ...]


def _families() -> dict[str, list[Route]]:
    with tempfile.TemporaryDirectory() as scratch:
        app = create_app(
            {
                "TESTING": True,
                "MOCK_STORAGE": str(Path(scratch) / "mock"),
                "CIMI_STORAGE": str(Path(scratch) / "cimi"),
                "FRONTENDS": "deltacloud,cimi,ec2",
            }
        )
        found: dict[str, list[Route]] = defaultdict(list)
        for rule in app.url_map.iter_rules():
            methods = tuple(sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}))
            found[family_of(rule.rule)].append(Route(rule.rule, methods or ("GET",)))
    return dict(found)


def family_of(rule: str) -> str:
    """``api:instances``, ``cimi:machines``, ``ec2:`` or ``root:``."""
    for prefix in ("api", "cimi", "ec2"):
        if rule == f"/{prefix}" or rule.startswith(f"/{prefix}/"):
            rest = rule[len(prefix) + 2 :]
            return f"{prefix}:{rest.split('/', 1)[0]}"
    return "root:"


FAMILIES = _families()


def families(prefix: str) -> list[str]:
    """The families of one frontend, sorted."""
    return sorted(name for name in FAMILIES if name.startswith(f"{prefix}:"))


@st.composite
def path_of(draw: st.DrawFn, rule: str) -> str:
    """``rule`` with every parameter drawn: an ``any(...)`` from its choices
    (or anything), a ``path`` with slashes, others as ids of their kind."""
    family = family_of(rule).split(":", 1)[1]

    def fill(match: re.Match[str]) -> str:
        converter, arguments, name = match.groups()
        if converter == "any" and draw(st.integers(0, 5)):
            choices = [a.strip().strip("'\"") for a in arguments.split(",")]
            return draw(st.sampled_from(choices))
        value = draw(fz.ident_for(name, family))
        return fz.wire(value, safe="/" if converter == "path" else "")

    return PARAMETER.sub(fill, rule)


@st.composite
def method_for(draw: st.DrawFn, route: Route) -> str:
    """One of the route's methods, now and then any method."""
    if draw(st.integers(0, 7)) == 0:
        return draw(st.sampled_from(METHODS))
    return draw(st.sampled_from(route.methods))


@st.composite
def matrix(draw: st.DrawFn) -> str:
    """Sometimes matrix parameters for the prefix (``;driver=...;provider=...``)."""
    if draw(st.integers(0, 5)):
        return ""
    pairs = draw(
        st.lists(
            st.tuples(
                st.sampled_from(("driver", "provider", "x")),
                st.one_of(fz.driver_value, fz.provider_value),
            ),
            min_size=1,
            max_size=2,
        )
    )
    return "".join(f";{fz.wire(k)}={fz.wire(v)}" for k, v in pairs)
