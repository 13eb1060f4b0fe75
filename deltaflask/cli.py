"""The ``deltaflask`` command, compatible with the original ``deltacloudd``."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from deltaflask.app import UnknownFrontend
from deltaflask.app import create_app
from deltaflask.state import state


def build_parser() -> argparse.ArgumentParser:
    """The command-line options (the original's names and defaults)."""
    parser = argparse.ArgumentParser(
        prog="deltaflask",
        description="Serve the Deltacloud, CIMI and EC2 APIs over many clouds.",
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
        help="environment; development shows debug logging",
    )
    parser.add_argument(
        "-l", "--drivers", action="store_true", help="list the drivers and exit"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the server (or list drivers)."""
    args = build_parser().parse_args(argv)
    config = {
        "DRIVER": args.driver,
        "PROVIDER": args.provider,
        "FRONTENDS": args.frontends,
    }
    try:
        app = create_app(config)
    except UnknownFrontend as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return 1
    registry = state(app).registry
    if args.drivers:
        for entry in registry.entries():
            status = (
                "available" if entry.error is None else f"unavailable: {entry.error}"
            )
            print(f"{entry.spec.name:12} {entry.spec.display_name:14} {status}")
        return 0
    if args.driver not in registry.drivers:
        print(f"ERROR: unknown driver '{args.driver}' (try --drivers)", file=sys.stderr)
        return 1
    if app.config.get("API_USER") and app.config.get("API_PASSWORD"):
        print(
            "WARNING: API_USER/API_PASSWORD are set: every request uses them.",
            file=sys.stderr,
        )
    path = "cimi/cloudEntryPoint" if app.config["FRONTENDS"] == ["cimi"] else "api"
    provider = f" :: {args.provider}" if args.provider else ""
    print(
        f"Starting Deltacloud API :: {args.driver}{provider} :: "
        f"http://{args.host}:{args.port}/{path}",
        flush=True,
    )
    app.run(
        host=args.host,
        port=args.port,
        threaded=True,
        debug=args.env == "development",
        use_reloader=False,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
