"""The ``deltaflask`` command, compatible with the original ``deltacloudd``."""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

from flask import Flask
from werkzeug.serving import WSGIRequestHandler

from deltaflask import __version__
from deltaflask.app import create_app
from deltaflask.plugins.mock.store import NotAMockStore
from deltaflask.plugins.mock.store import reset_store
from deltaflask.settings import DEFAULTS
from deltaflask.state import state

#: every environment variable the server reads, for ``--help``
ENVIRONMENT_HELP = {
    "API_DRIVER": "default driver (-i)",
    "API_PROVIDER": "default provider (-P)",
    "API_FRONTEND": "comma-separated frontends (-f)",
    "API_HOST": "address to bind (-r)",
    "API_PORT": "port (-p)",
    "RACK_ENV": "environment (-e)",
    "DELTAFLASK_DATA": "the server's data folder (--data)",
    "DELTACLOUD_MOCK_STORAGE": "the mock cloud's folder (default: <data>/mock)",
    "API_USER, API_PASSWORD": "server-wide credentials for every request",
    "HOSTNAME": "host name in the 401 realm",
    "DELTAFLASK_DISABLED_PLUGINS": "comma-separated plugins not to load",
    "DELTAFLASK_MAX_FORM_BYTES": "form body size cap in bytes",
    "DELTAFLASK_SECRET_KEY": "session cookie key (default: kept in <data>)",
    "DELTAFLASK_SECURE_COOKIES": "1: send the session cookie over HTTPS only",
    "CIMI_STORAGE": "CIMI's own store (default: <data>/cimi)",
    "DELTAFLASK_DATABASE_URL": "PostgreSQL URL for state shared by several nodes",
    "DELTAFLASK_TMP_MAX_AGE": "seconds before abandoned .tmp-* files are swept",
    "DELTAFLASK_SEGMENT_MAX_AGE": "seconds before unfinished uploads are swept",
    "DELTAFLASK_SWEEP_INTERVAL": "seconds between two sweeps of one process",
    "DELTAFLASK_IDLE_TIMEOUT": "gunicorn_conf: seconds a client may stay silent",
    "DELTAFLASK_ACCESS_LOG": "text (default), json or off: one line per request",
    "DELTAFLASK_METRICS": "off: no Prometheus metrics at /metrics",
    "DELTAFLASK_METRICS_ALLOW": "networks allowed to read /metrics (default: all)",
    "DELTAFLASK_PROVIDER_TIMEOUT": "seconds a provider call may take (default 30)",
    "DELTAFLASK_PROVIDER_RETRIES": "retries of a read the provider throttled (2)",
    "DELTAFLASK_BREAKER_THRESHOLD": "provider failures in a row that stop calls (5)",
    "DELTAFLASK_BREAKER_COOLDOWN": "seconds calls stay stopped before a trial (30)",
}
LOOPBACK_NAMES = frozenset({"localhost", "ip6-localhost"})


