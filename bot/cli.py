"""`connectbot …`: serve, run, sandbox, demo, db, manifest, check.

Every failure a person can cause ends in one clear line (or, for configuration, one message
naming every problem) and a non-zero exit code: 2 for configuration, 1 for anything else.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable, Sequence

from bot.config import ConfigError, DatabaseSettings, PublicSettings, load, load_settings
from bot.errors import CommandFailed
from bot.manifest import render_manifest

EXIT_CONFIG = 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("bot").setLevel(logging.INFO)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except ConfigError as exc:
        print(exc.render(), file=sys.stderr)
        return EXIT_CONFIG
    except CommandFailed as exc:
        print(f"connectbot: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="connectbot", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("serve", help="run the server").set_defaults(handler=_serve)
    sub.add_parser(
        "run", help="serve when credentials are configured, else start the sandbox"
    ).set_defaults(handler=_run)
    sandbox = sub.add_parser("sandbox", help="the whole product on this machine")
    sandbox.add_argument("--fresh", action="store_true", help="use a throwaway database")
    sandbox.add_argument("--port", type=int, default=0, help="the console's port (default: free)")
    sandbox.set_defaults(handler=_sandbox)
    sub.add_parser("demo", help="a scripted walk through every flow").set_defaults(handler=_demo)
    sub.add_parser("manifest", help="print app.yaml with PUBLIC_URL filled in").set_defaults(
        handler=_manifest
    )
    sub.add_parser("check", help="check config, database, Slack and Stripe").set_defaults(
        handler=_check
    )
    db = sub.add_parser("db", help="database schema").add_subparsers(
        dest="db_command", required=True, metavar="ACTION"
    )
    db.add_parser("upgrade", help="migrate to the newest schema").set_defaults(handler=_db_upgrade)
    down = db.add_parser("downgrade", help="migrate down to REVISION")
    down.add_argument("revision")
    down.set_defaults(handler=_db_downgrade)
    db.add_parser("current", help="print the schema revision").set_defaults(handler=_db_current)
    return parser


def _serve(_args: argparse.Namespace) -> int:
    from bot.serve import serve

    serve(load_settings())
    return 0


def _run(_args: argparse.Namespace) -> int:
    try:
        settings = load_settings()
    except ConfigError as exc:
        secrets = (
            "SLACK_SIGNING_SECRET",
            "SLACK_BOT_TOKEN",
            "STRIPE_SECRET_KEY",
            "STRIPE_CLIENT_ID",
        )
        if not {f"{name} is required" for name in secrets} <= set(exc.problems):
            raise  # some credentials are set: name what is wrong rather than hide it
        print(
            "connectbot: no credentials configured, so starting the sandbox "
            "(set the settings in README.md, Configuration, to run the real server)",
            file=sys.stderr,
            flush=True,
        )
        return _sandbox(argparse.Namespace(fresh=False, port=0))
    from bot.serve import serve

    serve(settings)
    return 0


def _sandbox(args: argparse.Namespace) -> int:
    from bot.sandbox_mode import run_sandbox

    run_sandbox(fresh=bool(args.fresh), port=int(args.port))
    return 0


def _demo(_args: argparse.Namespace) -> int:
    from bot.demo.runner import run_demo

    return run_demo()


def _manifest(_args: argparse.Namespace) -> int:
    print(render_manifest(load(PublicSettings).public_url), end="")
    return 0


def _check(_args: argparse.Namespace) -> int:
    from bot.check import run_checks

    return 0 if asyncio.run(run_checks(load_settings())) else 1


def _db_upgrade(_args: argparse.Namespace) -> int:
    from bot.database import upgrade_database

    url = load(DatabaseSettings).database_url
    # Migrating a large database takes a while: say what is happening before it starts.
    print("connectbot db upgrade: migrating to the newest schema", file=sys.stderr, flush=True)
    print(asyncio.run(upgrade_database(url)))
    return 0


def _db_downgrade(args: argparse.Namespace) -> int:
    from bot.database import downgrade_database

    print(asyncio.run(downgrade_database(load(DatabaseSettings).database_url, args.revision)))
    return 0


def _db_current(_args: argparse.Namespace) -> int:
    from bot.database import describe_revision

    print(asyncio.run(describe_revision(load(DatabaseSettings).database_url)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
