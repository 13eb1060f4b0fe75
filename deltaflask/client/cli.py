"""``deltaflask-cli``: the classic API from a shell (the original's
``deltacloudc`` verbs as a guide)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from deltaflask.client.actions import ACTIONS
from deltaflask.client.blob_commands import add_blob_commands
from deltaflask.client.blob_commands import run_blob_command
from deltaflask.client.client import KINDS
from deltaflask.client.client import Client
from deltaflask.client.errors import BadRequest
from deltaflask.client.errors import ClientError
from deltaflask.client.errors import ServerError
from deltaflask.client.output import FORMATS
from deltaflask.client.output import Printer
from deltaflask.client.resource import Resource
from deltaflask.client.settings import resolve

EPILOG = """\
examples:
  export DELTAFLASK_URL=http://localhost:3001/api DELTAFLASK_USER=mockuser
  export DELTAFLASK_PASSWORD=mockpassword
  deltaflask-cli api                                  # what the driver offers
  deltaflask-cli instances list state=RUNNING
  deltaflask-cli instances create image_id=img1 hwp_id=m1-small --wait RUNNING
  deltaflask-cli instances stop inst0 --wait STOPPED
  deltaflask-cli -o json storage_volumes attach vol1 instance_id=inst0 device=/dev/sdc
  deltaflask-cli --driver ec2 --provider us-east-1 realms list
  deltaflask-cli blob put bucket1 backup.tar ./backup.tar --parallel 8
  deltaflask-cli blob get bucket1 backup.tar ./copy.tar

credentials: --user/--password, else DELTAFLASK_USER/DELTAFLASK_PASSWORD, else
the [deltaflask] section of ~/.config/deltaflask/client.ini (url, user,
password, driver, provider; keep it chmod 600). They are never printed.

