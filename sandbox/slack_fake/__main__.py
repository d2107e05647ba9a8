"""`python -m sandbox.slack_fake --host H --port N [--token xoxb-…]`."""

from __future__ import annotations

import argparse
import os
import sys

from aiohttp import web

from .app import create_app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox.slack_fake", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--token", default=os.environ.get("SLACK_BOT_TOKEN"))
    parser.add_argument("--team-id", default="T_SANDBOX")
    args = parser.parse_args(argv)
    if not args.token:
        parser.error("no bot token: pass --token or set SLACK_BOT_TOKEN")
    app = create_app(token=args.token, team_id=args.team_id)
    web.run_app(app, host=args.host, port=args.port, print=lambda *_: None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
