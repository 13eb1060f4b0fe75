"""WSGI entry point for production servers: ``gunicorn wsgi:app``.

Configure it with the same environment variables as the ``deltaflask``
command (``API_DRIVER``, ``API_PROVIDER``, ``API_FRONTEND``, ...).
"""

from deltaflask import create_app

app = create_app()
