"""The application factory."""

from __future__ import annotations

import os
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any

from flask import Flask
from flask import Response
from flask import current_app
from flask import render_template
from flask import request
from werkzeug.exceptions import HTTPException

from deltaflask import csrf
from deltaflask import metrics as prometheus
from deltaflask import request_log
from deltaflask import settings
from deltaflask.errors import DEFAULT_MESSAGES
from deltaflask.errors import ObjectNotFound
from deltaflask.middleware import MatrixParams
from deltaflask.middleware import MethodOverride
from deltaflask.plugin_manager import get_plugin_manager
from deltaflask.provider_calls import CallPolicy
from deltaflask.provider_calls import ProviderCalls
from deltaflask.registry import FrontendSpec
from deltaflask.registry import Registry
from deltaflask.request import Request
from deltaflask.resources import resource_dir
from deltaflask.state import Deltaflask
from deltaflask.state import state
from deltaflask.web import header_names

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
#: the browser session cookie (Flask defines these keys, so they are set, not
#: defaulted; ``DELTAFLASK_SECURE_COOKIES`` adds ``Secure``)
SESSION_COOKIE = {
    "SESSION_COOKIE_NAME": "deltaflask_session",
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_HTTPONLY": True,
}
#: sent with every HTML page: no inline script or style, no framing, forms to us
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


#: the most functions :meth:`Application.ensure_sync` remembers
SYNC_CACHE_SIZE = 1024


class Application(Flask):
    """Flask, remembering which hooks and views are plain functions.

    Flask asks ``inspect`` whether each before- and after-request function and
    each view is a coroutine function on every request; the answer never
    changes for a function, so it is looked up once.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sync: dict[Callable[..., Any], Callable[..., Any]] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Flask's own answer, kept per function."""
        try:
            return self._sync[func]
        except KeyError:
            pass
        except TypeError:  # an unhashable callable
            return super().ensure_sync(func)
        if len(self._sync) >= SYNC_CACHE_SIZE:
            self._sync.clear()
        found = self._sync[func] = super().ensure_sync(func)
        return found


class UnknownFrontend(ValueError):
    """A configured frontend is not installed."""


