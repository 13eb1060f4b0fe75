"""Per-session CSRF tokens for the HTML forms of a frontend.

The token lives in Flask's signed cookie session; every HTML form embeds it
as the hidden field :data:`FIELD`. A state-changing request must carry it when
it comes from a browser, which is what a forged request needs: a browser
(the only client that replays cached Basic credentials for another site) sends
``Origin`` and ``Sec-Fetch-*`` (or at least ``Referer``) with a form post.
Scripts (curl, SDKs, the recorded wire transcripts) send none of these, and
bodies a form cannot produce (XML, JSON) cannot be forged cross-site without
CORS, so such clients need no token. A cookie alone does not make a browser:
API clients keep cookie jars too.
"""

from __future__ import annotations

import hmac
import secrets

from flask import Flask
from flask import Request
from flask import Response
from flask import request
from flask import session
from flask.sessions import SecureCookieSession
from flask.sessions import SecureCookieSessionInterface
from flask.sessions import SessionMixin

from deltaflask.errors import Forbidden
from deltaflask.web import UNSAFE_METHODS

FIELD = "_csrf_token"
SESSION_KEY = "csrf_token"
#: the bodies an HTML form can send (and no body at all)
FORM_TYPES = frozenset(
    {"application/x-www-form-urlencoded", "multipart/form-data", "text/plain", ""}
)
BROWSER_HEADERS = ("Origin", "Sec-Fetch-Site", "Sec-Fetch-Mode", "Referer")
MESSAGE = (
    "This form has expired or did not come from this site (its security token is "
    "missing or wrong). Reload the page and submit it again."
)


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed cookie sessions, without building a signer for requests
    that carry no session cookie (API clients): they get an empty session,
    which is not saved while nothing reads or writes it."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """An empty session when there is no cookie, else Flask's own."""
        if app.secret_key and (
            "HTTP_COOKIE" not in request.environ
            or not request.cookies.get(self.get_cookie_name(app))
        ):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(
        self, app: Flask, session: SessionMixin, response: Response
    ) -> None:
        """Nothing for a session left empty and untouched (Flask would only
        read its cookie settings), else Flask's own."""
        if session or session.accessed or session.modified:
            super().save_session(app, session, response)


class CsrfFailure(Forbidden):
    """A browser's state-changing request lacks the session's CSRF token."""

    default_message = MESSAGE


def token() -> str:
    """The session's CSRF token, created on first use."""
    value = session.get(SESSION_KEY)
    if not isinstance(value, str) or not value:
        value = secrets.token_urlsafe(32)
        session[SESSION_KEY] = value
    return value


def from_browser() -> bool:
    """Whether the request carries a header only browsers send with forms."""
    return any(header in request.headers for header in BROWSER_HEADERS)


def needs_token() -> bool:
    """Whether this request must prove it came from one of our forms."""
    return (
        request.method in UNSAFE_METHODS
        and request.mimetype in FORM_TYPES
        and from_browser()
    )


def check() -> None:
    """Raise :class:`CsrfFailure` (403) unless the request's token matches."""
    if not needs_token():
        return
    expected = session.get(SESSION_KEY)
    sent = request.form.get(FIELD, "")
    if not (
        isinstance(expected, str)
        and expected
        and hmac.compare_digest(sent.encode(), expected.encode())
    ):
        raise CsrfFailure()
