"""Text the frontends accept from clients and text their documents can carry.

Input refuses control characters (C0 but tab, newline and carriage return;
DEL; C1), lone surrogates and the non-characters U+FFFE/U+FFFF. Output
replaces whatever XML 1.0 cannot carry with U+FFFD, so a document stays
well-formed even if such text was stored before it was refused.
"""

from __future__ import annotations

import re

REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
REPLACEMENT = "\ufffd"


def refused_text(text: str) -> bool:
    """Whether ``text`` holds a character no client input may carry."""
    return REFUSED.search(text) is not None


def xml_safe(text: str) -> str:
    """``text`` with the characters XML 1.0 (and UTF-8) cannot carry replaced."""
    return NOT_XML.sub(REPLACEMENT, text)
