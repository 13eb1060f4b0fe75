"""How the command line shows objects: a readable table, JSON or the
server's XML."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from deltaflask.client.resource import Resource

FORMATS = ("table", "json", "xml")
WIDE = 100_000


def cell(value: Any) -> str:
    """One value as table text: links by id, lists joined, dicts as k=v."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        if "id" in value and ("href" in value or "rel" in value):
            return str(value["id"])
        if "address" in value:
            return str(value["address"])
        return ", ".join(f"{k}={cell(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(cell(item) for item in value)
    return str(value)


def table_of(
    items: Sequence[Resource], columns: Sequence[str], lines: box.Box | None
) -> Table:
    """One row per object, the given columns."""
    table = Table(box=lines, show_edge=False)
    for column in columns:
        table.add_column(column.upper(), overflow="fold")
    for item in items:
        table.add_row(*(cell(item.data.get(column)) for column in columns))
    return table


def details_of(data: dict[str, Any], lines: box.Box | None) -> Table:
    """One object as field/value rows (action links by name)."""
    table = Table(box=lines, show_edge=False, show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    for key, value in data.items():
        if key == "actions":
            value = [link.get("rel") for link in value or []]
        table.add_row(key, cell(value))
    return table


class Printer:
    """Writes results to stdout in the chosen format."""

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt
        # piped output: each row on one line, whatever its width, no box lines
        terminal = sys.stdout.isatty()
        width = None if terminal else WIDE
        self.lines = box.SIMPLE_HEAD if terminal else None
        self.console = Console(soft_wrap=False, highlight=False, width=width)

    def raw(self, text: str) -> None:
        """Text as it is (JSON or XML documents)."""
        print(text.rstrip("\n"))

    def data(self, document: Any) -> None:
        """A JSON document."""
        self.raw(json.dumps(document, indent=2, ensure_ascii=False))

    def items(self, items: Sequence[Resource], columns: Sequence[str]) -> None:
        """A list of objects (XML is fetched by the caller)."""
        if self.fmt == "json":
            self.data([item.data for item in items])
        else:
            self.console.print(table_of(items, columns, self.lines))

    def one(self, item: Resource) -> None:
        """One object."""
        if self.fmt == "json":
            self.data(item.data)
        elif self.fmt == "xml":
            self.raw(item.xml())
        else:
            self.console.print(details_of(item.data, self.lines))
