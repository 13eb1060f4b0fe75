"""Locate the files shipped beside the code (templates, mock seed data).

An installed package holds them inside ``deltaflask/``; a source checkout
keeps them at the top of the repository.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def resource_dir(name: str) -> Path:
    """The folder ``name`` (``templates``, ``mock``) wherever it was installed
    (looked up once: installed folders do not move)."""
    for candidate in (PACKAGE_DIR / name, PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"deltaflask resource folder {name!r} is missing")
