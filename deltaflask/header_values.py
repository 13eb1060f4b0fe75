"""What may travel in an HTTP header: checks on the way in, encoding on the way out.

Blob metadata and the driver and provider choices are echoed in response
headers, so they are held to what a header can carry: names are RFC 7230
tokens, values printable Latin-1 without CR or LF. Values that some back end
holds anyway (stored before these checks, or by another client of the
provider) are encoded on the way out (RFC 2047) and unusable names dropped, so
no response carries a broken header.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from urllib.parse import quote

from deltaflask.errors import ValidationFailure

#: RFC 7230 ``token``: the characters of a header name
TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
#: a header value as received and stored: tab, printable ASCII and Latin-1
_VALUE = re.compile(r"[\t\x20-\x7e\xa0-\xff]*")
#: a header value sent as is: tab and printable ASCII
_PLAIN = re.compile(r"[\t\x20-\x7e]*")
#: a driver name (an entry point name)
_DRIVER = re.compile(r"[A-Za-z0-9_.-]{1,64}")
#: a provider: a region, zone, endpoint URL ... in printable ASCII
_PROVIDER = re.compile(r"[\x21-\x7e](?:[\x20-\x7e]{0,1022}[\x21-\x7e])?")
MAX_NAME = 128
MAX_VALUE = 4096
MAX_ENTRIES = 100


def is_token(name: str) -> bool:
    """Whether ``name`` can be (part of) a header name."""
    return TOKEN.fullmatch(name) is not None


def is_header_text(value: str) -> bool:
    """Whether ``value`` is printable Latin-1 without CR, LF or other controls."""
    return _VALUE.fullmatch(value) is not None


def check_metadata(metadata: Mapping[str, str]) -> None:
    """Refuse (400) metadata a response header could not carry.

    The message names the offending entry by position, never by its text.
    """
    if len(metadata) > MAX_ENTRIES:
        raise ValidationFailure(f"At most {MAX_ENTRIES} metadata entries per blob")
    for position, (name, value) in enumerate(metadata.items(), start=1):
        if not isinstance(name, str) or not is_token(name) or len(name) > MAX_NAME:
            raise ValidationFailure(
                f"Metadata name {position} is not a valid HTTP header name: use "
                f"letters, digits and !#$%&'*+-.^_`|~ only (at most {MAX_NAME})"
            )
        if not isinstance(value, str) or not is_header_text(value):
            raise ValidationFailure(
                f"Metadata value {position} may hold printable Latin-1 text only "
                "(no line breaks or control characters)"
            )
        if len(value) > MAX_VALUE:
            raise ValidationFailure(
                f"Metadata value {position} is longer than {MAX_VALUE} characters"
            )


def header_value(value: str) -> str:
    """``value`` as is when it is printable ASCII, else an RFC 2047 encoded word."""
    if _PLAIN.fullmatch(value):
        return value
    encoded = base64.b64encode(value.encode("utf-8", "replace")).decode("ascii")
    return f"=?UTF-8?B?{encoded}?="


def metadata_headers(prefix: str, metadata: Mapping[str, str]) -> dict[str, str]:
    """``{prefix + name: value}`` for every entry a header can carry: names
    that are no token are left out, values encoded by :func:`header_value`."""
    return {
        f"{prefix}{name}": header_value(str(value))
        for name, value in metadata.items()
        if isinstance(name, str) and is_token(name)
    }


def is_choice(kind: str, value: str) -> bool:
    """Whether ``value`` can name a driver (``kind="driver"``) or a provider."""
    pattern = _DRIVER if kind == "driver" else _PROVIDER
    return pattern.fullmatch(value) is not None


def check_choice(kind: str, value: str) -> str:
    """``value`` if it can name a driver or provider (they are echoed in the
    ``X-Deltacloud-*`` headers), else a 400 that does not repeat it."""
    if not is_choice(kind, value):
        if kind == "driver":
            rule = "letters, digits, '.', '_' and '-' (at most 64)"
        else:
            rule = "printable ASCII without line breaks (at most 1024 characters)"
        raise ValidationFailure(f"The {kind} name is not valid: use {rule}")
    return value


def attachment(filename: str) -> str:
    """A ``Content-Disposition`` for a download named ``filename``: plain when
    it is a token, else RFC 6266's percent-encoded ``filename*``."""
    if is_token(filename):
        return f"attachment; filename={filename}"
    encoded = quote(filename.encode("utf-8", "replace"), safe="")
    return f"attachment; filename*=UTF-8''{encoded}"
