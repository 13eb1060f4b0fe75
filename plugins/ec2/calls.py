"""Small helpers around boto3 calls shared by the driver's mixins."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from contextlib import contextmanager
from typing import Any
from typing import TypeVar

from deltaflask.drivers.base import as_list
from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ValidationFailure
from deltaflask.plugins.ec2.errors import aws_errors

#: error code endings that mean "no such id" when looking resources up by id
MISSING_SUFFIXES = (".NotFound", ".Malformed", "NotFound", ".Unavailable")
NAME_TAG = "Name"
DESCRIPTION_TAG = "Description"

T = TypeVar("T")


def lookup(
    call: Callable[..., Mapping[str, Any]], key: str, **kwargs: Any
) -> list[Any]:
    """``call(**kwargs)[key]``; an unknown or malformed id gives an empty list."""
    from botocore.exceptions import ClientError

    with aws_errors():
        try:
            return list(call(**kwargs).get(key) or [])
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code") or "")
            if code.endswith(MISSING_SUFFIXES):
                return []
            raise


def paged(client: Any, operation: str, key: str, **kwargs: Any) -> list[Any]:
    """Every item under ``key`` of a describe call, following pagination."""
    with aws_errors():
        if not client.can_paginate(operation):
            return list(getattr(client, operation)(**kwargs).get(key) or [])
        items: list[Any] = []
        for page in client.get_paginator(operation).paginate(**kwargs):
            items.extend(page.get(key) or [])
        return items


def ids_of(filters: Mapping[str, Any], name: str = "id") -> list[str]:
    """The ids a filter asks for (empty when it asks for none)."""
    value = filters.get(name)
    return as_list(value) if value not in (None, "") else []


def by_ids(parameter: str, filters: Mapping[str, Any]) -> dict[str, Any]:
    """``{parameter: ids}`` for the ids a filter asks for, else nothing."""
    wanted = ids_of(filters)
    return {parameter: wanted} if wanted else {}


def only(found: list[T], what: str) -> T:
    """The first of ``found``, or a 404 saying ``what`` was not found."""
    if not found:
        raise ObjectNotFound(f"{what} not found")
    return found[0]


def where(name: str, values: list[str]) -> dict[str, Any]:
    """``Filters`` keeping resources whose ``name`` is one of ``values``."""
    return {"Filters": [{"Name": name, "Values": values}]} if values else {}


def tag(item: Mapping[str, Any], key: str = NAME_TAG) -> str | None:
    """The value of tag ``key`` of an EC2 resource, if set."""
    for entry in item.get("Tags") or item.get("TagSet") or ():
        if entry.get("Key") == key:
            return str(entry.get("Value"))
    return None


def tagged(
    resource: str, name: str | None, description: str | None = None
) -> dict[str, Any]:
    """``TagSpecifications`` giving a new resource its name and description
    tags (nothing when neither is given), to pass as keyword arguments."""
    tags = [
        {"Key": key, "Value": value}
        for key, value in ((NAME_TAG, name), (DESCRIPTION_TAG, description))
        if value
    ]
    if not tags:
        return {}
    return {"TagSpecifications": [{"ResourceType": resource, "Tags": tags}]}


@contextmanager
def referenced(what: str) -> Iterator[None]:
    """A missing resource named in a request's body is bad input (400), not 404."""
    try:
        yield
    except ObjectNotFound as exc:
        raise ValidationFailure(f"{what} does not exist: {exc.message}") from None


def cidr(value: str | None, what: str = "address_block") -> str:
    """A CIDR block in canonical form, or a 400 saying what is wrong."""
    try:
        return str(ipaddress.ip_network((value or "").strip(), strict=True))
    except ValueError as exc:
        raise ValidationFailure(f"Invalid {what} '{value}': {exc}") from None


def port(value: str, what: str, low: int = 0) -> int:
    """A port number between ``low`` and 65535, or a 400."""
    try:
        number = int(str(value).strip())
    except ValueError:
        message = f"{what} must be a port number, not '{value}'"
        raise ValidationFailure(message) from None
    if not low <= number <= 65535:
        raise ValidationFailure(f"{what} must lie between {low} and 65535")
    return number


def timestamp(value: Any) -> str | None:
    """An AWS datetime as ISO 8601 text."""
    return value.isoformat() if hasattr(value, "isoformat") else value
