"""Render action results as EC2 XML: ``<{Action}Response>`` with ``requestId``.

A result is a mapping of element names to values: ``None`` leaves the element
out, booleans become ``true``/``false``, mappings nest and lists become
``<item>`` sequences (an empty list gives an empty element, as boto3 expects).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from datetime import UTC
from datetime import datetime
from typing import Any

from flask import Response

from deltaflask.request_log import current_request_id
from deltaflask.text import xml_safe

NAMESPACE = "http://ec2.amazonaws.com/doc/2016-11-15/"
TIME_FORMATS = (
    "%Y-%m-%dT%H:%M:%S.%fZ",
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%d %H:%M:%S %z",
    "%a %b %d %H:%M:%S UTC %Y",
    "%a %b %d %H:%M:%S %Z %Y",
)


def respond(action: str, result: Mapping[str, Any]) -> Response:
    """The XML response of ``action`` carrying ``result``."""
    root = ET.Element(f"{action}Response", xmlns=NAMESPACE)
    ET.SubElement(root, "requestId").text = current_request_id()
    _fill(root, result)
    body = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root)
    return Response(body, mimetype="text/xml")


def _fill(parent: ET.Element, result: Mapping[str, Any]) -> None:
    for name, value in result.items():
        if value is not None:
            _add(parent, name, value)


def _add(parent: ET.Element, name: str, value: Any) -> None:
    element = ET.SubElement(parent, name)
    if isinstance(value, Mapping):
        _fill(element, value)
    elif isinstance(value, list):
        for entry in value:
            _add(element, "item", entry)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    else:
        element.text = xml_safe(str(value))


def iso_time(value: str | None) -> str | None:
    """A driver timestamp as ISO 8601 UTC (``None`` when it cannot be read)."""
    parsed = _parsed(value) if value else None
    if parsed is None:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC)
    return parsed.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _parsed(value: str) -> datetime | None:
    for fmt in TIME_FORMATS:
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    try:  # other ISO 8601 forms, such as OpenStack's zone-less UTC times
        return datetime.fromisoformat(value)
    except ValueError:
        return None