class FrontendDisabled(ObjectNotFound):
    """A request went to an installed frontend this server does not enable."""


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build a deltaflask application.

    Settings come from the environment (the original's ``API_*`` variables)
    and are overridden by ``config``. Plugins are loaded into a plugin
    manager of this app alone.
    """
    app = Application(
        "deltaflask",
        template_folder=str(resource_dir("templates")),
        static_folder=str(resource_dir("templates") / "static"),
        static_url_path="/static",
    )
    app.request_class = Request
    app.config.update(settings.from_environment(os.environ))
    app.config.update(SESSION_COOKIE)
    app.config.update(config or {})
    settings.normalise(app.config)
    app.config["MAX_FORM_MEMORY_SIZE"] = app.config["MAX_FORM_BYTES"]
    app.config["SESSION_COOKIE_SECURE"] = app.config["SECURE_COOKIES"]
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = settings.secret_key(app.config)
    app.session_interface = csrf.CookieSessions()

    pm, failed = get_plugin_manager(
        load_entrypoints=app.config["LOAD_ENTRYPOINTS"],
        blocked=app.config["DISABLED_PLUGINS"],
        extra_plugins=app.config["EXTRA_PLUGINS"],
    )
    registry = Registry(failed_plugins=failed)
    for specs in pm.hook.register_drivers():
        for spec in specs:
            registry.add_driver(spec)
    for specs in pm.hook.register_frontends():
        for spec in specs:
            registry.add_frontend(spec)
    metrics = prometheus.install(app)
    app.extensions["deltaflask"] = Deltaflask(
        pm=pm, registry=registry, calls=_provider_calls(app.config, metrics)
    )
    enabled = [_frontend(registry, name) for name in app.config["FRONTENDS"]]
    request_log.install(app, metrics, _frontend_names(enabled))
    for frontend in enabled:
        app.register_blueprint(
            frontend.create_blueprint(app), url_prefix=frontend.url_prefix
        )
    app.extensions["deltaflask_frontends"] = enabled
    _register_root(app, enabled)
    app.register_error_handler(Exception, _handle_error)
    app.after_request(_security_headers)
    pm.hook.prepare_app(app=app)
    app.wsgi_app = MatrixParams(MethodOverride(app.wsgi_app))  # type: ignore[method-assign]
    return app


def _provider_calls(
    config: Mapping[str, Any], metrics: prometheus.Metrics | None
) -> ProviderCalls:
    policy = CallPolicy(
        retries=config["PROVIDER_RETRIES"],
        breaker_threshold=config["BREAKER_THRESHOLD"],
        breaker_cooldown=config["BREAKER_COOLDOWN"],
    )
    if metrics is None:
        return ProviderCalls(policy)
    return ProviderCalls(
        policy,
        on_call=metrics.provider_call,
        on_bytes=metrics.bytes,
        on_circuit=metrics.circuit,
    )


def _frontend(registry: Registry, name: str) -> FrontendSpec:
    if name not in registry.frontends:
        valid = ",".join(sorted(registry.frontends))
        raise UnknownFrontend(f"Unknown frontend ({name}). Valid values are '{valid}'")
    return registry.frontends[name]


def _register_root(app: Flask, frontends: list[FrontendSpec]) -> None:
    @app.get("/")
    def root_index() -> str:
        return render_template("root.html", frontends=frontends)

    @app.get("/robots.txt")
    def robots() -> Response:
        return Response("User-Agent: *\nDisallow: /\n", mimetype="text/plain")


def frontend_for_path(path: str) -> FrontendSpec | None:
    """The enabled frontend whose prefix ``path`` falls under."""
    return _owner(path, current_app.extensions.get("deltaflask_frontends", []))


def _frontend_names(frontends: list[FrontendSpec]) -> Callable[[str], str]:
    """What names the enabled frontend a path is under (``root`` if none)."""

    def frontend_name(path: str) -> str:
        owner = _owner(path, frontends)
        return owner.name if owner is not None else "root"

    return frontend_name


def _owner(path: str, frontends: Iterable[FrontendSpec]) -> FrontendSpec | None:
    return next((frontend for frontend in frontends if frontend.owns(path)), None)


def _handle_error(error: Exception) -> Response:
    """Render any error in the format of the frontend the request went to; a
    request to an installed but disabled frontend gets that frontend's error
    document saying how to enable it."""
    frontend = frontend_for_path(request.path)
    if frontend is not None:
        return frontend.render_error(error)
    disabled = _owner(request.path, state().registry.frontends.values())
    if disabled is not None:
        not_enabled = _not_enabled(disabled)
        try:
            return disabled.render_error(not_enabled)
        except Exception:  # its renderer needs its own (unregistered) blueprint
            return _plain_error(404, not_enabled.message)
    if isinstance(error, HTTPException):
        status = error.code or 500
    else:
        current_app.logger.exception("unhandled error")
        status = 500
    return _plain_error(status, DEFAULT_MESSAGES.get(status, "Error"))


def _plain_error(status: int, message: str) -> Response:
    return Response(f"{status} {message}\n", status=status, mimetype="text/plain")


def _not_enabled(frontend: FrontendSpec) -> FrontendDisabled:
    enabled = current_app.config["FRONTENDS"]
    wanted = ",".join([*enabled, frontend.name])
    return FrontendDisabled(
        f"The {frontend.name} frontend is not enabled on this server: start it "
        f"with -f {wanted} (or API_FRONTEND={wanted})"
    )


def _security_headers(response: Response) -> Response:
    """Append the security headers a view has not set (as ``setdefault``)."""
    headers = response.headers
    present = header_names(headers)
    for header, value in SECURITY_HEADERS.items():
        if header.lower() not in present:
            headers.add(header, value)
    if "content-security-policy" not in present and response.mimetype == "text/html":
        headers.add("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    return response
