"""Serve the fake Stripe.

``python -m sandbox.stripe_fake --host H --port N [--webhook-url U --webhook-secret S
[--connect-webhook-url U2] --connect-webhook-secret S2] [--webhook-api-version V]``

The account endpoint gets the platform's own events, signed with S; the Connect endpoint gets
events of connected accounts, signed with S2, at U2 (default: U). Both render events at V
(default: the version stripe-python pins).
"""

from __future__ import annotations

import argparse

from aiohttp import web
from stripe._api_version import _ApiVersion

from .app import create_app
from .versions import check_renderable


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m sandbox.stripe_fake", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=12111)
    parser.add_argument("--webhook-url", help="the account endpoint's URL")
    parser.add_argument("--webhook-secret", help="the account endpoint's signing secret")
    parser.add_argument("--connect-webhook-url", help="the Connect endpoint's URL (default: U)")
    parser.add_argument("--connect-webhook-secret", help="the Connect endpoint's signing secret")
    parser.add_argument(
        "--webhook-api-version",
        default=_ApiVersion.CURRENT,
        help=f"the API version both endpoints render events at (default {_ApiVersion.CURRENT})",
    )
    args = parser.parse_args(argv)
    if args.webhook_url and not (args.webhook_secret and args.connect_webhook_secret):
        parser.error("--webhook-url needs --webhook-secret and --connect-webhook-secret")
    if args.connect_webhook_url and not args.connect_webhook_secret:
        parser.error("--connect-webhook-url needs --connect-webhook-secret")
    try:
        check_renderable(args.webhook_api_version)
    except ValueError as exc:
        parser.error(f"--webhook-api-version: {exc}")
    return args


def main(argv: list[str] | None = None) -> None:
    args = _parse(argv)
    app = create_app(
        webhook_url=args.webhook_url,
        webhook_secret=args.webhook_secret,
        connect_webhook_url=args.connect_webhook_url,
        connect_webhook_secret=args.connect_webhook_secret,
        webhook_api_version=args.webhook_api_version,
    )
    web.run_app(app, host=args.host, port=args.port)


if __name__ == "__main__":
    main()
