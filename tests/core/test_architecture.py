"""The shape of the code: no import loops, and no frontend that knows a driver.

The import graph is read from the source (``ast``), every ``import`` counted,
those inside functions too (a function-level import hides a loop, it does not
remove it); only ``if TYPE_CHECKING:`` blocks are left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support.paths import REPO

ROOT = REPO
#: source folder -> the package it is installed as
PACKAGES = {"deltaflask": "deltaflask", "plugins": "deltaflask.plugins"}
FRONTENDS = ("cimi", "deltacloud", "ec2_frontend")
#: every other plugin package is a driver
DRIVERS = tuple(
    sorted(
        folder.name
        for folder in (ROOT / "plugins").iterdir()
        if (folder / "__init__.py").exists() and folder.name not in FRONTENDS
    )
)


def _modules() -> dict[str, Path]:
    found = {}
    for folder, package in PACKAGES.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = [package, *path.relative_to(ROOT / folder).with_suffix("").parts]
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _known(name: str) -> str | None:
    """The longest module of the tree that ``name`` lies in, if any."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _type_checking_nodes(tree: ast.Module) -> set[int]:
    hidden = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            hidden.update(id(sub) for stmt in node.body for sub in ast.walk(stmt))
    return hidden


def _imports(module: str, path: Path) -> set[str]:
    """The modules of the tree ``module`` imports (``from pkg import sub``
    counts as importing ``pkg.sub``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    hidden = _type_checking_nodes(tree)
    names: list[str] = []
    for node in ast.walk(tree):
        if id(node) in hidden:
            continue
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".")
                if path.name != "__init__.py":
                    package.pop()
                package = package[: len(package) - node.level + 1]
                base = ".".join([*package, *([base] if base else [])])
            for alias in node.names:
                full = f"{base}.{alias.name}"
                names.append(full if full in MODULES else base)
    return {known for name in names if (known := _known(name)) not in (None, module)}


GRAPH = {module: _imports(module, path) for module, path in MODULES.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_graph_sees_the_frontends_and_their_imports() -> None:
    assert "deltaflask.plugins.deltacloud.blueprint" in MODULES
    assert (
        "deltaflask.plugins.deltacloud.errors"
        in (GRAPH["deltaflask.plugins.deltacloud.blueprint"])
    )


def test_the_cycle_finder_finds_a_loop() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]


def test_deltaflask_and_its_plugins_have_no_import_loop() -> None:
    assert _cycles(GRAPH) == []


def test_no_frontend_imports_a_driver() -> None:
    frontends = tuple(f"deltaflask.plugins.{name}" for name in FRONTENDS)
    drivers = tuple(f"deltaflask.plugins.{name}" for name in DRIVERS)
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        if module.startswith(frontends)
        for target in targets
        if target in drivers or target.startswith(tuple(d + "." for d in drivers))
    )
    assert wrong == []


def test_frontends_leave_the_request_chores_to_the_core_shell() -> None:
    """Cross-site refusal, body caps, ETags and the driver-choice headers are
    handled once, in ``deltaflask.shell``; a frontend only describes its shell."""
    chores = (
        "refuse_cross_site(",
        "add_etag(",
        "max_content_length =",
        'headers.get("X-Deltacloud-',
    )
    wrong = sorted(
        f"{module} uses {chore}"
        for module, path in MODULES.items()
        if module.startswith(tuple(f"deltaflask.plugins.{f}" for f in FRONTENDS))
        for chore in chores
        if chore in path.read_text(encoding="utf-8")
    )
    assert wrong == []
