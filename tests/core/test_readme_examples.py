"""The README's examples, run as written against a live server.

A ```` ```sh ```` block that follows ``<!-- examples run on: ARGS -->`` is run in
order against a fresh ``deltaflask ARGS`` started as a user would (its own data
folder, a free loopback port; ``moto`` among ARGS starts a moto server and
points the ec2 driver at it). Every ``curl`` or ``aws`` command in such a block
ends with a comment saying what it returns: ``# 200 XML``, ``# 303 HTML``,
``# 204``, ``# exit 0 JSON`` (text after a colon is for the reader). The test
checks the status or exit code, the media type and that the body parses. A
``curl`` or ``aws`` command anywhere else in the README fails the test, so no
example goes unchecked and the README cannot drift from what a user sees.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from defusedxml import ElementTree

from tests.support.readme import README
from tests.support.readme import README_ADDRESS
from tests.support.readme import live_server

DIRECTIVE = re.compile(r"<!-- examples run on: (?P<args>[^>]*?) -->\s*\n```sh\n")
BLOCK = re.compile(r"```sh\n(?P<body>.*?)```", re.S)
CLIENT = re.compile(r"(^|[\s;&|(])(curl|aws)\s")
EXPECTED = re.compile(
    r"\s#\s*(?:(?P<status>\d{3})|exit (?P<exit>\d+))"
    r"(?:\s+(?P<kind>XML|JSON|HTML|text))?(?::.*)?$"
)
MEDIA_TYPES = {
    "XML": ("application/xml", "text/xml", "application/cimi+xml"),
    "JSON": ("application/json",),
    "HTML": ("text/html",),
    "text": ("text/plain",),
}


@dataclass
class Example:
    """One command of the README and what it is said to return."""

    block: int
    command: str
    status: int | None
    exit_code: int | None
    kind: str | None

    @property
    def label(self) -> str:
        return f"block {self.block}: {' '.join(self.command.split())[:90]}"


def logical_lines(body: str) -> Iterator[str]:
    """Shell commands of a block: continuation lines and open quotes joined."""
    pending = ""
    for line in body.splitlines():
        pending = f"{pending}\n{line}" if pending else line
        if pending.endswith("\\"):
            continue
        try:
            shlex.split(pending, comments=True)
        except ValueError:  # a quote still open: the command goes on
            continue
        if pending.strip():
            yield pending
        pending = ""
    assert not pending, f"unfinished command in the README: {pending!r}"


def examples(text: str) -> tuple[dict[int, str], list[Example], list[str]]:
    """The servers to start, the examples, and unchecked client commands."""
    servers: dict[int, str] = {}
    found: list[Example] = []
    unchecked: list[str] = []
    directed = {match.end(): match["args"] for match in DIRECTIVE.finditer(text)}
    for number, block in enumerate(BLOCK.finditer(text)):
        args = directed.get(block.start() + len("```sh\n"))
        for command in logical_lines(block["body"]):
            if command.lstrip().startswith("#") or not CLIENT.search(command):
                continue
            last = command.rsplit("\n", 1)[-1]
            expected = EXPECTED.search(last)
            if args is None or expected is None:
                unchecked.append(command)
                continue
            servers[number] = args
            found.append(
                Example(
                    block=number,
                    command=command[: len(command) - len(last)]
                    + last[: expected.start()],
                    status=int(expected["status"]) if expected["status"] else None,
                    exit_code=int(expected["exit"]) if expected["exit"] else None,
                    kind=expected["kind"],
                )
            )
    return servers, found, unchecked


SERVERS, EXAMPLES, UNCHECKED = examples(README.read_text(encoding="utf-8"))


def test_every_client_command_of_the_readme_is_checked() -> None:
    assert EXAMPLES, "no runnable examples found in the README"
    assert not UNCHECKED, (
        "README commands with no '# <status> <format>' comment or outside a block "
        "marked '<!-- examples run on: ... -->':\n" + "\n".join(UNCHECKED)
    )


def check_body(kind: str | None, body: bytes) -> None:
    """The body parses as the kind the README names."""
    if kind == "XML":
        ElementTree.fromstring(body)
    elif kind == "JSON":
        json.loads(body)


def run_example(example: Example, address: str, env: dict[str, str], tmp: Path) -> None:
    command = example.command.replace(README_ADDRESS, address)
    if example.exit_code is not None:
        done = subprocess.run(
            ["bash", "-c", command], env=env, capture_output=True, timeout=120
        )
        assert done.returncode == example.exit_code, (
            f"{example.label}\n{done.stderr.decode(errors='replace')}"
        )
        check_body(example.kind, done.stdout)
        return
    body = tmp / "body"
    command = f"{command} -s -o {shlex.quote(str(body))} -w '%{{http_code}} %{{content_type}}'"
    done = subprocess.run(
        ["bash", "-c", command], env=env, capture_output=True, timeout=120, text=True
    )
    assert done.returncode == 0, f"{example.label}\n{done.stderr}"
    status, _, content_type = done.stdout.partition(" ")
    assert int(status) == example.status, f"{example.label}: answered {status}"
    media_type = content_type.split(";")[0].strip()
    if example.kind is None:
        assert not body.exists() or not body.read_bytes(), (
            f"{example.label}: a body of {media_type} the README does not mention"
        )
    else:
        assert media_type in MEDIA_TYPES[example.kind], (
            f"{example.label}: {media_type}, the README says {example.kind}"
        )
        check_body(example.kind, body.read_bytes())
    if body.exists():
        body.unlink()


@pytest.mark.parametrize("block", sorted(SERVERS))
def test_readme_examples_answer_as_written(block: int, tmp_path: Path) -> None:
    assert shutil.which("curl"), "curl is needed to run the README's examples"
    with live_server(SERVERS[block], tmp_path) as (address, env):
        for example in [e for e in EXAMPLES if e.block == block]:
            run_example(example, address, env, tmp_path)
