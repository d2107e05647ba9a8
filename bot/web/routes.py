"""The non-Slack routes. Each feature adds its routes here."""

from __future__ import annotations

from aiohttp import web

from bot.stripe_ops.webhooks import WEBHOOK_PATH
from bot.web import checkout_done, oauth_callback, stripe_webhook


def add_routes(app: web.Application) -> None:
    app.router.add_post(WEBHOOK_PATH, stripe_webhook.receive)
    oauth_callback.add_routes(app)
    checkout_done.add_routes(app)
