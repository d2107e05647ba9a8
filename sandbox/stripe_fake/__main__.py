"""Serve the fake Stripe.

``python -m sandbox.stripe_fake --host H --port N [--webhook-url U --webhook-secret S]``
"""

from __future__ import annotations

import argparse

from aiohttp import web

from .app import create_app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox.stripe_fake", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=12111)
    parser.add_argument("--webhook-url")
    parser.add_argument("--webhook-secret")
    args = parser.parse_args(argv)
    app = create_app(webhook_url=args.webhook_url, webhook_secret=args.webhook_secret)
    web.run_app(app, host=args.host, port=args.port)


if __name__ == "__main__":
    main()