exit codes: 0 done; 1 server error; 2 bad usage or parameters (400);
3 authentication (401/403); 4 not found; 5 conflict (405/409); 6 the driver
lacks the collection, feature or action; 7 --wait timed out; 8 connection
or transfer failure; 130 interrupted.
"""


def build_parser() -> argparse.ArgumentParser:
    """The options, the ``api`` and ``blob`` commands, and one command per
    collection taking a verb."""
    parser = argparse.ArgumentParser(
        prog="deltaflask-cli",
        description="Manage clouds through a deltaflask server's classic API.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--url", help="the API's URL (default http://localhost:3001/api)"
    )
    parser.add_argument("--user", "-u", help="user name (or API key)")
    parser.add_argument("--password", "-p", help="password (prefer the environment)")
    parser.add_argument("--driver", help="the driver to use (mock, ec2, ...)")
    parser.add_argument("--provider", help="the driver's provider (an EC2 region)")
    parser.add_argument("--config", type=Path, help="INI file with the settings")
    parser.add_argument(
        "--output", "-o", choices=FORMATS, default="table", help="output format"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("api", help="the driver, its collections and features")
    add_blob_commands(commands)
    for name, kind in sorted(KINDS.items()):
        add_collection_command(commands, name, kind)
    commands.add_parser("instance_states", help="the instance state machine")
    return parser


def add_collection_command(commands: Any, name: str, kind: type[Resource]) -> None:
    """``<collection> VERB [ID] [NAME=VALUE ...] [--wait STATE]``."""
    verbs = ["list", "show", "create", "destroy", *ACTIONS.get(name, {})]
    command = commands.add_parser(
        name,
        help=f"{name}: {', '.join(verbs)}",
        description=f"{kind.__doc__}\n\nverbs: {', '.join(verbs)}",
    )
    command.add_argument("verb", choices=verbs, metavar="VERB", help=", ".join(verbs))
    command.add_argument(
        "args", nargs="*", metavar="ID | NAME=VALUE", help="object id, then parameters"
    )
    command.add_argument(
        "--wait",
        metavar="STATE",
        help="wait until the object reaches STATE "
        "(with destroy: until it is gone; any value)",
    )
    command.add_argument(
        "--timeout", type=float, default=300.0, help="seconds --wait waits (300)"
    )


def split_args(args: list[str]) -> tuple[str | None, dict[str, str]]:
    """The object id (the first word without ``=``) and the parameters."""
    item_id, params = None, {}
    for word in args:
        name, sep, value = word.partition("=")
        if sep and name:
            params[name] = value
        elif item_id is None:
            item_id = word
        else:
            raise BadRequest(400, f"unexpected argument {word!r} (NAME=VALUE?)")
    return item_id, params


def run_collection(
    client: Client, printer: Printer, options: argparse.Namespace
) -> None:
    """List, show, create, destroy or act on objects of one collection."""
    collection = client.collection(options.command)
    item_id, params = split_args(options.args)
    verb = options.verb
    if verb == "list":
        if printer.fmt == "xml":
            printer.raw(
                client.session.text(
                    client.session.absolute(collection.href) + query(params), "xml"
                )
            )
        else:
            printer.items(collection.list(**params), collection.kind.columns)
        return
    if verb == "create":
        if item_id is not None:
            raise BadRequest(400, "create takes NAME=VALUE parameters only")
        printer.one(settle(collection.create(**params), options))
        return
    if item_id is None:
        raise BadRequest(400, f"{verb} needs the id of one of the {collection.name}")
    item = collection.get(item_id)
    if verb == "show":
        printer.one(item)
    elif verb == "destroy":
        item.destroy()
        if options.wait:
            item.wait_until_gone(options.timeout)
    else:
        result = ACTIONS[collection.name][verb](item, params)
        if isinstance(result, Resource):
            printer.one(settle(result, options))
        else:
            printer.data(result)


def query(params: dict[str, str]) -> str:
    """A query string of filters (empty for none)."""
    return f"?{urlencode(params)}" if params else ""


def settle(item: Resource, options: argparse.Namespace) -> Resource:
    """The object, after waiting for ``--wait STATE`` if asked."""
    return item.wait_for(options.wait, options.timeout) if options.wait else item


def run_api(client: Client, printer: Printer) -> None:
    """What the driver offers."""
    entry = client.entry
    document = {
        "driver": entry.driver,
        "provider": entry.provider,
        "version": entry.version,
        "collections": {
            name: sorted(entry.features.get(name, ())) for name in entry.collections
        },
    }
    if printer.fmt == "xml":
        printer.raw(client.session.text("", "xml"))
    elif printer.fmt == "json":
        printer.data(document)
    else:
        printer.raw(
            f"driver {entry.driver}, provider {entry.provider}, API {entry.version}"
        )
        for name, features in document["collections"].items():
            printer.raw(
                f"  {name}" + (f"  ({', '.join(features)})" if features else "")
            )


def run_states(client: Client, printer: Printer) -> None:
    """The instance state machine."""
    states = client.instance_states()
    if printer.fmt == "table":
        for state in states:
            moves = ", ".join(
                f"{t.get('action') or 'auto'} -> {t['to']}" for t in state.transitions
            )
            printer.raw(f"{state.name:10} {moves}")
    elif printer.fmt == "json":
        printer.data([state.data for state in states])
    else:
        printer.raw(client.session.text(client.entry.href("instance_states"), "xml"))


def main(argv: list[str] | None = None) -> int:
    """Run one command; the exit code (see ``--help``)."""
    options = build_parser().parse_args(argv)
    settings = resolve(
        {
            name: getattr(options, name)
            for name in ("url", "user", "password", "driver", "provider")
        },
        options.config,
    )
    printer = Printer(options.output)
    try:
        with Client(
            settings.url,
            settings.user,
            settings.password,
            settings.driver,
            settings.provider,
        ) as client:
            if options.command == "api":
                run_api(client, printer)
            elif options.command == "instance_states":
                run_states(client, printer)
            elif options.command == "blob":
                run_blob_command(client, printer, options)
            else:
                run_collection(client, printer, options)
    except ClientError as exc:
        print(f"deltaflask-cli: error: {describe(exc)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("deltaflask-cli: interrupted", file=sys.stderr)
        return 130
    return 0


def describe(error: ClientError) -> str:
    """The message of an error, with the status the server gave."""
    if isinstance(error, ServerError):
        return f"{error.message} (HTTP {error.status})"
    return str(error)


if __name__ == "__main__":
    sys.exit(main())