def build_parser() -> argparse.ArgumentParser:
    """The command-line options (the original's names and defaults)."""
    width = max(len(name) for name in ENVIRONMENT_HELP)
    epilog = "environment variables:\n" + "\n".join(
        f"  {name:{width}}  {text}" for name, text in ENVIRONMENT_HELP.items()
    )
    parser = argparse.ArgumentParser(
        prog="deltaflask",
        description="Serve the Deltacloud, CIMI and EC2 APIs over many clouds.",
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    env = os.environ.get
    parser.add_argument(
        "-i", "--driver", default=env("API_DRIVER", "mock"), help="default driver"
    )
    parser.add_argument(
        "-P", "--provider", default=env("API_PROVIDER"), help="default provider"
    )
    parser.add_argument(
        "-f",
        "--frontends",
        default=env("API_FRONTEND", "deltacloud"),
        help="comma-separated frontends: deltacloud,cimi,ec2",
    )
    parser.add_argument(
        "-r",
        "--host",
        "--hostname",
        dest="host",
        default=env("API_HOST", "localhost"),
        help="address to bind (default: localhost)",
    )
    parser.add_argument(
        "-p",
        "--port",
        type=int,
        default=int(env("API_PORT", "3001")),
        help="port (default: 3001)",
    )
    parser.add_argument(
        "-e",
        "--env",
        default=env("RACK_ENV", "development"),
        choices=["development", "production", "test"],
        help="environment, as the original's; none of them turns the debugger on",
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        help="Werkzeug's interactive debugger (runs code!): loopback hosts only",
    )
    parser.add_argument(
        "--data",
        default=env("DELTAFLASK_DATA"),
        help="data folder (default: $XDG_STATE_HOME/deltaflask "
        "or ~/.local/state/deltaflask)",
    )
    parser.add_argument(
        "-l", "--drivers", action="store_true", help="list the drivers and exit"
    )
    parser.add_argument(
        "--reset-mock",
        action="store_true",
        help="put the mock cloud back to its seed data and exit",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"deltaflask {__version__} (Deltacloud API {DEFAULTS['API_VERSION']})",
    )
    return parser


class RequestHandler(WSGIRequestHandler):
    """Werkzeug's handler, leaving the ``Server`` header to the application
    (``http.server`` always writes its own, so ``/api`` answered with two)."""

    def send_response(self, code: int, message: str | None = None) -> None:
        """The status line and ``Date``; no ``Server`` of the handler's own.
        No request line is logged: it would show query strings (an EC2
        client's signature); the application's access log says what happened."""
        self.send_response_only(code, message)

    def log_error(self, format: str, *args: object) -> None:
        """Say that a request was refused, without its raw request line."""
        self.log("error", "refused a malformed request from %s", self.address_string())
        self.send_header("Date", self.date_time_string())


def is_loopback(host: str) -> bool:
    """Whether ``host`` names a loopback address only this machine reaches."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def main(argv: Sequence[str] | None = None) -> int:
    """Run the server (or list drivers, or reset the mock cloud)."""
    args = build_parser().parse_args(argv)
    if args.debug and not is_loopback(args.host):
        print(
            f"ERROR: --debug runs Werkzeug's debugger, which executes code sent to "
            f"it: it is refused on {args.host}; bind to 127.0.0.1 or localhost",
            file=sys.stderr,
        )
        return 1
    config = {
        "DRIVER": args.driver,
        "PROVIDER": args.provider,
        "FRONTENDS": args.frontends,
    }
    if args.data:
        config["DATA"] = args.data
    try:
        app = create_app(config)
    except ValueError as exc:  # an unknown frontend, a malformed setting
        print(f"ERROR: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # the data folder cannot be made or written
        print(
            f"ERROR: the data folder cannot be used: {exc} "
            "(choose another with --data or DELTAFLASK_DATA)",
            file=sys.stderr,
        )
        return 1
    if args.reset_mock:
        return reset_mock(app.config)
    registry = state(app).registry
    if args.drivers:
        for entry in registry.entries():
            status = (
                "available" if entry.error is None else f"unavailable: {entry.error}"
            )
            print(f"{entry.spec.name:12} {entry.spec.display_name:14} {status}")
        return 0
    problem = registry.unavailable_reason(args.driver)
    if problem is not None:
        print(f"ERROR: {problem}", file=sys.stderr)
        return 1
    if app.config.get("API_USER") and app.config.get("API_PASSWORD"):
        print(
            "WARNING: API_USER/API_PASSWORD are set: every request uses them.",
            file=sys.stderr,
        )
    print(banner(app, args.host, args.port), flush=True)
    app.run(
        host=args.host,
        port=args.port,
        threaded=True,
        debug=args.debug,
        use_reloader=False,
        request_handler=RequestHandler,
    )
    return 0


def reset_mock(config: Mapping[str, Any]) -> int:
    """Wipe the mock cloud (its folder, or the database) back to its seed data."""
    try:
        where = reset_store(config)
    except NotAMockStore as exc:
        print(f"ERROR: {exc}: not resetting it", file=sys.stderr)
        return 1
    print(f"The mock cloud in {where} is back to its seed data.")
    return 0


def banner(app: Flask, host: str, port: int) -> str:
    """What the server tells at start-up: where each frontend answers, the
    driver, the provider, the data folder and a demo cloud's credentials."""
    base = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
    config = app.config
    frontends = app.extensions["deltaflask_frontends"]
    urls = [
        (f.name, base + f.url_prefix.rstrip("/") + f.entry_point) for f in frontends
    ]
    spec = state(app).registry.drivers[config["DRIVER"]].spec
    provider = config["PROVIDER"]
    lines = [
        f"Starting Deltacloud API :: {spec.name}"
        f"{f' :: {provider}' if provider else ''} :: {urls[0][1] if urls else base}",
        *(f"  {name + ' frontend':20} {url}" for name, url in urls),
        f"  {'driver':20} {spec.name} ({spec.display_name})",
        f"  {'provider':20} {provider or 'the driver default'}",
        f"  {'data folder':20} {config['DATA']}",
    ]
    if spec.name == "mock":
        lines.append(f"  {'mock cloud':20} {config['MOCK_STORAGE']}")
    if spec.sample_credentials:
        user, password = spec.sample_credentials
        lines.append(f"  {'credentials':20} {user} / {password} (HTTP Basic)")
    return "\n".join(lines)
