"""OpenNebula templates as oned reads them: XML or the ``KEY = "value"`` syntax.

Both forms arrive over XML-RPC (pyone sends a flat dict as
``KEY="value"`` lines and a nested one as XML); both become a dict of text,
dicts (vector attributes such as ``NIC = [ ... ]``) and lists of dicts
(repeated vectors).
"""

from __future__ import annotations

import re
from typing import Any
from xml.etree import ElementTree

Template = dict[str, Any]

_ATTRIBUTE = re.compile(
    r"""\s*([A-Za-z_][\w-]*)\s*=\s*(?:\[(?P<vector>[^\]]*)\]|"(?P<quoted>(?:[^"\\]|\\.)*)"|(?P<bare>[^\s,\]]+))""",
    re.S,
)


class TemplateError(ValueError):
    """The template cannot be parsed (oned answers with an API error)."""


def parse(source: str) -> Template:
    """The attributes of ``source`` (XML or OpenNebula's template syntax)."""
    stripped = source.strip()
    if not stripped:
        return {}
    if stripped.startswith("<"):
        try:
            root = ElementTree.fromstring(stripped)
        except ElementTree.ParseError as exc:
            raise TemplateError(f"Parse error: {exc}") from None
        return _from_element(root)
    return _from_text(stripped)


def _from_element(node: ElementTree.Element) -> Template:
    parsed: Template = {}
    for child in node:
        value: Any = _from_element(child) if len(child) else (child.text or "").strip()
        add(parsed, child.tag.upper(), value)
    return parsed


def _from_text(source: str) -> Template:
    parsed: Template = {}
    position = 0
    while position < len(source):
        found = _ATTRIBUTE.match(source, position)
        if found is None:
            if source[position:].strip():
                raise TemplateError(
                    f"syntax error, unexpected {source[position : position + 10]!r}"
                )
            break
        name = found.group(1).upper()
        if found.group("vector") is not None:
            add(parsed, name, _from_vector(found.group("vector")))
        else:
            value = found.group("quoted")
            if value is None:
                value = found.group("bare")
            add(parsed, name, value.replace('\\"', '"'))
        position = found.end()
        while position < len(source) and source[position] in " \t\r\n,":
            position += 1
    return parsed


def _from_vector(body: str) -> dict[str, str]:
    vector: dict[str, str] = {}
    for found in _ATTRIBUTE.finditer(body):
        value = found.group("quoted")
        vector[found.group(1).upper()] = found.group("bare") if value is None else value
    return vector


def add(template: Template, name: str, value: Any) -> None:
    """Set ``name``; a second vector of the same name makes a list."""
    if name not in template:
        template[name] = value
    elif isinstance(template[name], list):
        template[name].append(value)
    else:
        template[name] = [template[name], value]


def merge(base: Template, extra: Template) -> Template:
    """``base`` with every attribute of ``extra`` replacing its namesakes, as
    ``one.template.instantiate`` merges the extra template."""
    merged = {key: value for key, value in base.items() if key not in extra}
    merged.update(extra)
    return merged


def vectors(template: Template, name: str) -> list[dict[str, Any]]:
    """Every vector attribute ``name`` (``NIC``, ``DISK``) as a list."""
    value = template.get(name)
    if value is None:
        return []
    return [
        v
        for v in (value if isinstance(value, list) else [value])
        if isinstance(v, dict)
    ]
