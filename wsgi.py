"""``gunicorn wsgi:app`` from a checkout: the app of :mod:`deltaflask.wsgi`.

An installed deltaflask serves ``deltaflask.wsgi:app``; this file keeps the
shorter name working in the repository (glibc's allocator is tuned on import).
"""

from deltaflask.wsgi import app

__all__ = ["app"]
