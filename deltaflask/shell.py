"""The shell around every frontend's views: which driver a request means, and
the chores before and after a view (cross-site refusal, body caps, ETags).

A frontend describes its shell once with a :class:`Shell` and calls
:meth:`Shell.before` first in its own before-request function (negotiation,
CSRF and the like come after) and :meth:`Shell.after` last in its
after-request one (after its own headers).
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

from flask import Response
from flask import current_app
from flask import request

from deltaflask.context import select_driver
from deltaflask.header_values import check_choice
from deltaflask.middleware import MATRIX_KEY
from deltaflask.web import add_etag
from deltaflask.web import query_value
from deltaflask.web import refuse_cross_site

#: what chooses a driver and a provider, in URLs and request headers
CHOICES = ("driver", "provider")
HEADERS = {"driver": "X-Deltacloud-Driver", "provider": "X-Deltacloud-Provider"}
#: those headers' keys in the WSGI environ
HEADER_KEYS = {
    key: "HTTP_" + name.upper().replace("-", "_") for key, name in HEADERS.items()
}
#: a browser session's pick: driver and provider (each ``None`` if unpicked)
SessionChoice = Callable[[], tuple[str | None, str | None]]


@dataclass(frozen=True)
class Shell:
    """How one frontend's requests choose their driver, and which chores run."""

    #: the path segment whose matrix parameters (``/api;driver=ec2``) and
    #: ``<segment>[driver]`` query parameters choose the driver (``None``: the
    #: URL chooses nothing)
    url_segment: str | None = None
    #: whether ``X-Deltacloud-Driver`` / ``X-Deltacloud-Provider`` choose them
    header_choice: bool = True
    #: refuse (400) a choice that is no valid name; unchecked, an unknown
    #: name is the 404 of an unavailable driver
    check_choices: bool = True
    #: a browser session's pick, for a request that names no driver
    session_choice: SessionChoice | None = None
    #: refuse a state-changing request a browser sent from another site
    refuse_cross_site: bool = True
    #: endpoints whose bodies are not capped at ``MAX_FORM_BYTES`` (uploads)
    uncapped: AbstractSet[str] = frozenset()
    #: the methods whose 200/201 answers get an ETag
    etag_methods: frozenset[str] = frozenset()

    def before(self) -> dict[str, str]:
        """Run the chores before a view and select the request's driver.

        :return: the choices the URL made (``{"driver": ..., "provider": ...}``),
            which links of an HTML page keep.
        """
        if self.refuse_cross_site:
            refuse_cross_site()
        req = request._get_current_object()
        if req.endpoint not in self.uncapped:
            req.max_content_length = current_app.config["MAX_FORM_BYTES"]
        environ = req.environ
        in_url = self.chosen_in_url(environ, req.args)
        driver = in_url.get("driver") or self._chosen_in_header(environ, "driver")
        provider = in_url.get("provider") or self._chosen_in_header(environ, "provider")
        if not driver and self.session_choice is not None:
            driver, picked_provider = self.session_choice()
            provider = provider or picked_provider
        select_driver(driver.lower() if driver else None, provider)
        return in_url

    def chosen_in_url(
        self, environ: Mapping[str, Any], args: Mapping[str, str]
    ) -> dict[str, str]:
        """``driver`` / ``provider`` from the matrix or ``<segment>[...]``
        parameters (400 when one is no valid name and choices are checked)."""
        segment = self.url_segment
        if segment is None:
            return {}
        matrix = environ.get(MATRIX_KEY, {}).get(segment, {})
        chosen = {}
        for key in CHOICES:
            name = f"{segment}[{key}]"
            value = matrix.get(key) or query_value(args, name)
            if value:
                chosen[key] = self._checked(key, value)
        return chosen

    def _chosen_in_header(self, environ: Mapping[str, Any], key: str) -> str | None:
        if not self.header_choice:
            return None
        value = environ.get(HEADER_KEYS[key])  # as ``request.headers.get``
        return self._checked(key, value) if value else value

    def _checked(self, key: str, value: str) -> str:
        return check_choice(key, value) if self.check_choices else value

    def after(self, response: Response) -> Response:
        """Run the chores after a view: the ETag of a 200/201 body."""
        if self.etag_methods:
            add_etag(response, self.etag_methods)
        return response
